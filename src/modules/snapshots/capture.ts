// Taking one JPEG of a camera, cheapest first (issue 5): (a) a keyframe of a pull the gateway
// already runs (no camera connection, one keyframe decode), (b) the camera's ONVIF snapshot URI,
// (c) a short pull of its own. Every attempt is bounded; FFmpeg runs in its own process group.
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../log.js';
import { redactUrl } from '../../log.js';
import { killGroup, spawnInOwnGroup } from '../../protocols/ffmpeg/childGroup.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { StreamRole } from '../../domain/camera.js';
import type { OnvifFacts } from '../../store/cameraOnvif.js';
import type { FrameLease, FrameProvider, TsSink } from '../media/engine.js';
import type { CapturedJpeg } from './files.js';
import { getWithAuth } from './httpGet.js';
import { isAtLeastCif, jpegSize } from './jpeg.js';

/** The camera's streams as the media engine sees them (CameraStreams). */
export interface StreamLookup {
  onvifFacts(cam: StoredCamera): OnvifFacts | undefined;
  streams(cam: StoredCamera): Array<{ role: StreamRole; url: string; width?: number; height?: number }>;
}

export interface CaptureOptions {
  /** FFmpeg binary (read at each capture: the daemon finds it when media starts); without it only the ONVIF snapshot URI is tried. */
  ffmpeg?: string | (() => string | undefined);
  /**
   * The daemon's camera streams: with them every frame comes through the one pull per camera stream
   * (never a session of the snapshot's own). undefined in the CLI, which has no access to them.
   */
  frames?: FrameProvider;
  streams: StreamLookup;
  rtspTransport: 'tcp' | 'udp';
  timeoutMs: number;
  /** FFmpeg -q:v, 2–31. */
  jpegQuality: number;
  log: Logger;
}

export class CaptureError extends Error {
  constructor(readonly attempts: string[]) {
    super(attempts.length ? attempts.join('; ') : 'no way to take a snapshot (no running pull, no ONVIF snapshot URI, no RTSP URL)');
    this.name = 'CaptureError';
  }
}

/**
 * argv of a one-frame JPEG grab. No stream-info wait (the SPS names the size; the default 5 s
 * analysis would dominate) and one decoder thread (frame threads hold frames back; one frame
 * needs no parallelism). Not `-skip_frame nokey`: probing then waits for a second keyframe.
 * The GOP cache starts on a keyframe, and for a pull the H.264 decoder outputs nothing before one.
 */
export function snapshotArgs(a: { input: 'pipe' | string; rtspTransport?: 'tcp' | 'udp'; timeoutS?: number; quality: number }): string[] {
  const input =
    a.input === 'pipe'
      ? ['-f', 'mpegts', '-i', 'pipe:0']
      : [...(/^rtsps?:/i.test(a.input) ? ['-rtsp_transport', a.rtspTransport ?? 'tcp', '-timeout', String(Math.round((a.timeoutS ?? 5) * 1e6))] : []), '-i', a.input];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-analyzeduration',
    '0',
    '-probesize',
    '32768',
    ...input,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-q:v',
    String(a.quality),
    '-c:v',
    'mjpeg',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}

/** Runs FFmpeg for one JPEG; `feed` gets its stdin when the input is a pipe. */
export function runJpegFfmpeg(ffmpeg: string, args: string[], timeoutMs: number, feed?: (stdin: TsSink) => () => void): Promise<Buffer> {
  const { child, exited } = spawnInOwnGroup(ffmpeg, args, { stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString('utf8')).slice(-2000);
  });
  const stopFeed = feed && child.stdin ? feed(child.stdin) : undefined;
  return new Promise<Buffer>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killGroup(child as ChildProcess, exited, 0);
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      stopFeed?.();
      child.stdin?.destroy();
      // Anything the leader left in its group goes too.
      void killGroup(child, exited, 0);
      const jpeg = Buffer.concat(out);
      if (timedOut) reject(new Error(`no frame within ${timeoutMs / 1000} s`));
      else if (child.exitCode === 0 && jpeg.length > 0) resolve(jpeg);
      else reject(new Error(`ffmpeg ${child.exitCode ?? child.signalCode}: ${lastLine(err) || 'no picture'}`));
    });
  });
}

const lastLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .filter((l) => !/deprecated pixel format/.test(l))
    .pop()
    ?.trim() ?? '';

function checked(jpeg: Buffer, source: CapturedJpeg['source'], from: string): CapturedJpeg {
  const size = jpegSize(jpeg);
  if (!size) throw new Error(`${from}: not a JPEG`);
  if (!isAtLeastCif(size)) throw new Error(`${from}: ${size.width}x${size.height} is smaller than CIF`);
  return { jpeg, ...size, source, from };
}

const ROLE_ORDER: readonly (StreamRole | undefined)[] = ['main', 'third', 'sub', undefined];

export class SnapshotCapture {
  constructor(private readonly o: CaptureOptions) {}

  private get ffmpeg(): string | undefined {
    return typeof this.o.ffmpeg === 'function' ? this.o.ffmpeg() : this.o.ffmpeg;
  }

  /** One JPEG of at least CIF, by the first way that works; CaptureError lists why each failed. */
  async capture(cam: StoredCamera): Promise<CapturedJpeg> {
    const attempts: string[] = [];
    for (const way of [() => this.fromStream(cam), () => this.fromOnvif(cam), () => this.byPull(cam)]) {
      try {
        const got = await way();
        if (got) return got;
      } catch (e) {
        attempts.push(e instanceof CaptureError ? e.attempts.join('; ') : (e as Error).message);
      }
    }
    throw new CaptureError(attempts.filter(Boolean));
  }

  /** (a) From the GOP cache of a running pull (or one still connecting): one keyframe decode, no camera connection. */
  async fromStream(cam: StoredCamera): Promise<CapturedJpeg | undefined> {
    const lease = this.ffmpeg ? this.o.frames?.frames(cam.record.cameraNum, { prefer: 'largest' }) : undefined;
    return lease && this.fromLease(lease, this.ffmpeg!, 'stream', `running ${lease.stream} pull`);
  }

  /** One JPEG from a held pull: its keyframe cache starts the decode on a keyframe. */
  private async fromLease(lease: FrameLease, ffmpeg: string, source: CapturedJpeg['source'], from: string): Promise<CapturedJpeg> {
    try {
      await lease.whenReady(this.o.timeoutMs);
      const jpeg = await runJpegFfmpeg(ffmpeg, snapshotArgs({ input: 'pipe', quality: this.o.jpegQuality }), this.o.timeoutMs, (sink) => lease.attach(sink));
      return checked(jpeg, source, from);
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(from) ? msg : `${from}: ${msg}`);
    } finally {
      lease.release();
    }
  }

  /** (b) The camera's own JPEG from its ONVIF snapshot URI (main profile first), with its ONVIF account. */
  async fromOnvif(cam: StoredCamera): Promise<CapturedJpeg | undefined> {
    const facts = this.o.streams.onvifFacts(cam);
    const uris = ROLE_ORDER.flatMap((role) => (facts?.profiles ?? []).filter((p) => p.role === role && p.snapshotUri).map((p) => p.snapshotUri!));
    const errors: string[] = [];
    for (const uri of [...new Set(uris)]) {
      const from = `ONVIF snapshot ${redactUrl(uri)}`;
      try {
        const res = await getWithAuth(uri, { user: cam.access.onvifUser, password: cam.access.onvifPassword }, { timeoutMs: this.o.timeoutMs });
        if (res.status !== 200) throw new Error(`${from}: HTTP ${res.status}`);
        return checked(res.body, 'onvif', from);
      } catch (e) {
        const msg = (e as Error).message;
        errors.push(msg.startsWith(from) ? msg : `${from}: ${msg}`);
      }
    }
    if (errors.length) throw new CaptureError(errors);
    return undefined;
  }

  /**
   * (c) A short pull (the daemon's shared pull of that stream, else one of its own): a stream known to be at least CIF and smallest first (the camera
   * network is the scarce link), then the others, main before sub.
   */
  async byPull(cam: StoredCamera): Promise<CapturedJpeg | undefined> {
    const ffmpeg = this.ffmpeg;
    if (!ffmpeg) return undefined;
    const streams = this.o.streams.streams(cam);
    const known = streams
      .filter((s) => s.width !== undefined && s.height !== undefined && isAtLeastCif({ width: s.width, height: s.height }))
      .sort((a, b) => a.width! * a.height! - b.width! * b.height!);
    const rest = ROLE_ORDER.flatMap((r) => streams.filter((s) => s.role === r && !known.includes(s)));
    const errors: string[] = [];
    for (const s of [...known, ...rest]) {
      const from = `${s.role} stream pull`;
      try {
        const lease = s.role ? this.o.frames?.frames(cam.record.cameraNum, { stream: s.role }) : undefined;
        if (lease) return await this.fromLease(lease, ffmpeg, 'pull', from);
        const jpeg = await runJpegFfmpeg(
          ffmpeg,
          snapshotArgs({ input: s.url, rtspTransport: this.o.rtspTransport, timeoutS: this.o.timeoutMs / 1000, quality: this.o.jpegQuality }),
          this.o.timeoutMs,
        );
        return checked(jpeg, 'pull', from);
      } catch (e) {
        const msg = (e as Error).message;
        errors.push(msg.startsWith(from) ? msg : `${from}: ${msg}`);
      }
    }
    if (errors.length) throw new CaptureError(errors);
    return undefined;
  }
}
