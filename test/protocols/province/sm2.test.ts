import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  privateKeyHexFromPem,
  publicKeyFromPrivate,
  publicKeyHexFrom,
  sm2Sign,
  sm2Verify,
  tokenSignMessage,
} from '../../../src/protocols/province/sm2.js';

// OpenSSL 3 is the second, independent SM2 implementation (CONTRACT §3: interoperable).
const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function keyPair(dir: string) {
  openssl(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'key.pem'], dir);
  openssl(['pkey', '-in', 'key.pem', '-pubout', '-out', 'pub.pem'], dir);
  return {
    priv: privateKeyHexFromPem(fs.readFileSync(path.join(dir, 'key.pem'), 'utf8')),
    pub: publicKeyHexFrom(fs.readFileSync(path.join(dir, 'pub.pem'), 'utf8')),
  };
}

/** r||s → DER SEQUENCE { INTEGER r, INTEGER s }, so OpenSSL can check a raw signature too. */
function rawToDer(raw: Buffer): Buffer {
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const verifyWithOpenssl = (dir: string, message: string, der: Buffer) => {
  fs.writeFileSync(path.join(dir, 'msg'), message);
  fs.writeFileSync(path.join(dir, 'sig'), der);
  try {
    const out = openssl(
      ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-in', 'msg', '-sigfile', 'sig', '-pubin', '-inkey', 'pub.pem', '-pkeyopt', 'distid:1234567812345678'],
      dir,
    );
    return out.toString().includes('Signature Verified Successfully');
  } catch {
    return false;
  }
};

t.test('the message is the raw query values', async (t) => {
  t.equal(tokenSignMessage('vg-108121', 'Jzbgs', 'Fh+p/Q='), 'deviceCode=vg-108121&user=Jzbgs&token=Fh+p/Q=');
});

t.test('keys from OpenSSL PEM files', async (t) => {
  const dir = t.testdir();
  const { priv, pub } = keyPair(dir);
  t.match(priv, /^[0-9a-f]{64}$/);
  t.equal(publicKeyFromPrivate(priv), pub, 'the public key derived from the PEM private key matches OpenSSL');
  openssl(['ec', '-in', 'key.pem', '-out', 'sec1.pem'], dir);
  t.equal(privateKeyHexFromPem(fs.readFileSync(path.join(dir, 'sec1.pem'), 'utf8')), priv, 'SEC1 PEM too');
});

t.test('our signatures verify with OpenSSL (DER and raw)', async (t) => {
  const dir = t.testdir();
  const { priv } = keyPair(dir);
  for (let i = 0; i < 5; i++) {
    const message = tokenSignMessage('vg-108121', 'Jzbgs', `token-${i}-中文+/=`);
    const der = Buffer.from(sm2Sign(message, priv, 'der'), 'base64');
    t.ok(verifyWithOpenssl(dir, message, der), `DER signature ${i}`);
    const raw = Buffer.from(sm2Sign(message, priv, 'raw'), 'base64');
    t.equal(raw.length, 64, 'raw is r||s, 64 bytes');
    t.ok(verifyWithOpenssl(dir, message, rawToDer(raw)), `raw signature ${i}`);
    t.notOk(verifyWithOpenssl(dir, `${message}x`, der), 'OpenSSL rejects it for another message');
  }
});

t.test("OpenSSL's signatures verify with ours", async (t) => {
  const dir = t.testdir();
  const { pub } = keyPair(dir);
  const message = tokenSignMessage('vg-1', 'user', 'tok');
  fs.writeFileSync(path.join(dir, 'msg'), message);
  openssl(['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-in', 'msg', '-inkey', 'key.pem', '-out', 'sig', '-pkeyopt', 'distid:1234567812345678'], dir);
  const sig = fs.readFileSync(path.join(dir, 'sig')).toString('base64');
  t.ok(sm2Verify(message, sig, pub));
  t.notOk(sm2Verify('deviceCode=vg-2&user=user&token=tok', sig, pub));
  t.notOk(sm2Verify(message, '', pub), 'empty signature');
  t.notOk(sm2Verify(message, Buffer.alloc(64, 7).toString('base64'), pub), 'garbage signature');
});
