// Shared by the PS tests (not a test file): small clips, muxing them to PS, and ffprobe over stdin.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseClip, type AccessUnit, type VideoCodec } from '../../../src/protocols/h26x/annexb.js';
import { summarizeProbe, type ProbeJson, type StreamMeasure } from '../../../src/protocols/ffmpeg/measure.js';
import { annexB, PsMuxer, type PsMuxerOptions } from '../../../src/protocols/ps/mux.js';
import { ensureClip, type ClipSpec } from '../../../src/sim/camera/clips.js';

export const FFPROBE = '/usr/bin/ffprobe';

/** 2 s CIF clips at 25 fps with a 1 s GOP: small, quick to encode once into the clip cache. */
export const CIF: Record<VideoCodec, ClipSpec> = {
  h264: { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 25, seconds: 2 },
  h265: { codec: 'h265', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 25, seconds: 2 },
};

export async function clipAus(spec: ClipSpec): Promise<AccessUnit[]> {
  return parseClip(spec.codec, await fs.readFile(await ensureClip(spec))).aus;
}

export interface MuxedFrame {
  ps: Buffer;
  data: Buffer;
  pts: number;
  key: boolean;
}

/** Each access unit muxed to PS with PTS = 90 kHz from the frame index (plus `ptsBase`). */
export function muxClip(aus: readonly AccessUnit[], fps: number, opts: PsMuxerOptions, ptsBase = 90_000): MuxedFrame[] {
  const mux = new PsMuxer(opts);
  return aus.map((au, i) => {
    const data = annexB(au.nals);
    const pts = ptsBase + Math.round((i * 90_000) / fps);
    return { ps: mux.muxVideo({ data, pts, key: au.key }), data, pts, key: au.key };
  });
}

export interface Probe {
  measure: StreamMeasure;
  /** Frames ffprobe decoded (-count_frames). */
  decoded: number;
}

/** ffprobe reading `input` from stdin as `format` (mpeg for PS, mpegts): what it sees and how many frames decode. */
export async function probeBytes(input: Buffer, format: 'mpeg' | 'mpegts'): Promise<Probe> {
  const args = [
    '-v',
    'error',
    '-f',
    format,
    '-count_frames',
    '-show_entries',
    'stream=index,codec_type,codec_name,width,height,nb_read_frames:packet=stream_index,codec_type,dts_time,pts_time,size,flags',
    '-of',
    'json',
    'pipe:0',
  ];
  const child = spawn(FFPROBE, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-4000)));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`ffprobe exited ${code}: ${err}`);
  const json = JSON.parse(Buffer.concat(out).toString('utf8')) as ProbeJson;
  const measure = summarizeProbe(json);
  if (!measure) throw new Error(`ffprobe saw no video: ${err}`);
  const video = json.streams?.find((s) => s.codec_type === 'video') as { nb_read_frames?: string } | undefined;
  return { measure, decoded: Number(video?.nb_read_frames ?? 0) };
}

/** A CIF clip as FFmpeg's MPEG-TS, with the flags of the engine's pull (parameter sets on keyframes, no mux delay). */
export async function ffmpegTs(codec: VideoCodec): Promise<Buffer> {
  const clip = await ensureClip(CIF[codec]);
  const args = ['-hide_banner', '-loglevel', 'error', '-f', codec === 'h264' ? 'h264' : 'hevc', '-framerate', '25', '-i', clip];
  args.push('-c:v', 'copy', '-bsf:v', 'dump_extra=freq=keyframe', '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', 'pipe:1');
  const { stdout } = await promisify(execFile)('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
