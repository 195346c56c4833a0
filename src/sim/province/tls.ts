// Server certificate of the sim: the configured one, or a fresh self-signed one for loopback.
import crypto from 'node:crypto';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** The names a certificate is for; the default is loopback (tests give other names to provoke mismatches). */
export interface CertNames {
  dns: string[];
  ips: string[];
}

const LOOPBACK: CertNames = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };

export async function selfSignedLoopbackCert(days = 365, names: CertNames = LOOPBACK): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: names.dns[0] ?? names.ips[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function resolveServerTls(given: TlsMaterial | undefined): Promise<TlsMaterial> {
  return given ?? (await selfSignedLoopbackCert());
}

/** SHA-256 fingerprint (AA:BB:…) of the first certificate in a PEM, for technicians to compare. */
export function certFingerprint256(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}
