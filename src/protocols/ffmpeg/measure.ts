// Checks a stream ON THE WIRE (a camera's RTSP stream, a push at the RTMP server) (codec, size, frame rate, GOP,
// bitrate, audio), read back with ffprobe, and the moment the first decodable frame is there.
import { redactUrl } from '../../log.js';
import { killGroup, spawnInOwnGroup } from './childGroup.js';
import { StderrRing } from './stderrRing.js';

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
