// What went wrong in a TLS handshake with the province, in the words a technician can act on:
// the certificate's names, who issued it, its dates, and which CAs were trusted. Node's own
// errors say only "self-signed certificate" or "IP is not in the cert's list" and undici wraps
// them as plain connection failures.
import net from 'node:net';
import tls from 'node:tls';

export interface ProvinceTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** Where the trusted CAs come from, for messages (e.g. "province.ca_file /etc/vcgw/ca.pem"). */
  trust?: string;
}

/** OpenSSL verification codes and Node's TLS/SSL codes: the handshake, not the network, failed. */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
]);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return code;
}

export function isTlsError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && (VERIFY_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'));
}

export interface CertificateFacts {
  subject: string;
  names: string;
  issuer: string;
  validTo: string;
}

function factsOf(cert: tls.PeerCertificate): CertificateFacts {
  const dn = (o: Record<string, unknown> | undefined) =>
    Object.entries(o ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
  return { subject: dn(cert.subject as never), names: cert.subjectaltname ?? 'none', issuer: dn(cert.issuer as never), validTo: cert.valid_to };
}

/**
 * The certificate `host:port` presents, read without verifying it (the verified handshake has
 * just failed); undefined when even that handshake fails.
 */
export function fetchPeerCertificate(url: URL, material: ProvinceTls, timeoutMs: number): Promise<CertificateFacts | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 443);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) === 0 && { servername: host }),
      cert: material.cert,
      key: material.key,
      rejectUnauthorized: false,
    });
    const done = (facts: CertificateFacts | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      done(cert && Object.keys(cert).length > 0 ? factsOf(cert) : undefined);
    });
    socket.once('error', () => done(undefined));
  });
}

/** "TLS to HOST:PORT failed (CODE: reason): the certificate names …; trusted: …". */
export async function describeTlsFailure(url: URL, err: unknown, material: ProvinceTls, timeoutMs: number): Promise<string> {
  const e = err as { message?: string; cert?: tls.PeerCertificate };
  const code = codeOf(err) ?? 'TLS';
  const facts = e.cert && Object.keys(e.cert).length > 0 ? factsOf(e.cert) : await fetchPeerCertificate(url, material, timeoutMs);
  const cert = facts
    ? `the certificate names ${facts.names} (subject ${facts.subject}; issuer ${facts.issuer}; valid until ${facts.validTo})`
    : 'no certificate could be read';
  const trust = material.trust ?? (material.ca ? 'the CA bundle given' : 'the system CAs');
  return `TLS to ${url.host} failed (${code}: ${e.message ?? String(err)}): ${cert}; trusted: ${trust}`;
}

export type LinkCheck = { ok: true; detail: string; /** ms since epoch the certificate expires (TLS only). */ validTo?: number } | { ok: false; detail: string };

/**
 * One verified handshake with the platform (what the client's calls do first), without a call:
 * `vcgw doctor` uses it to say whether the province can be reached and trusted from this box.
 */
export function checkProvinceLink(base: string, material: ProvinceTls, timeoutMs: number): Promise<LinkCheck> {
  const url = new URL(base);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ host, port, ...(net.isIP(host) === 0 && { servername: host }), ca: material.ca, cert: material.cert, key: material.key })
      : net.connect({ host, port });
    let settled = false;
    const done = (result: LinkCheck | Promise<LinkCheck>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `no answer from ${url.host} within ${timeoutMs} ms` }), timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const cert = secure ? (socket as tls.TLSSocket).getPeerCertificate() : undefined;
      done(
        cert
          ? { ok: true, detail: `${url.host}: TLS ok, certificate names ${factsOf(cert).names}, valid to ${cert.valid_to}`, validTo: Date.parse(cert.valid_to) }
          : { ok: true, detail: `${url.host}: TCP ok (plain HTTP)` },
      );
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      done(
        isTlsError(err)
          ? describeTlsFailure(url, err, material, timeoutMs).then((detail) => ({ ok: false as const, detail }))
          : { ok: false, detail: `${url.host}: ${[err.code, err.message].filter(Boolean).join(': ')}` },
      );
    });
  });
}
