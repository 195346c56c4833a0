// Hand-written RTSP 1.0 (RFC 2326) message framing for the camera simulator; the npm RTSP packages
// are unmaintained or relay-only. Requests in, responses out, and the `$` interleaved frames
// (§10.12) that share the TCP connection with them.

export interface RtspRequest {
  method: string;
  uri: string;
  /** Names lower-cased; folded continuation lines joined with a space. */
  headers: Map<string, string>;
  cseq: string;
}

export interface RtspResponse {
  status: number;
  headers?: Array<[string, string]>;
  body?: string;
  /** Close the connection after this answer (the input can no longer be framed, or a bad request). */
  close?: boolean;
}

/** What the head of a connection's input holds. */
export type Incoming =
  | { type: 'incomplete' }
  /** An interleaved frame from the client (RTCP receiver reports), `size` bytes with its header. */
  | { type: 'interleaved'; size: number }
  /** A request and its body, `size` bytes in all; the body is not used. */
  | { type: 'request'; request: RtspRequest; size: number }
  /** Input that cannot be framed: answer `status` and close. */
  | { type: 'invalid'; status: number; cseq?: string };

export const INTERLEAVED_MAGIC = 0x24; // '$'
export const INTERLEAVED_HEADER_LENGTH = 4;
const MAX_HEADER_BYTES = 8192;
const MAX_BODY_BYTES = 64 * 1024;
const SERVER_NAME = 'vcgw-sim-camera/1.0';

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'RTSP Version Not Supported',
};

export function writeInterleavedHeader(target: Buffer, offset: number, channel: number, length: number): void {
  target[offset] = INTERLEAVED_MAGIC;
  target[offset + 1] = channel;
  target.writeUInt16BE(length, offset + 2);
}

export function interleavedFrame(channel: number, packet: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(INTERLEAVED_HEADER_LENGTH + packet.length);
  writeInterleavedHeader(frame, 0, channel, packet.length);
  packet.copy(frame, INTERLEAVED_HEADER_LENGTH);
  return frame;
}

/** Frames the message at the head of `buf`. */
export function readIncoming(buf: Buffer): Incoming {
  if (buf[0] === INTERLEAVED_MAGIC) {
    if (buf.length < INTERLEAVED_HEADER_LENGTH) return { type: 'incomplete' };
    const size = INTERLEAVED_HEADER_LENGTH + buf.readUInt16BE(2);
    return buf.length < size ? { type: 'incomplete' } : { type: 'interleaved', size };
  }
  const headerEnd = findHeaderEnd(buf);
  if (headerEnd === undefined || headerEnd.start > MAX_HEADER_BYTES) {
    return buf.length > MAX_HEADER_BYTES ? { type: 'invalid', status: 400 } : { type: 'incomplete' };
  }
  const parsed = parseRequestHead(buf.subarray(0, headerEnd.start).toString('latin1'));
  if ('error' in parsed) return { type: 'invalid', status: parsed.error, cseq: parsed.cseq };
  const lengthHeader = parsed.headers.get('content-length') ?? '0';
  if (!/^\d{1,9}$/.test(lengthHeader) || Number(lengthHeader) > MAX_BODY_BYTES) {
    return { type: 'invalid', status: 400, cseq: parsed.cseq };
  }
  const size = headerEnd.end + Number(lengthHeader);
  return buf.length < size ? { type: 'incomplete' } : { type: 'request', request: parsed, size };
}

export function serialiseResponse(cseq: string | undefined, res: RtspResponse, now = new Date()): Buffer {
  const lines = [`RTSP/1.0 ${res.status} ${REASONS[res.status] ?? 'Error'}`];
  if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
  lines.push(`Server: ${SERVER_NAME}`, `Date: ${now.toUTCString()}`);
  for (const [k, v] of res.headers ?? []) lines.push(`${k}: ${v}`);
  const body = res.body === undefined ? undefined : Buffer.from(res.body, 'utf8');
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return body ? Buffer.concat([head, body]) : head;
}

/** The session id of a request's Session header, without its `;timeout=` parameter. */
export function requestSessionId(req: RtspRequest): string | undefined {
  const v = req.headers.get('session');
  if (v === undefined) return undefined;
  return v.split(';')[0]!.trim();
}

function findHeaderEnd(buf: Buffer): { start: number; end: number } | undefined {
  // Bare-LF line ends are accepted too: some clients and hand-typed requests send them.
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return undefined;
  if (lf !== -1 && (crlf === -1 || lf < crlf)) return { start: lf, end: lf + 2 };
  return { start: crlf, end: crlf + 4 };
}

type ParsedHead = RtspRequest | { error: number; cseq?: string };

function parseRequestHead(text: string): ParsedHead {
  const lines = text.split(/\r?\n/);
  const requestLine = lines.shift() ?? '';
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) return { error: 400 };
    last = m[1]!.toLowerCase();
    headers.set(last, m[2]!.trim());
  }
  const cseqRaw = headers.get('cseq');
  const cseq = cseqRaw !== undefined && /^\d{1,10}$/.test(cseqRaw) ? cseqRaw : undefined;
  const parts = requestLine.split(' ');
  if (parts.length !== 3 || !/^[A-Z_]{1,32}$/.test(parts[0]!) || !/^\S{1,4096}$/.test(parts[1]!)) return { error: 400, cseq };
  if (!/^RTSP\/\d\.\d$/.test(parts[2]!)) return { error: 400, cseq };
  if (parts[2] !== 'RTSP/1.0') return { error: 505, cseq };
  if (cseq === undefined) return { error: 400 };
  return { method: parts[0]!, uri: parts[1]!, headers, cseq };
}
