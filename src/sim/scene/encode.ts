// Scene clips encoded the way a camera's stream is: the rendered frames piped raw into FFmpeg,
// H.264 at a fixed bitrate (CBR-like VBV, as sub-streams are configured), cached on disk under a
// name that carries the generator version and a hash of the spec, so a re-run costs nothing.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { cachedFfmpegOutput } from '../../protocols/ffmpeg/cachedOutput.js';
import { SCENE_GENERATOR_VERSION, SceneRenderer, type Defect, type SceneSpec } from './render.js';

export interface SceneClipSpec {
  scene: SceneSpec;
  defects: readonly Defect[];
  width: number;
  height: number;
  fps: number;
  seconds: number;
  bitrateKbps: number;
  gopFrames: number;
  /** mpegts for files that are read back (the labelled set), h264 (Annex B) for the RTSP simulator. */
  container: 'mpegts' | 'h264';
}

/** Frames are rendered at most this wide and scaled up by FFmpeg: a 1080p simulator clip would cost 4× the Node CPU for detail the 320×180 analysis never sees. */
export const MAX_RENDER_WIDTH = 960;

export function defaultSceneCacheDir(): string {
  return process.env['VCGW_SCENE_CACHE'] ?? path.join(os.homedir(), '.cache', 'vcgw', `quality-v${SCENE_GENERATOR_VERSION}`);
}

export function renderSize(spec: Pick<SceneClipSpec, 'width' | 'height'>): { width: number; height: number } {
  if (spec.width <= MAX_RENDER_WIDTH) return { width: spec.width, height: spec.height };
  const k = MAX_RENDER_WIDTH / spec.width;
  return { width: MAX_RENDER_WIDTH, height: Math.round((spec.height * k) / 2) * 2 };
}

/** The FFmpeg argv: raw yuv420p frames on stdin, H.264 on stdout (pure). */
export function sceneEncodeArgs(spec: SceneClipSpec): string[] {
  const r = renderSize(spec);
  const kbps = `${spec.bitrateKbps}k`;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${r.width}x${r.height}`, '-r', String(spec.fps), '-i', 'pipe:0');
  if (r.width !== spec.width) args.push('-vf', `scale=${spec.width}:${spec.height}:flags=bicubic`);
  args.push('-an', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast');
  args.push('-b:v', kbps, '-maxrate', kbps, '-bufsize', kbps);
  args.push('-g', String(spec.gopFrames), '-keyint_min', String(spec.gopFrames), '-sc_threshold', '0', '-bf', '0');
  args.push('-x264-params', 'repeat-headers=1:scenecut=0');
  args.push('-f', spec.container, 'pipe:1');
  return args;
}

export function sceneClipFileName(spec: SceneClipSpec): string {
  const hash = createHash('sha1').update(JSON.stringify({ v: SCENE_GENERATOR_VERSION, spec, args: sceneEncodeArgs(spec) })).digest('hex').slice(0, 12);
  return `scene-${spec.width}x${spec.height}-${spec.bitrateKbps}k-${hash}.${spec.container === 'mpegts' ? 'ts' : 'h264'}`;
}

/** Writes every frame of the clip to `out`, waiting for it to drain so memory stays one frame deep. */
export async function writeSceneFrames(spec: SceneClipSpec, out: Writable): Promise<void> {
  const r = renderSize(spec);
  const renderer = new SceneRenderer(spec.scene, spec.defects, r.width, r.height, spec.fps);
  const n = Math.round(spec.seconds * spec.fps);
  for (let i = 0; i < n; i++) {
    if (out.destroyed) throw new Error('encoder input closed early');
    if (!out.write(renderer.frame(i))) await once(out, 'drain');
  }
  out.end();
}

/** The clip's path, rendered and encoded first when it is not cached. */
export function ensureSceneClip(spec: SceneClipSpec, opts: { cacheDir?: string; ffmpegPath?: string } = {}, check?: (data: Buffer) => void): Promise<string> {
  const file = path.join(opts.cacheDir ?? defaultSceneCacheDir(), sceneClipFileName(spec));
  return cachedFfmpegOutput(file, opts.ffmpegPath ?? 'ffmpeg', sceneEncodeArgs(spec), check, (stdin) => writeSceneFrames(spec, stdin));
}
