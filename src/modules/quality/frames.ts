// Decoded frames for the quality diagnosis: FFmpeg decodes and scales to a small analysis size
// and writes rawvideo yuv420p on stdout, which is cut into Frames here. Bounded by frame count and
// time; FFmpeg runs in its own process group and is killed on every way out, so no child is left.
import type { ChildProcess } from 'node:child_process';
import { killGroup, spawnInOwnGroup } from '../../protocols/ffmpeg/childGroup.js';
import { redactArgs, StderrRing } from '../../protocols/ffmpeg/stderrRing.js';
import type { Frame } from './types.js';

/**
 * 320×180: 16:9 like most road cameras, and 57.6 k luma samples, so a 2 s burst (50 frames) is
 * 4.3 MB and diagnoses in tens of ms of Node CPU. Smaller (176×144) would hide blur and noise
 * that are still plain on a CIF or D1 sub-stream; larger only costs more.
 */
export const ANALYSIS_WIDTH = 320;
export const ANALYSIS_HEIGHT = 180;
/** 2 s at 25 fps: enough for a 1 Hz flicker period twice over and for freeze evidence. */
export const DEFAULT_MAX_FRAMES = 50;

export interface FrameReadOptions {
  width?: number;
  height?: number;
  /** Stop after this many frames (default 50). */
  maxFrames?: number;
  /** Read at most this many seconds of the input (URL inputs; `-t`). */
  seconds?: number;
  /** Kill FFmpeg and return what was read after this long (default 15 s). */
  timeoutMs?: number;
  ffmpegPath?: string;
  /** Called with FFmpeg's pid (also its process group) once spawned: for CPU accounting and tests. */
  onSpawn?: (pid: number) => void;
}

export type ClipInput = { url: string } | { stdin: 'mpegts' } | { image: string };

export interface FrameBurst {
  frames: Frame[];
  /** Why reading stopped. */
  ended: 'count' | 'eof' | 'timeout' | 'error';
  /** Last FFmpeg stderr lines (secrets redacted) when it failed or gave nothing. */
  error?: string;
}

function dims(opts: FrameReadOptions): { width: number; height: number } {
  const width = opts.width ?? ANALYSIS_WIDTH;
  const height = opts.height ?? ANALYSIS_HEIGHT;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width % 2 || height % 2) {
    throw new RangeError(`analysis size must be even integers ≥ 16, got ${width}x${height}`);
  }
  return { width, height };
}

/** The FFmpeg argv of a frame read (pure, golden-tested). */
export function frameReaderArgs(source: ClipInput, opts: FrameReadOptions = {}): string[] {
  const { width, height } = dims(opts);
  const maxFrames = opts.maxFrames ?? DEFAULT_MAX_FRAMES;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if ('url' in source) {
    if (/^rtsps?:/i.test(source.url)) args.push('-rtsp_transport', 'tcp');
    args.push('-i', source.url);
  } else if ('stdin' in source) {
    args.push('-f', 'mpegts', '-i', 'pipe:0');
  } else {
    args.push('-i', source.image);
  }
  if (opts.seconds !== undefined && !('image' in source)) args.push('-t', String(opts.seconds));
  args.push('-an', '-sn', '-dn', '-frames:v', String(maxFrames));
  // Fast bilinear is plenty for statistics and the cheapest scaler on a 1080p input.
  args.push('-vf', `scale=${width}:${height}:flags=bilinear,format=yuv420p`);
  args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1');
  return args;
}

/** Cuts a rawvideo yuv420p byte stream into Frames. */
export class FrameSplitter {
  readonly frameBytes: number;
  private readonly lumaBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  readonly frames: Frame[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.lumaBytes = width * height;
    this.frameBytes = (this.lumaBytes * 3) / 2;
  }

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= this.frameBytes) {
      const all = Buffer.concat(this.pending);
      // Copy out: Frames must not keep the big concatenated buffer alive.
      const raw = new Uint8Array(all.subarray(0, this.frameBytes));
      const c = this.lumaBytes / 4;
      this.frames.push({
        width: this.width,
        height: this.height,
        y: raw.subarray(0, this.lumaBytes),
        u: raw.subarray(this.lumaBytes, this.lumaBytes + c),
        v: raw.subarray(this.lumaBytes + c, this.lumaBytes + 2 * c),
      });
      const rest = all.subarray(this.frameBytes);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
  }
}

interface Running {
  child: ChildProcess;
  burst: Promise<FrameBurst>;
  stop(): Promise<void>;
}

function run(source: ClipInput, opts: FrameReadOptions): Running {
  const { width, height } = dims(opts);
  const maxFrames = opts.maxFrames ?? DEFAULT_MAX_FRAMES;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const args = frameReaderArgs(source, opts);
  const stdinMode = 'stdin' in source ? 'pipe' : 'ignore';
  const { child, exited } = spawnInOwnGroup(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: [stdinMode, 'pipe', 'pipe'] });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  const split = new FrameSplitter(width, height);
  const ring = new StderrRing(20);
  let ended: FrameBurst['ended'] | undefined;
  let spawnError: string | undefined;
  child.once('error', (err) => {
    spawnError = `cannot run ${opts.ffmpegPath ?? 'ffmpeg'}: ${err.message}`;
  });
  let stderrCarry = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    const lines = (stderrCarry + s).split('\n');
    stderrCarry = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) ring.push(l);
  });
  const stop = (): Promise<void> => killGroup(child, exited, 0);
  child.stdout?.on('data', (chunk: Buffer) => {
    if (ended) return;
    split.push(chunk);
    if (split.frames.length >= maxFrames) {
      ended = 'count';
      void stop();
    }
  });
  const timer = setTimeout(() => {
    ended ??= 'timeout';
    void stop();
  }, timeoutMs);
  const burst = exited.then(async () => {
    clearTimeout(timer);
    // The leader is gone; anything it left in its group goes too.
    await stop();
    if (stderrCarry.trim()) ring.push(stderrCarry);
    const frames = split.frames.slice(0, maxFrames);
    if (!ended) ended = spawnError || (child.exitCode !== 0 && frames.length === 0) ? 'error' : 'eof';
    const out: FrameBurst = { frames, ended };
    if (ended === 'error' || frames.length === 0) {
      out.error = spawnError ?? (ring.lines().join(' | ') || `ffmpeg ${redactArgs(args).join(' ')} gave no frames`);
    }
    return out;
  });
  return { child, burst, stop };
}

/** Up to maxFrames decoded frames of a URL (RTSP, file, …), within `seconds` of input and timeoutMs of wall time. */
export function readFrames(url: string, opts: FrameReadOptions = {}): Promise<FrameBurst> {
  return run({ url }, opts).burst;
}

/** One frame of a still image (a snapshot JPEG), scaled to the analysis size. */
export async function jpegToFrame(file: string, opts: Omit<FrameReadOptions, 'maxFrames' | 'seconds'> = {}): Promise<Frame> {
  const burst = await run({ image: file }, { ...opts, maxFrames: 1 }).burst;
  const f = burst.frames[0];
  if (!f) throw new Error(`cannot decode ${file}: ${burst.error ?? burst.ended}`);
  return f;
}

/** A writable end the media engine's MPEG-TS fan-out can feed (structurally its FanoutSink). */
export interface FrameSink {
  write(chunk: Buffer): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

export interface StreamFrameReader {
  /** Give to `TsFanout.subscribe`; it reports destroyed once reading is over, so the fan-out drops it. */
  sink: FrameSink;
  burst: Promise<FrameBurst>;
  /** The input is over (a finite feed): FFmpeg flushes and exits; `burst` then resolves. */
  end(): void;
  /** Ends reading now; `burst` resolves with what was read. */
  stop(): Promise<void>;
}

/** Decodes an MPEG-TS byte stream written to `sink` (a running pull's bytes) into a burst of frames. */
export function framesFromStream(opts: FrameReadOptions = {}): StreamFrameReader {
  const r = run({ stdin: 'mpegts' }, opts);
  let done = false;
  void r.burst.then(() => {
    done = true;
  });
  const stdin = r.child.stdin;
  const sink: FrameSink = {
    write(chunk: Buffer): boolean {
      if (done || !stdin || stdin.destroyed || !stdin.writable) return false;
      return stdin.write(chunk);
    },
    get writableLength(): number {
      return stdin?.writableLength ?? 0;
    },
    get destroyed(): boolean {
      return done || !stdin || stdin.destroyed;
    },
  };
  return {
    sink,
    burst: r.burst,
    end: () => {
      if (stdin && !stdin.destroyed) stdin.end();
    },
    stop: async () => {
      await r.stop();
      await r.burst;
    },
  };
}
