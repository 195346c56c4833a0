// Pre-encoded clips for the simulated cameras: a live 1080p x264 encode costs more than a core on
// the 2-core targets, so each clip is encoded once with FFmpeg, cached on disk and replayed.
import os from 'node:os';
import path from 'node:path';
import { cachedFfmpegOutput } from '../../protocols/ffmpeg/cachedOutput.js';
import { ensureSceneClip } from '../scene/encode.js';
import { isScenePicture, scenePicture, type ScenePicture } from '../scene/pictures.js';
import { parseClip, type VideoCodec } from '../../protocols/h26x/annexb.js';

export interface ClipSpec {
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  /** Distance between IDR pictures; fixed (scene-cut detection off), like a camera's "I-frame interval". */
  gopFrames: number;
  seconds: number;
  /**
   * An FFmpeg test pattern (testsrc2 by default: the cheapest to make), or a rendered road scene
   * (src/sim/scene), normal or showing a broken camera's picture, for the image-quality diagnosis.
   */
  pattern?: 'testsrc2' | 'smptebars' | 'mandelbrot' | ScenePicture;
}

export interface ClipOptions {
  cacheDir?: string;
  ffmpegPath?: string;
}

export const MAIN_1080P_H264: Readonly<ClipSpec> = Object.freeze({ codec: 'h264', width: 1920, height: 1080, fps: 25, bitrateKbps: 4000, gopFrames: 50, seconds: 10 });
export const SUB_CIF_H264: Readonly<ClipSpec> = Object.freeze({ codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 50, seconds: 10 });
export const SUB_D1_H264: Readonly<ClipSpec> = Object.freeze({ codec: 'h264', width: 704, height: 576, fps: 25, bitrateKbps: 512, gopFrames: 50, seconds: 10 });
export const MAIN_1080P_H265: Readonly<ClipSpec> = Object.freeze({ codec: 'h265', width: 1920, height: 1080, fps: 25, bitrateKbps: 2000, gopFrames: 50, seconds: 4 });
export const MAIN_720P_H264: Readonly<ClipSpec> = Object.freeze({ codec: 'h264', width: 1280, height: 720, fps: 25, bitrateKbps: 2000, gopFrames: 50, seconds: 10 });

/** Bump when the encoder arguments change, so cached clips made with the old ones are not reused. */
const CLIP_FORMAT_VERSION = 1;

export function defaultClipCacheDir(): string {
  return process.env['VCGW_CLIP_CACHE'] ?? path.join(os.homedir(), '.cache', 'vcgw', 'clips');
}

export function validateClipSpec(spec: ClipSpec): void {
  const ints: Array<keyof ClipSpec> = ['width', 'height', 'bitrateKbps', 'gopFrames'];
  for (const k of ints) {
    const v = spec[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`clip ${k} must be a positive integer, got ${String(v)}`);
  }
  if (spec.codec !== 'h264' && spec.codec !== 'h265') throw new RangeError(`clip codec must be h264 or h265, got ${String(spec.codec)}`);
  if (spec.width % 2 !== 0 || spec.height % 2 !== 0) throw new RangeError('clip width and height must be even (yuv420p)');
  if (!(spec.fps > 0 && spec.fps <= 120)) throw new RangeError(`clip fps must be in (0, 120], got ${spec.fps}`);
  if (!(spec.seconds > 0 && spec.seconds <= 600)) throw new RangeError(`clip seconds must be in (0, 600], got ${spec.seconds}`);
  if (clipFrameCount(spec) < 1) throw new RangeError('clip has no frames');
}

export function clipFrameCount(spec: ClipSpec): number {
  return Math.round(spec.seconds * spec.fps);
}

export function clipFileName(spec: ClipSpec): string {
  const ext = spec.codec === 'h264' ? 'h264' : 'h265';
  const pattern = spec.pattern ?? 'testsrc2';
  return `${spec.codec}-${spec.width}x${spec.height}-${spec.fps}fps-${spec.bitrateKbps}k-g${spec.gopFrames}-${spec.seconds}s-${pattern}-v${CLIP_FORMAT_VERSION}.${ext}`;
}

/**
 * x264 veryfast gives the High profile cameras send and still encodes a 10 s 1080p testsrc2 clip in
 * ~3 s here; x265 is several times slower per pixel, so it gets ultrafast.
 */
export function encoderPreset(spec: ClipSpec): string {
  return spec.codec === 'h264' ? 'veryfast' : 'ultrafast';
}

/**
 * The FFmpeg argv that encodes `spec` as raw Annex B to stdout (pure, golden-tested). Writing to a
 * pipe ties the encoder's life to ours: if we die mid-encode, FFmpeg gets EPIPE and exits.
 */
export function clipEncodeArgs(spec: ClipSpec): string[] {
  const pattern = spec.pattern ?? 'testsrc2';
  const frames = clipFrameCount(spec);
  const kbps = `${spec.bitrateKbps}k`;
  const gop = String(spec.gopFrames);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  const size = `size=${spec.width}x${spec.height}:rate=${spec.fps}`;
  if (isScenePicture(pattern)) throw new RangeError(`clip pattern ${pattern} is a rendered scene, not an FFmpeg source`);
  args.push('-f', 'lavfi', '-i', `${pattern}=${size}`);
  // Colour bars alone compress to almost nothing; temporal noise stands in for sensor noise so the
  // encoder spends its bitrate like a camera does.
  if (pattern === 'smptebars') args.push('-vf', 'noise=alls=10:allf=t');
  args.push('-frames:v', String(frames), '-an', '-pix_fmt', 'yuv420p');
  if (spec.codec === 'h264') {
    args.push('-c:v', 'libx264', '-preset', encoderPreset(spec));
    args.push('-b:v', kbps, '-maxrate', kbps, '-bufsize', kbps);
    args.push('-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '0');
    // In-band SPS/PPS before every IDR: a client may join at any GOP.
    args.push('-x264-params', 'repeat-headers=1:scenecut=0');
    args.push('-f', 'h264', 'pipe:1');
  } else {
    args.push('-c:v', 'libx265', '-preset', encoderPreset(spec), '-b:v', kbps);
    const x265 = [
      `keyint=${gop}`,
      `min-keyint=${gop}`,
      'scenecut=0',
      'bframes=0',
      // Closed GOPs start with IDR, not CRA: every GOP is a clean join point.
      'open-gop=0',
      'repeat-headers=1',
      `vbv-maxrate=${spec.bitrateKbps}`,
      `vbv-bufsize=${spec.bitrateKbps}`,
      'log-level=error',
    ];
    args.push('-x265-params', x265.join(':'));
    args.push('-f', 'hevc', 'pipe:1');
  }
  return args;
}

/** The path of the clip for `spec`, encoded first when it is not cached. */
export function ensureClip(spec: ClipSpec, opts: ClipOptions = {}): Promise<string> {
  try {
    validateClipSpec(spec);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  if (spec.pattern && isScenePicture(spec.pattern)) {
    if (spec.codec !== 'h264') return Promise.reject(new RangeError(`clip pattern ${spec.pattern}: rendered scenes are encoded as H.264 only`));
    const { scene, defects } = scenePicture(spec.pattern);
    return ensureSceneClip({ scene, defects, width: spec.width, height: spec.height, fps: spec.fps, seconds: spec.seconds, bitrateKbps: spec.bitrateKbps, gopFrames: spec.gopFrames, container: 'h264' }, opts, (data) => void parseClip('h264', data));
  }
  const file = path.join(opts.cacheDir ?? defaultClipCacheDir(), clipFileName(spec));
  // A clip that cannot be replayed must not enter the cache.
  return cachedFfmpegOutput(file, opts.ffmpegPath ?? 'ffmpeg', clipEncodeArgs(spec), (data) => void parseClip(spec.codec, data));
}
