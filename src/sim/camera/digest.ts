// Hand-written RTSP Digest authentication (RFC 2617, MD5, with or without qop=auth) for the camera
// simulator, as IP cameras do it; the npm digest packages are HTTP-client side or unmaintained.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DIGEST_REALM = 'vcgw-sim-camera';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export class DigestAuth {
  private readonly nonceKey = randomBytes(32);

  constructor(
    private readonly user: string,
    private readonly password: string,
  ) {}

  /** The WWW-Authenticate value of a 401 answer, with a fresh nonce. */
  challenge(): string {
    return `Digest realm="${DIGEST_REALM}", nonce="${this.newNonce()}"`;
  }

  /** Whether `authorization` (the header value, '' if absent) proves the password for `method`. */
  verify(method: string, authorization: string): boolean {
    const d = parseDigest(authorization);
    if (!d) return false;
    const nonce = d.get('nonce') ?? '';
    if (d.get('username') !== this.user || d.get('realm') !== DIGEST_REALM || !this.nonceValid(nonce)) return false;
    const ha1 = md5(`${this.user}:${DIGEST_REALM}:${this.password}`);
    const ha2 = md5(`${method}:${d.get('uri') ?? ''}`);
    const qop = d.get('qop');
    const expected =
      qop === 'auth' ? md5(`${ha1}:${nonce}:${d.get('nc') ?? ''}:${d.get('cnonce') ?? ''}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    return safeEqualHex(d.get('response') ?? '', expected);
  }

  /** Stateless nonces: random half plus its HMAC, so no nonce table can grow. */
  private newNonce(): string {
    const r = randomBytes(8).toString('hex');
    return r + this.nonceMac(r);
  }

  private nonceValid(nonce: string): boolean {
    return /^[0-9a-f]{32}$/.test(nonce) && safeEqualHex(nonce.slice(16), this.nonceMac(nonce.slice(0, 16)));
  }

  private nonceMac(random: string): string {
    return createHmac('sha256', this.nonceKey).update(random).digest('hex').slice(0, 16);
  }
}

function parseDigest(header: string): Map<string, string> | undefined {
  const m = /^Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const out = new Map<string, string>();
  const re = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const p of m[1]!.matchAll(re)) out.set(p[1]!.toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? ''));
  return out;
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}
