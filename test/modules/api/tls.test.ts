// Server certificate: generated once, reused, or taken from the config (CONTRACT §4, tls.ts).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { ensureServerTls } from '../../../src/modules/api/tls.js';
import { tempDir } from './helpers.js';

const log = silentLogger();

t.test('generates a self-signed certificate once and reuses it', async (t) => {
  const dir = tempDir(t);
  const first = await ensureServerTls({}, dir, log);
  t.equal(first.generated, true);
  t.equal(first.selfSigned, true);
  const certFile = path.join(dir, 'tls', 'server.crt');
  const keyFile = path.join(dir, 'tls', 'server.key');
  t.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'key is private');
  t.equal(fs.readFileSync(certFile, 'utf8'), first.cert);

  const x509 = new crypto.X509Certificate(first.cert);
  t.equal(x509.fingerprint256, first.fingerprint256);
  t.ok(x509.checkPrivateKey(crypto.createPrivateKey(first.key)));
  t.match(x509.subjectAltName ?? '', /DNS:localhost/);
  t.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  t.ok(x509.checkIP('127.0.0.1'), 'valid for 127.0.0.1');
  const years = (Date.parse(x509.validTo) - Date.now()) / (365 * 24 * 3600_000);
  t.ok(years > 9.9 && years < 10.1, `valid for 10 years (${years.toFixed(2)})`);
  t.equal(x509.publicKey.asymmetricKeyType, 'rsa');

  const again = await ensureServerTls({}, dir, log);
  t.equal(again.generated, false);
  t.equal(again.fingerprint256, first.fingerprint256, 'same certificate after a restart');
});

t.test('replaces a stored certificate that has expired or is broken', async (t) => {
  const dir = tempDir(t);
  const first = await ensureServerTls({}, dir, log);
  const later = Date.now() + 11 * 365 * 24 * 3600_000;
  const renewed = await ensureServerTls({}, dir, log, later);
  t.equal(renewed.generated, true);
  t.not(renewed.fingerprint256, first.fingerprint256);
  fs.writeFileSync(path.join(dir, 'tls', 'server.crt'), 'garbage');
  const repaired = await ensureServerTls({}, dir, log);
  t.equal(repaired.generated, true);
});

t.test('uses the configured files and checks they belong together', async (t) => {
  const dir = tempDir(t);
  const cert = path.join(dir, 'c.pem');
  const key = path.join(dir, 'k.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
    '-subj', '/CN=gw.example', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const tls = await ensureServerTls({ tls_cert_file: cert, tls_key_file: key }, dir, log);
  t.equal(tls.generated, false);
  t.equal(tls.selfSigned, false);
  t.equal(tls.cert, fs.readFileSync(cert, 'utf8'));
  t.notOk(fs.existsSync(path.join(dir, 'tls')), 'nothing generated');

  const otherKey = path.join(dir, 'other.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey], { stdio: 'ignore' });
  await t.rejects(ensureServerTls({ tls_cert_file: cert, tls_key_file: otherKey }, dir, log), /does not belong to the certificate/);
  await t.rejects(ensureServerTls({ tls_cert_file: path.join(dir, 'none.pem'), tls_key_file: key }, dir, log), /api\.tls_cert_file: cannot read/);
});
