// Mutual TLS on the province API (CONTRACT §4): a client certificate signed by api.client_ca_file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { CHECK, startApi, tempDir } from './helpers.js';

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a client certificate it signs, and one from a stranger CA. */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-days', '2', '-subj', '/CN=province CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  openssl(dir, 'req', ...ec, '-subj', '/CN=province client', '-keyout', 'client.key', '-out', 'client.csr');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'extendedKeyUsage=clientAuth\n');
  openssl(dir, 'x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'ext.cnf', '-out', 'client.crt');
  openssl(dir, 'req', '-x509', ...ec, '-days', '2', '-subj', '/CN=stranger', '-keyout', 'stranger.key', '-out', 'stranger.crt');
}

t.test('client certificates are required and checked against the CA', async (t) => {
  const pki = tempDir(t, 'vcgw-pki-');
  makePki(pki);
  const read = (f: string) => fs.readFileSync(path.join(pki, f), 'utf8');
  const f = await startApi(t, { over: { api: { client_ca_file: path.join(pki, 'ca.crt') } } });
  const url = `${f.server.url}${CHECK}`;
  const headers = { TAuth: 'tok-config' };

  const withCert = new Agent({ connect: { ca: f.tls.cert, cert: read('client.crt'), key: read('client.key') } });
  const noCert = new Agent({ connect: { ca: f.tls.cert } });
  const stranger = new Agent({ connect: { ca: f.tls.cert, cert: read('stranger.crt'), key: read('stranger.key') } });
  t.teardown(async () => {
    await Promise.all([withCert.close(), noCert.close(), stranger.close()]);
  });

  const res = await request(url, { dispatcher: withCert, headers });
  t.equal(res.statusCode, 200);
  t.match(await res.body.json(), { code: 200, data: { cameraCount: 0 } });

  await t.rejects(request(url, { dispatcher: noCert, headers }), 'no client certificate: refused in the handshake');
  await t.rejects(request(url, { dispatcher: stranger, headers }), 'certificate from another CA: refused');

  const again = await request(url, { dispatcher: withCert, headers });
  t.equal(again.statusCode, 200, 'the server still serves good clients');
  await again.body.dump();
});
