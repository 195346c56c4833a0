// SIP messages as data: parse from bytes tolerant of what real GB/T 28181 devices send, serialise
// to bytes. Bodies stay Buffers so GB2312 MANSCDP survives untouched; only the header section is
// decoded (as UTF-8, which is a superset of the ASCII the grammar needs).

export interface SipHeader {
  /** Canonical lower-case long form ("via", "call-id"), whatever case or compact form came in. */
  name: string;
  value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export type ParseResult =
  | { ok: true; message: SipMessage; notes: string[] }
  | { ok: false; error: string; /** Set when the start line was a request: a 400 may be possible. */ partial?: SipRequest };

// RFC 3261 §7.3.3 and the IANA registry of compact forms.
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
};

// Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1); split on input so
// callers always see one entry per value.
const LIST_HEADERS = new Set(['via', 'route', 'record-route', 'contact']);

// Canonical spellings on output; anything else is written Title-Cased.
const OUTPUT_NAMES: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
  'user-agent': 'User-Agent',
  'mime-version': 'MIME-Version',
};

export function canonicalHeaderName(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

function outputHeaderName(name: string): string {
  return OUTPUT_NAMES[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** Splits on commas outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depthAngle++;
    else if (ch === '>') depthAngle = Math.max(0, depthAngle - 1);
    else if (ch === ',' && depthAngle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

/** Where the header section ends: CRLFCRLF, or bare LFLF from sloppy stacks. */
export function findHeaderEnd(buf: Buffer, from = 0): { headerEnd: number; bodyStart: number } | null {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return null;
}

const REQUEST_LINE = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0\s*$/i;
const STATUS_LINE = /^SIP\/2\.0\s+(\d{3})(?:\s+(.*))?$/i;
const HEADER_NAME = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/**
 * Parses one message. `datagram` means the bytes are a whole UDP datagram: a missing
 * Content-Length then means "the rest is the body" (RFC 3261 §18.3); on a stream the framer has
 * already cut the message by its Content-Length.
 */
export function parseMessage(buf: Buffer, datagram: boolean): ParseResult {
  let offset = 0;
  // Leading CRLFs are keep-alive pings or stream padding (RFC 3261 §7.5, RFC 5626).
  while (offset < buf.length && (buf[offset] === 0x0d || buf[offset] === 0x0a)) offset++;
  const ends = findHeaderEnd(buf, offset);
  const headText = buf.subarray(offset, ends ? ends.headerEnd : buf.length).toString('utf8');
  const lines = headText.split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trim();
  const notes: string[] = [];

  let message: SipMessage;
  const req = REQUEST_LINE.exec(startLine);
  const res = req ? null : STATUS_LINE.exec(startLine);
  if (req) {
    message = { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]!, headers: [], body: Buffer.alloc(0) };
  } else if (res) {
    message = { kind: 'response', status: Number(res[1]), reason: res[2]?.trim() ?? '', headers: [], body: Buffer.alloc(0) };
  } else {
    return { ok: false, error: `bad start line ${JSON.stringify(startLine.slice(0, 60))}` };
  }
  const partial = message.kind === 'request' ? message : undefined;

  // Unfold continuation lines (RFC 3261 §7.3.1) before reading headers.
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ' ' + line.trim();
    else if (line.length > 0) unfolded.push(line);
  }
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    const rawName = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(rawName)) {
      return { ok: false, error: `malformed header line ${JSON.stringify(line.slice(0, 60))}`, partial };
    }
    const name = canonicalHeaderName(rawName);
    const value = line.slice(colon + 1).trim();
    if (LIST_HEADERS.has(name) && value !== '*') {
      for (const part of splitList(value)) message.headers.push({ name, value: part });
    } else message.headers.push({ name, value });
  }

  const available = ends ? buf.subarray(ends.bodyStart) : Buffer.alloc(0);
  const lengths = message.headers.filter((h) => h.name === 'content-length');
  if (lengths.length > 1 && new Set(lengths.map((h) => h.value)).size > 1) {
    return { ok: false, error: 'conflicting Content-Length headers', partial };
  }
  const clText = lengths[0]?.value;
  if (clText === undefined) {
    message.body = datagram ? Buffer.from(available) : Buffer.alloc(0);
    if (datagram && available.length > 0) notes.push('no Content-Length: body taken to the end of the datagram');
  } else {
    if (!/^\d+$/.test(clText)) return { ok: false, error: `Content-Length is not a number: ${JSON.stringify(clText.slice(0, 20))}`, partial };
    const declared = Number(clText);
    if (declared > available.length) {
      return { ok: false, error: `Content-Length ${declared} is larger than the ${available.length} bytes received`, partial };
    }
    message.body = Buffer.from(available.subarray(0, declared));
  }
  return { ok: true, message, notes };
}

export function serializeMessage(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const h of msg.headers) {
    if (h.name === 'content-length') continue;
    lines.push(`${outputHeaderName(h.name)}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), msg.body]);
}

export function header(msg: SipMessage, name: string): string | undefined {
  const n = canonicalHeaderName(name);
  return msg.headers.find((h) => h.name === n)?.value;
}

export function headers(msg: SipMessage, name: string): string[] {
  const n = canonicalHeaderName(name);
  return msg.headers.filter((h) => h.name === n).map((h) => h.value);
}

/** Replaces every entry of `name` with one value (or removes them when value is undefined). */
export function setHeader(msg: SipMessage, name: string, value: string | undefined): void {
  const n = canonicalHeaderName(name);
  const at = msg.headers.findIndex((h) => h.name === n);
  msg.headers = msg.headers.filter((h) => h.name !== n);
  if (value !== undefined) msg.headers.splice(at < 0 ? msg.headers.length : at, 0, { name: n, value });
}

export function addHeader(msg: SipMessage, name: string, value: string, first = false): void {
  const entry = { name: canonicalHeaderName(name), value };
  if (first) msg.headers.unshift(entry);
  else msg.headers.push(entry);
}

export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  513: 'Message Too Large',
};

/** A response to `req` (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied; To tag added. */
export function makeResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const res: SipResponse = { kind: 'response', status, reason: reason ?? REASONS[status] ?? 'Unknown', headers: [], body: Buffer.alloc(0) };
  for (const h of req.headers) {
    if (h.name === 'via' || h.name === 'from' || h.name === 'call-id' || h.name === 'cseq' || h.name === 'record-route') {
      res.headers.push({ ...h });
    } else if (h.name === 'to') {
      const hasTag = /;\s*tag=/i.test(h.value);
      res.headers.push({ name: 'to', value: hasTag || !toTag || status === 100 ? h.value : `${h.value};tag=${toTag}` });
    }
  }
  return res;
}
