// Checks a push ON THE WIRE: what an RTMP server actually relays (codec, size, frame rate, GOP,
// bitrate, audio), read back with ffprobe, and the moment the first decodable frame is there.
import { StderrRing } from '../../protocols/ffmpeg/stderrRing.js';
import { killGroup, spawnInOwnGroup, type RtmpStreamStat } from './nginx.js';

export interface StreamMeasure {
  codec: string;
  width: number;
  height: number;
  /** From video packet timestamps. */
  fps: number;
  /** Median distance, in video packets, between keyframes (0 when fewer than two were seen). */
  gopFrames: number;
  /** Video payload over whole GOPs (over everything read when fewer than two keyframes). */
  videoKbps: number;
  audio?: { codec: string; sampleRate: number; channels: number };
  /** The first video packet read is a keyframe. */
  keyframeFirst: boolean;
  /** Video packets read. */
  packets: number;
  /** Audio packets read. */
  audioPackets: number;
  /** Stream time covered by the video packets, in seconds. */
  seconds: number;
}

export interface ProbeJson {
  streams?: Array<{
    index?: number;
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
  }>;
  packets?: Array<{ stream_index?: number; codec_type?: string; dts_time?: string; pts_time?: string; size?: string; flags?: string }>;
}

// A reader that connects to a live stream spends a moment probing it; 1 s is enough for
// FLV-over-RTMP (the codec headers come first) and keeps a video-only stream from costing the
// default 5 s wait for an audio stream that never comes.
const PROBE_ANALYZE_US = '1000000';

/** ffprobe argv for measureStream (pure). */
export function measureArgs(url: string, seconds: number): string[] {
  return [
    '-hide_banner',
    '-v',
    'error',
    '-analyzeduration',
    PROBE_ANALYZE_US,
    '-of',
    'json',
    '-show_entries',
    'stream=index,codec_type,codec_name,width,height,sample_rate,channels:packet=stream_index,codec_type,dts_time,pts_time,size,flags',
    '-read_intervals',
    `%+${seconds}`,
    url,
  ];
}

/** Reads `seconds` of stream time from an rtmp:// URL with ffprobe and sums up what it saw. */
export async function measureStream(
  url: string,
  opts: { seconds: number; ffprobePath?: string; timeoutMs?: number },
): Promise<StreamMeasure> {
  if (!(opts.seconds > 0)) throw new Error('measureStream: seconds must be > 0');
  const timeoutMs = opts.timeoutMs ?? opts.seconds * 1000 + 15_000;
  const { child, exited } = spawnInOwnGroup(opts.ffprobePath ?? 'ffprobe', measureArgs(url, opts.seconds), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => chunks.push(b));
  const ring = new StderrRing(20);
  child.stderr?.setEncoding('utf8').on('data', (s: string) => s.split('\n').filter(Boolean).forEach((l) => ring.push(l)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killGroup(child, exited, 0);
  }, timeoutMs);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  await exited;
  clearTimeout(timer);
  const why = (what: string): Error => new Error(`measureStream ${redactUrl(url)}: ${what}${ring.size ? ` — ${ring.lines().slice(-5).join(' | ')}` : ''}`);
  if (spawnError) throw why(`cannot run ffprobe: ${spawnError.message}`);
  if (timedOut) throw why(`no result within ${timeoutMs} ms`);
  if (child.exitCode !== 0) throw why(`ffprobe exited with ${child.exitCode ?? child.signalCode}`);
  let json: ProbeJson;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeJson;
  } catch (err) {
    throw why(`ffprobe printed no JSON (${(err as Error).message})`);
  }
  const m = summarizeProbe(json);
  if (!m) throw why(`no video packets in ${opts.seconds} s`);
  return m;
}

/** The figures of one ffprobe run (pure); undefined when no video was read. */
export function summarizeProbe(json: ProbeJson): StreamMeasure | undefined {
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) return undefined;
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const packets = json.packets ?? [];
  const vp = packets
    .filter((p) => p.stream_index === video.index || (p.stream_index === undefined && p.codec_type === 'video'))
    .map((p) => ({ t: Number(p.dts_time ?? p.pts_time), size: Number(p.size ?? 0), key: (p.flags ?? '').includes('K') }))
    .filter((p) => Number.isFinite(p.t));
  if (vp.length === 0) return undefined;
  const audioPackets = audioStream ? packets.filter((p) => p.stream_index === audioStream.index).length : 0;

  const span = vp.length > 1 ? vp[vp.length - 1]!.t - vp[0]!.t : 0;
  const fps = span > 0 ? (vp.length - 1) / span : 0;
  const keyIdx = vp.flatMap((p, i) => (p.key ? [i] : []));
  const gaps = keyIdx.slice(1).map((k, i) => k - keyIdx[i]!);
  const gopFrames = median(gaps);

  // Whole GOPs only: a GOP cut short at either end would over-weight its keyframe.
  let bytes: number;
  let seconds: number;
  if (keyIdx.length >= 2) {
    const from = keyIdx[0]!;
    const to = keyIdx[keyIdx.length - 1]!;
    bytes = vp.slice(from, to).reduce((s, p) => s + p.size, 0);
    seconds = vp[to]!.t - vp[from]!.t;
  } else {
    bytes = vp.reduce((s, p) => s + p.size, 0);
    seconds = span + (fps > 0 ? 1 / fps : 0);
  }
  const videoKbps = seconds > 0 ? (bytes * 8) / seconds / 1000 : 0;

  return {
    codec: video.codec_name ?? 'unknown',
    width: video.width ?? 0,
    height: video.height ?? 0,
    fps: round(fps, 2),
    gopFrames,
    videoKbps: round(videoKbps, 1),
    ...(audioStream
      ? {
          audio: {
            codec: audioStream.codec_name ?? 'unknown',
            sampleRate: Number(audioStream.sample_rate ?? 0),
            channels: audioStream.channels ?? 0,
          },
        }
      : {}),
    keyframeFirst: vp[0]!.key,
    packets: vp.length,
    audioPackets,
    seconds: round(span, 3),
  };
}

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

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Push URLs carry their auth in the query string. */
function redactUrl(url: string): string {
  return url.replace(/\?.*$/, '?***');
}
