// The last lines FFmpeg wrote to stderr, kept for the error and the status instead of being
// streamed to the log (ARCHITECTURE §6), with URL secrets redacted at the boundary (§7).

// Greedy up to the last '@' of the authority, so an unescaped '@' inside a password is covered too.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"]+@/gi;
// RTMP push URLs carry their auth token in the query string (province push addresses do).
// The lookahead leaves FFmpeg's "url: message" colon in place.
const RTMP_QUERY = /\b(rtmp[st]?e?:\/\/[^\s?'"]*)\?[^\s'"]*?(?=:?(?:[\s'"]|$))/gi;

/** `rtsp://user:pass@host/x` → `rtsp://***@host/x`; `rtmp://h/app/s?token=1` → `rtmp://h/app/s?***`. */
export function redactSecrets(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(RTMP_QUERY, '$1?***');
}

/** For logging an argv: every element redacted. */
export function redactArgs(args: readonly string[]): string[] {
  return args.map(redactSecrets);
}

// What FFmpeg says when something goes wrong; used to pick the lines worth putting in lastError.
const ERROR_LIKE =
  /error|failed|fail to|invalid|cannot|can't|could not|unable|refused|timed out|timeout|not found|denied|no such|unauthori[sz]ed|forbidden|broken pipe|end of file|i\/o|conversion failed|no route|unreachable|reset by peer|not supported|unsupported/i;

export function looksLikeError(line: string): boolean {
  return ERROR_LIKE.test(line);
}

export class StderrRing {
  private readonly buf: string[] = [];

  constructor(readonly capacity = 100) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`stderr ring capacity must be a positive integer, got ${capacity}`);
  }

  push(line: string): void {
    if (this.buf.length === this.capacity) this.buf.shift();
    this.buf.push(redactSecrets(line));
  }

  /** Oldest first. */
  lines(): string[] {
    return [...this.buf];
  }

  /** The last `max` lines that look like errors, oldest first. */
  errorLines(max = 5): string[] {
    return this.buf.filter(looksLikeError).slice(-max);
  }

  get size(): number {
    return this.buf.length;
  }

  clear(): void {
    this.buf.length = 0;
  }
}
