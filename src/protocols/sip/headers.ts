// Structured views of the headers the stack itself reads: Via, name-addr (From/To/Contact/Route),
// CSeq, SIP URIs and the digest auth headers. Each parser returns null on garbage rather than
// throwing, so the caller can name the header in its 400.

export type Params = Record<string, string | null>;

function parseParams(text: string): Params {
  const params: Params = {};
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = null;
    else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return params;
}

function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`))
    .join('');
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

export function parseVia(value: string): Via | null {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;:\s]+|\[[^\]]+\])(?::(\d+))?\s*(;.*)?$/i.exec(value.trim());
  if (!m) return null;
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { transport: m[1]!.toUpperCase(), host: m[2]!, port, params: parseParams(m[4] ?? '') };
}

export function formatVia(via: Via): string {
  return `SIP/2.0/${via.transport} ${via.host}${via.port ? `:${via.port}` : ''}${formatParams(via.params)}`;
}

export interface SipUri {
  scheme: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  /** Anything after '?', kept verbatim. */
  headers?: string;
}

export function parseUri(text: string): SipUri | null {
  const m = /^(sips?|tel):(?:([^:@;?]*)(?::([^@;?]*))?@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?((?:;[^?]*)?)(?:\?(.*))?$/i.exec(text.trim());
  if (!m) return null;
  const port = m[5] ? Number(m[5]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return {
    scheme: m[1]!.toLowerCase(),
    user: m[2] || undefined,
    password: m[3],
    host: m[4]!,
    port,
    params: parseParams(m[6] ?? ''),
    headers: m[7],
  };
}

export function formatUri(uri: SipUri): string {
  const userinfo = uri.user ? `${uri.user}${uri.password !== undefined ? `:${uri.password}` : ''}@` : '';
  return `${uri.scheme}:${userinfo}${uri.host}${uri.port ? `:${uri.port}` : ''}${formatParams(uri.params)}${uri.headers ? `?${uri.headers}` : ''}`;
}

export interface NameAddr {
  display?: string;
  uri: string;
  params: Params;
}

/** From/To/Contact/Route: `"Name" <uri>;params` or a bare `uri;params` (params then belong to the header). */
export function parseNameAddr(value: string): NameAddr | null {
  const v = value.trim();
  const angle = /^(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>\s*(.*)$/.exec(v);
  if (angle) {
    const display = angle[1] ?? (angle[2]?.trim() || undefined);
    if (!angle[3]) return null;
    return { display, uri: angle[3].trim(), params: parseParams(angle[4] ?? '') };
  }
  if (v === '*') return { uri: '*', params: {} };
  const semi = v.indexOf(';');
  const uri = semi < 0 ? v : v.slice(0, semi);
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) return null;
  return { uri, params: parseParams(semi < 0 ? '' : v.slice(semi)) };
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display ? `"${na.display.replace(/"/g, '\\"')}" ` : '';
  return `${display}<${na.uri}>${formatParams(na.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq | null {
  const m = /^(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(value.trim());
  if (!m) return null;
  const seq = Number(m[1]);
  if (seq > 0xffffffff) return null;
  return { seq, method: m[2]!.toUpperCase() };
}

export interface AuthHeader {
  scheme: string;
  params: Record<string, string>;
}

/** `Digest realm="x", nonce="y", qop="auth"` (WWW-Authenticate, Authorization and friends). */
export function parseAuth(value: string): AuthHeader | null {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  const rest = m[2]!;
  let match: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (match = re.exec(rest))) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
  }
  if (re.lastIndex < rest.trim().length && Object.keys(params).length === 0) return null;
  return { scheme: m[1]!, params };
}

export function formatAuth(scheme: string, params: Record<string, string>, unquoted: string[] = []): string {
  const parts = Object.entries(params).map(([k, v]) => (unquoted.includes(k) ? `${k}=${v}` : `${k}="${v}"`));
  return `${scheme} ${parts.join(', ')}`;
}

export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const na = parseNameAddr(value);
  const tag = na?.params['tag'];
  return tag ?? undefined;
}
