// The first decodable frame of a push at the RTMP server (the latency figure of issue 3).
import { redactUrl } from '../../log.js';
import { killGroup, spawnInOwnGroup } from '../../protocols/ffmpeg/childGroup.js';
import { StderrRing } from '../../protocols/ffmpeg/stderrRing.js';
import type { RtmpStreamStat } from './nginx.js';

export interface FirstFrameOptions {
  timeoutMs: number;
  ffmpegPath?: string;
  /**
   * The server's stats (RtmpServer.stats): `ready` then also waits until the server lists the
   * reader on the stream. Without it, `ready` means the play command is sent — enough to order a
   * publisher started afterwards (its publish takes several round trips), not to read stats.
   */
  stats?: () => Promise<RtmpStreamStat[]>;
}

export interface FirstFrameWaiter {
  /** The reader is connected and has asked the server to play the stream. */
  ready: Promise<void>;
  /** Date.now() when the reader had the first decoded video frame. */
  firstFrame: Promise<number>;
  close(): Promise<void>;
}

/**
 * ffmpeg argv of the first-frame reader (pure). Measured on nginx-rtmp with FFmpeg 5.1 (see the
 * rtmp-server test): with the default probe (5 s analyzeduration) the reader holds the first frame
 * until it has seen audio — ≈1.9 s after the publisher starts with an AAC track, ≈5.3 s without
 * one, because the FLV header FFmpeg's RTMP client builds always announces audio. A 32-byte,
 * zero-duration probe hands the first keyframe to the decoder at once, audio or not.
 * `-fflags nobuffer` must NOT be used: it discards the packets read while probing, so the first
 * GOP is lost and the frame comes one GOP later.
 */
export function firstFrameArgs(url: string): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    // "Sending play command" is logged at debug level only; it is the "connected, waiting" signal.
    '-loglevel',
    'debug',
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-threads',
    '1',
    '-i',
    url,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-fps_mode',
    'passthrough',
    // A tiny raw frame on stdout: its first byte is the moment the frame was decoded.
    '-vf',
    'scale=16:16',
    '-pix_fmt',
    'gray',
    '-f',
    'rawvideo',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

const PLAY_SENT = /Sending play command for/;

/**
 * Starts an RTMP reader that waits for `url` (nginx-rtmp lets a player wait for a stream that is
 * not published yet) and reports when the first decoded video frame is out.
 */
export function waitFirstFrame(url: string, opts: FirstFrameOptions): FirstFrameWaiter {
  const { child, exited } = spawnInOwnGroup(opts.ffmpegPath ?? 'ffmpeg', firstFrameArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
  const ring = new StderrRing(40);
  const why = (what: string): Error =>
    new Error(`waitFirstFrame ${redactUrl(url)}: ${what}${ring.size ? ` — ${ring.errorLines(5).join(' | ') || ring.lines().slice(-3).join(' | ')}` : ''}`);

  let readyResolve!: () => void;
  let readyReject!: (err: Error) => void;
  const ready = new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  let frameResolve!: (at: number) => void;
  let frameReject!: (err: Error) => void;
  const firstFrame = new Promise<number>((res, rej) => ((frameResolve = res), (frameReject = rej)));
  // A caller may await only one of them; the other must not become an unhandled rejection.
  ready.catch(() => undefined);
  firstFrame.catch(() => undefined);

  let isReady = false;
  let done = false;
  let pending = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    pending += s;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      ring.push(line);
      if (!isReady && PLAY_SENT.test(line)) {
        isReady = true;
        if (opts.stats) void untilListed(opts.stats, streamOf(url), () => done).then(readyResolve, readyReject);
        else readyResolve();
      }
    }
  });
  child.stdout?.on('data', () => {
    if (done) return;
    done = true;
    frameResolve(Date.now());
    readyResolve();
  });
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    const err = why(`no decoded frame within ${opts.timeoutMs} ms`);
    frameReject(err);
    readyReject(err);
    void killGroup(child, exited, 0);
  }, opts.timeoutMs);
  child.once('error', (err) => {
    const e = why(`cannot run ffmpeg: ${err.message}`);
    readyReject(e);
    frameReject(e);
  });
  void exited.then(() => {
    clearTimeout(timer);
    if (!done) {
      done = true;
      const err = why(`reader exited with ${child.exitCode ?? child.signalCode} before a frame`);
      readyReject(err);
      frameReject(err);
    }
  });

  return {
    ready,
    firstFrame,
    close: async () => {
      clearTimeout(timer);
      if (!done) {
        done = true;
        const err = why('closed before a frame');
        readyReject(err);
        frameReject(err);
      }
      await killGroup(child, exited, 0);
    },
  };
}

/** app/stream of an rtmp:// URL as nginx-rtmp names them (no query). */
function streamOf(url: string): { app: string; stream: string } {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  return { app: parts.slice(0, -1).join('/'), stream: parts[parts.length - 1] ?? '' };
}

async function untilListed(stats: () => Promise<RtmpStreamStat[]>, at: { app: string; stream: string }, over: () => boolean): Promise<void> {
  while (!over()) {
    const list = await stats();
    const s = list.find((x) => x.app === at.app && x.stream === at.stream);
    if (s && s.clients > (s.publishing ? 1 : 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('waitFirstFrame: gave up before the server listed the reader');
}

