// Parser of FFmpeg's `-progress` output: key=value lines, one block per stats period, closed by
// `progress=continue|end`. Parsed line by line, never per `data` chunk (ARCHITECTURE §3).
// Hand-written: the format is a dozen keys and no maintained npm parser for it exists.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface ProgressUpdate {
  frame: number;
  fps: number;
  bitrateKbps?: number;
  totalSize?: number;
  outTimeUs?: number;
  dupFrames?: number;
  dropFrames?: number;
  speed?: number;
  end: boolean;
}

/**
 * Splits a byte stream into lines, whatever the chunk boundaries (mid-line, mid-UTF-8
 * sequence, `\r\n`). A line longer than `maxLine` is cut so a runaway writer cannot grow memory.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.pending.length > this.maxLine) {
      const line = this.pending;
      this.pending = '';
      this.onLine(line);
    }
  }

  /** Emits the last unterminated line, if any. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) {
      const line = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
      this.pending = '';
      this.onLine(line);
    }
  }
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Accumulates key=value lines; returns an update when a block closes. */
export class ProgressParser {
  private block = new Map<string, string>();

  /** Feed one line (without its newline). */
  push(line: string): ProgressUpdate | undefined {
    const eq = line.indexOf('=');
    if (eq <= 0) return undefined;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.block.set(key, value);
      return undefined;
    }
    const update = toUpdate(this.block, value === 'end');
    this.block = new Map();
    return update;
  }
}

function toUpdate(b: Map<string, string>, end: boolean): ProgressUpdate {
  const u: ProgressUpdate = { frame: num(b.get('frame')) ?? 0, fps: num(b.get('fps')) ?? 0, end };
  // "1234.5kbits/s"; parseFloat stops at the unit.
  const bitrate = num(b.get('bitrate'));
  if (bitrate !== undefined) u.bitrateKbps = bitrate;
  const totalSize = num(b.get('total_size'));
  if (totalSize !== undefined) u.totalSize = totalSize;
  // out_time_ms is microseconds too (a long-standing FFmpeg misnomer); before the first packet
  // FFmpeg prints a negative out_time, which means "not known yet".
  const outTimeUs = num(b.get('out_time_us') ?? b.get('out_time_ms'));
  if (outTimeUs !== undefined && outTimeUs >= 0) u.outTimeUs = outTimeUs;
  const dup = num(b.get('dup_frames'));
  if (dup !== undefined) u.dupFrames = dup;
  const drop = num(b.get('drop_frames'));
  if (drop !== undefined) u.dropFrames = drop;
  const speed = num(b.get('speed'));
  if (speed !== undefined) u.speed = speed;
  return u;
}

/**
 * Reads `-progress` output from `stream` and calls `onUpdate` per block. Returns a function that
 * detaches the listeners; any unterminated trailing line is flushed when the stream ends.
 */
export function parseProgressStream(stream: Readable, onUpdate: (u: ProgressUpdate) => void): () => void {
  const parser = new ProgressParser();
  const splitter = new LineSplitter((line) => {
    const u = parser.push(line);
    if (u) onUpdate(u);
  });
  const onData = (chunk: Buffer | string) => splitter.push(chunk);
  const onEnd = () => splitter.end();
  stream.on('data', onData);
  stream.on('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
  };
}

/** True when `next` shows the output moved on since `prev` (frames, bytes or media time). */
export function progressAdvanced(prev: ProgressUpdate | undefined, next: ProgressUpdate): boolean {
  if (!prev) return next.frame > 0 || (next.totalSize ?? 0) > 0 || (next.outTimeUs ?? 0) > 0;
  return (
    next.frame > prev.frame ||
    (next.totalSize ?? 0) > (prev.totalSize ?? 0) ||
    (next.outTimeUs ?? 0) > (prev.outTimeUs ?? 0)
  );
}
