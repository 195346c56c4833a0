// MD5 digest authentication (RFC 2617 as used by RFC 3261 §22), both sides: a registrar that
// challenges and verifies (GB/T 28181 §9.1.2), and a client that answers 401/407 (the cascade
// registering upward). Devices answer with and without qop=auth, so both are accepted.
import crypto from 'node:crypto';
import { formatAuth, parseAuth } from './headers.js';

const md5 = (s: string): string => crypto.createHash('md5').update(s).digest('hex');

export interface DigestServerOptions {
  realm: string;
  /** A nonce older than this is answered with a new challenge marked stale=true. */
  nonceTtlMs: number;
  /** Offer qop="auth" in challenges (devices may still answer without it). */
  qop?: boolean;
  /** Key of the nonces' MAC; random per instance unless given (a restart then invalidates nonces). */
  secret?: Buffer;
  now?: () => number;
}

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'wrong-realm' | 'unknown-user' | 'wrong-password' | 'bad-nonce'; username?: string };

/**
 * Nonces are stateless: a timestamp and its HMAC, so the registrar keeps no table per device and
 * a forged or expired nonce is recognised without one.
 */
export class DigestServer {
  private readonly secret: Buffer;
  private readonly now: () => number;

  constructor(private readonly opts: DigestServerOptions) {
    this.secret = opts.secret ?? crypto.randomBytes(16);
    this.now = opts.now ?? Date.now;
  }

  private nonceFor(ts: number): string {
    const mac = crypto.createHmac('sha256', this.secret).update(String(ts)).digest('hex').slice(0, 24);
    return `${ts.toString(16)}${mac}`;
  }

  /** The WWW-Authenticate (or Proxy-Authenticate) value. */
  challenge(stale = false): string {
    const params: Record<string, string> = { realm: this.opts.realm, nonce: this.nonceFor(this.now()) };
    if (this.opts.qop !== false) params['qop'] = 'auth';
    params['algorithm'] = 'MD5';
    if (stale) params['stale'] = 'true';
    return formatAuth('Digest', params, ['algorithm', 'stale']);
  }

  /**
   * Checks an Authorization value for `method` against the password `passwordOf` gives the
   * username (undefined: unknown user). A password check happens before the staleness check so a
   * stale answer is only ever given to someone who knows the password (RFC 2617 §3.2.1).
   */
  verify(method: string, authorization: string | undefined, passwordOf: (username: string) => string | undefined): DigestVerdict {
    if (!authorization) return { ok: false, reason: 'missing' };
    const auth = parseAuth(authorization);
    const p = auth?.params;
    if (!auth || auth.scheme.toLowerCase() !== 'digest' || !p?.['username'] || !p['nonce'] || !p['response'] || !p['uri']) {
      return { ok: false, reason: 'malformed' };
    }
    const username = p['username'];
    if ((p['realm'] ?? '') !== this.opts.realm) return { ok: false, reason: 'wrong-realm', username };
    const algorithm = (p['algorithm'] ?? 'MD5').toUpperCase();
    if (algorithm !== 'MD5') return { ok: false, reason: 'malformed', username };
    const nonce = p['nonce'];
    const m = /^([0-9a-f]{1,13})([0-9a-f]{24})$/.exec(nonce);
    if (!m || this.nonceFor(parseInt(m[1]!, 16)) !== nonce) return { ok: false, reason: 'bad-nonce', username };
    const password = passwordOf(username);
    if (password === undefined) return { ok: false, reason: 'unknown-user', username };
    const expected = digestResponse({
      username,
      realm: this.opts.realm,
      password,
      method,
      uri: p['uri'],
      nonce,
      qop: p['qop'],
      nc: p['nc'],
      cnonce: p['cnonce'],
    });
    const given = p['response'].toLowerCase();
    if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      return { ok: false, reason: 'wrong-password', username };
    }
    if (this.now() - parseInt(m[1]!, 16) > this.opts.nonceTtlMs) return { ok: false, reason: 'stale', username };
    return { ok: true, username };
  }
}

export interface DigestInputs {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

export function digestResponse(d: DigestInputs): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  if (d.qop && d.qop.toLowerCase() === 'auth') return md5(`${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:auth:${ha2}`);
  return md5(`${ha1}:${d.nonce}:${ha2}`);
}

export interface DigestCredentials {
  username: string;
  password: string;
}

/**
 * The Authorization value answering a challenge, or null when the challenge is not an MD5
 * digest we can answer. `nc` counts uses of the same nonce (1 for a fresh one).
 */
export function answerChallenge(challenge: string, creds: DigestCredentials, method: string, uri: string, nc = 1): string | null {
  const ch = parseAuth(challenge);
  if (!ch || ch.scheme.toLowerCase() !== 'digest' || !ch.params['nonce']) return null;
  const algorithm = (ch.params['algorithm'] ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5') return null;
  const realm = ch.params['realm'] ?? '';
  const nonce = ch.params['nonce'];
  const qops = (ch.params['qop'] ?? '').split(',').map((q) => q.trim().toLowerCase());
  const useQop = qops.includes('auth');
  const params: Record<string, string> = { username: creds.username, realm, nonce, uri };
  const unquoted = ['algorithm'];
  if (useQop) {
    const ncText = nc.toString(16).padStart(8, '0');
    const cnonce = crypto.randomBytes(8).toString('hex');
    params['response'] = digestResponse({ ...creds, realm, method, uri, nonce, qop: 'auth', nc: ncText, cnonce });
    params['qop'] = 'auth';
    params['nc'] = ncText;
    params['cnonce'] = cnonce;
    unquoted.push('qop', 'nc');
  } else {
    params['response'] = digestResponse({ ...creds, realm, method, uri, nonce });
  }
  params['algorithm'] = 'MD5';
  if (ch.params['opaque'] !== undefined) params['opaque'] = ch.params['opaque'];
  return formatAuth('Digest', params, unquoted);
}
