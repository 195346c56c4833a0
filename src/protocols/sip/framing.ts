// Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3), refusing a
// header section or a body larger than the configured maximum.
import { canonicalHeaderName, findHeaderEnd } from './message.js';

export type Frame = { kind: 'message'; bytes: Buffer } | { kind: 'oversized'; head: Buffer; reason: string };

export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);
  /** Set once the stream is beyond repair (oversized): the connection must be closed. */
  broken = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Frame[] {
    if (this.broken) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      // CRLF keep-alives between messages (RFC 5626 §3.5.1) are skipped.
      let start = 0;
      while (start < this.pending.length && (this.pending[start] === 0x0d || this.pending[start] === 0x0a)) start++;
      if (start > 0) this.pending = this.pending.subarray(start);
      if (this.pending.length === 0) break;
      const ends = findHeaderEnd(this.pending);
      if (!ends) {
        if (this.pending.length > this.maxMessageBytes) {
          frames.push(this.fail(this.pending.subarray(0, 2048), `header section over ${this.maxMessageBytes} bytes`));
        }
        break;
      }
      const head = this.pending.subarray(0, ends.headerEnd);
      const length = contentLength(head.toString('latin1'));
      if (length === 'bad') {
        frames.push(this.fail(head, 'Content-Length is not a number'));
        break;
      }
      const total = ends.bodyStart + length;
      if (total > this.maxMessageBytes) {
        frames.push(this.fail(head, `message of ${total} bytes over ${this.maxMessageBytes}`));
        break;
      }
      if (this.pending.length < total) break;
      frames.push({ kind: 'message', bytes: Buffer.from(this.pending.subarray(0, total)) });
      this.pending = this.pending.subarray(total);
    }
    return frames;
  }

  private fail(head: Buffer, reason: string): Frame {
    this.broken = true;
    this.pending = Buffer.alloc(0);
    return { kind: 'oversized', head: Buffer.from(head), reason };
  }
}

/** A missing Content-Length on a stream means no body (RFC 3261 §20.14 makes it mandatory there). */
function contentLength(head: string): number | 'bad' {
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || canonicalHeaderName(line.slice(0, colon)) !== 'content-length') continue;
    const v = line.slice(colon + 1).trim();
    return /^\d{1,9}$/.test(v) ? Number(v) : 'bad';
  }
  return 0;
}
