// The gateway's server certificate: the configured one, or a self-signed one made at first start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';

export interface ServerTls {
  cert: string;
  key: string;
  fingerprint256: string;
  /** True when this call created the certificate (first start, or the old one expired). */
  generated: boolean;
  selfSigned: boolean;
}

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600_000;

function readConfigured(file: string, key: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`api.${key}: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Checks that `cert` parses and that `key` belongs to it; returns the parsed certificate. */
function checkPair(cert: string, key: string, origin: string): crypto.X509Certificate {
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(cert);
  } catch (e) {
    throw new Error(`${origin}: not a PEM certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!x509.checkPrivateKey(crypto.createPrivateKey(key))) {
    throw new Error(`${origin}: the private key does not belong to the certificate`);
  }
  return x509;
}

/** Addresses the province may dial: every configured interface address plus loopback. */
function hostAddresses(): string[] {
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (!a.address.startsWith('fe80')) ips.add(a.address.replace(/%.*$/, ''));
    }
  }
  return [...ips];
}

async function generateSelfSigned(now: number): Promise<{ cert: string; key: string }> {
  const hostname = os.hostname() || 'vcgw';
  const dns = [...new Set([hostname, 'localhost'])];
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...hostAddresses().map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes via a temporary file and rename, so a crash never leaves half a PEM behind. */
function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

export async function ensureServerTls(
  api: Pick<Config['api'], 'tls_cert_file' | 'tls_key_file'>,
  dataDir: string,
  log: Logger,
  now = Date.now(),
): Promise<ServerTls> {
  if (api.tls_cert_file && api.tls_key_file) {
    const cert = readConfigured(api.tls_cert_file, 'tls_cert_file');
    const key = readConfigured(api.tls_key_file, 'tls_key_file');
    const x509 = checkPair(cert, key, `api.tls_cert_file ${api.tls_cert_file}`);
    if (Date.parse(x509.validTo) < now) log.error({ validTo: x509.validTo }, 'configured server certificate has expired');
    log.info({ fingerprint256: x509.fingerprint256, subject: x509.subject, validTo: x509.validTo }, 'server certificate');
    return { cert, key, fingerprint256: x509.fingerprint256, generated: false, selfSigned: false };
  }

  const dir = path.join(dataDir, 'tls');
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    const key = fs.readFileSync(keyFile, 'utf8');
    try {
      const x509 = checkPair(cert, key, certFile);
      if (Date.parse(x509.validTo) > now) {
        log.info({ fingerprint256: x509.fingerprint256, file: certFile, validTo: x509.validTo }, 'self-signed server certificate');
        return { cert, key, fingerprint256: x509.fingerprint256, generated: false, selfSigned: true };
      }
      log.warn({ validTo: x509.validTo }, 'self-signed server certificate expired; generating a new one');
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'stored self-signed certificate unusable; generating a new one');
    }
  }

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = await generateSelfSigned(now);
  writeAtomic(keyFile, key, 0o600);
  writeAtomic(certFile, cert, 0o644);
  const fingerprint256 = new crypto.X509Certificate(cert).fingerprint256;
  // The province pins or trusts this certificate: the technician gives it this fingerprint.
  log.warn({ fingerprint256, file: certFile }, 'generated a self-signed server certificate (10 years)');
  return { cert, key, fingerprint256, generated: true, selfSigned: true };
}
