// HTTP GET of a camera's snapshot URI with the camera's account: Digest (RFC 7616 MD5 / MD5-sess,
// qop=auth or none) or Basic, as the 401 asks. Hand-written: undici has no Digest, and the npm
// digest clients wrap other HTTP stacks or are unmaintained.
import crypto from 'node:crypto';
import { request } from 'undici';

export interface GetResult {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

const md5 = (s: string): string => crypto.createHash('md5').update(s).digest('hex');

function parseChallenge(header: string): { scheme: string; params: Map<string, string> } {
  const m = /^(\w+)\s*(.*)$/s.exec(header.trim());
  const params = new Map<string, string>();
  if (!m) return { scheme: '', params };
  const re = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const p of m[2]!.matchAll(re)) params.set(p[1]!.toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? ''));
  return { scheme: m[1]!.toLowerCase(), params };
}

/** The Authorization header answering `challenge` (one WWW-Authenticate value), or undefined for a scheme we do not speak. */
export function authorizationFor(challenge: string, method: string, uri: string, user: string, password: string): string | undefined {
  const { scheme, params } = parseChallenge(challenge);
  if (scheme === 'basic') return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (scheme !== 'digest') return undefined;
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'MD5-SESS') return undefined;
  const qop = params.get('qop')?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const cnonce = crypto.randomBytes(8).toString('hex');
  const nc = '00000001';
  let ha1 = md5(`${user}:${realm}:${password}`);
  if (algorithm === 'MD5-SESS') ha1 = md5(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`username=${q(user)}`, `realm=${q(realm)}`, `nonce=${q(nonce)}`, `uri=${q(uri)}`, `response=${q(response)}`, `algorithm=${algorithm}`];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  const opaque = params.get('opaque');
  if (opaque !== undefined) parts.push(`opaque=${q(opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

async function once(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<GetResult & { challenge: string[] }> {
  const res = await request(url, { method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body) {
    const b = c as Buffer;
    size += b.length;
    if (size > maxBytes) {
      res.body.destroy();
      throw new Error(`answer larger than ${maxBytes} bytes`);
    }
    chunks.push(b);
  }
  const h = res.headers['www-authenticate'];
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: Array.isArray(ct) ? ct[0] : ct,
    body: Buffer.concat(chunks),
    challenge: h === undefined ? [] : Array.isArray(h) ? h : [h],
  };
}

/** GET `url`; on a 401, once more with credentials answering the strongest challenge offered (Digest before Basic). */
export async function getWithAuth(
  url: string,
  auth: { user?: string; password?: string },
  opts: { timeoutMs: number; maxBytes?: number },
): Promise<GetResult> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  const u = new URL(url);
  const user = auth.user ?? decodeURIComponent(u.username);
  const password = auth.password ?? decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const clean = u.toString();
  const first = await once(clean, {}, opts.timeoutMs, maxBytes);
  if (first.status !== 401 || !user) return first;
  const uri = u.pathname + u.search;
  const ordered = [...first.challenge].sort((a, b) => Number(/^\s*basic/i.test(a)) - Number(/^\s*basic/i.test(b)));
  for (const c of ordered) {
    const authorization = authorizationFor(c, 'GET', uri, user, password);
    if (authorization) return once(clean, { authorization }, opts.timeoutMs, maxBytes);
  }
  return first;
}
