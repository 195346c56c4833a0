// A grey field with fresh grain every frame (and optionally rain), encoded by real x264 the way a
// camera's sub-stream is and read back as the daemon reads a camera (50 frames at 320×180): the
// plainest case of noise under compression, for the noise tests and bench/quality-noise.ts.
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { readFrames } from '../../src/modules/quality/frames.js';
import type { Frame } from '../../src/modules/quality/types.js';
import { cachedFfmpegOutput } from '../../src/protocols/ffmpeg/cachedOutput.js';
import { sceneEncodeArgs, type SceneClipSpec } from '../../src/sim/scene/encode.js';
import { addGaussian, rng } from '../../src/sim/scene/random.js';

const W = 960;
const H = 540;
const FRAMES = 50;

export interface GrainField {
  /** Grain σ (levels) at 960×540, fresh every frame. */
  sigma: number;
  /** Rain streaks per frame (fresh positions every frame, 14–30 levels brighter), as the scene generator draws them. */
  streaks?: number;
  /** qHD sub-stream bitrate; one keyframe in 2 s. */
  bitrateKbps: number;
}

/** A grey field with a gentle gradient (sky to road), grain and optionally rain, as raw yuv420p. */
function fieldFrame(f: GrainField, i: number): Buffer {
  const y = new Float32Array(W * H);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) y[r * W + c] = 100 + (30 * r) / H;
  const rand = rng(7000 + i);
  for (let k = 0; k < (f.streaks ?? 0); k++) {
    const x0 = rand() * W;
    const y0 = rand() * H;
    const add = 14 + 16 * rand();
    for (let j = 0; j < 21 && y0 + j < H; j++) {
      const x = Math.round(x0 + j * 0.25);
      if (x < W) y[Math.floor(y0 + j) * W + x]! += add;
    }
  }
  addGaussian(y, f.sigma, 101 + i);
  const out = Buffer.alloc((W * H * 3) / 2, 128);
  for (let p = 0; p < W * H; p++) out[p] = Math.max(0, Math.min(255, Math.round(y[p]!)));
  return out;
}

async function writeField(f: GrainField, out: Writable): Promise<void> {
  for (let i = 0; i < FRAMES; i++) if (!out.write(fieldFrame(f, i))) await once(out, 'drain');
  out.end();
}

/** The field encoded into `dir` (kept there as a cache) and decoded at the analysis size. */
export async function grainFieldFrames(dir: string, f: GrainField): Promise<Frame[]> {
  const spec: SceneClipSpec = { scene: { seed: 1, light: 'day', weather: 'clear', traffic: 0, lamps: 0, vegetation: 0 }, defects: [], width: W, height: H, fps: 25, seconds: 2, bitrateKbps: f.bitrateKbps, gopFrames: FRAMES, container: 'mpegts' };
  const name = `grain-field-s${f.sigma}-r${f.streaks ?? 0}-${f.bitrateKbps}k.ts`;
  const file = await cachedFfmpegOutput(path.join(dir, name), 'ffmpeg', sceneEncodeArgs(spec), undefined, (stdin) => writeField(f, stdin));
  const burst = await readFrames(file, { maxFrames: FRAMES, timeoutMs: 30_000 });
  if (burst.frames.length !== FRAMES) throw new Error(`${name}: ${burst.frames.length} frames decoded (${burst.ended}) ${burst.error ?? ''}`);
  return burst.frames;
}
