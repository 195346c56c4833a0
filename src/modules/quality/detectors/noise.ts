// Noise: grain far above a working sensor's. Two estimates of its σ must agree, since each alone
// is fooled by something: the spatial one (Immerkær's Laplacian-difference operator, on the
// flattest blocks) by fine static texture, the temporal one (frame difference on the stillest
// blocks) by motion everywhere. Real noise raises both; texture or motion only one.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { BLOCK, fmt, median, quantile, sample, type DetectorResult } from './common.js';

/** The quantile of block estimates taken: the flattest / stillest fifth of the picture. */
const Q = 0.2;
const IMMERKAER = Math.sqrt(Math.PI / 2) / 6;

/** Per-block σ by Immerkær (1996), over the whole blocks that have a 1-pixel border inside the frame. */
export function spatialNoiseBlocks(f: Frame): number[] {
  const w = f.width;
  const cols = Math.floor((f.width - 2) / BLOCK);
  const rows = Math.floor((f.height - 2) / BLOCK);
  const out: number[] = [];
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let s = 0;
      for (let y = by * BLOCK + 1; y < (by + 1) * BLOCK + 1; y++) {
        for (let x = bx * BLOCK + 1; x < (bx + 1) * BLOCK + 1; x++) {
          const i = y * w + x;
          const p = f.y;
          const n = p[i - w - 1]! - 2 * p[i - w]! + p[i - w + 1]! - 2 * p[i - 1]! + 4 * p[i]! - 2 * p[i + 1]! + p[i + w - 1]! - 2 * p[i + w]! + p[i + w + 1]!;
          s += Math.abs(n);
        }
      }
      out.push((IMMERKAER * s) / (BLOCK * BLOCK));
    }
  }
  return out;
}

/** Per-block σ of the difference of two frames, divided by √2 (the difference of two noises). */
export function temporalNoiseBlocks(a: Frame, b: Frame): number[] {
  const cols = Math.floor(a.width / BLOCK);
  const rows = Math.floor(a.height / BLOCK);
  const out: number[] = [];
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let s = 0;
      let s2 = 0;
      for (let y = by * BLOCK; y < (by + 1) * BLOCK; y++) {
        const row = y * a.width;
        for (let x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) {
          const d = a.y[row + x]! - b.y[row + x]!;
          s += d;
          s2 += d * d;
        }
      }
      const n = BLOCK * BLOCK;
      // Mean removed: a global brightness step (flicker, exposure) is not noise.
      out.push(Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2) / 2));
    }
  }
  return out;
}

/** σ of one frame: the smaller of its spatial estimate and the temporal one against the next frame. */
function frameSigma(frames: readonly Frame[], i: number): { spatial: number; temporal: number } {
  const spatial = quantile(spatialNoiseBlocks(frames[i]!), Q);
  const next = frames[i + 1];
  return { spatial, temporal: next ? quantile(temporalNoiseBlocks(frames[i]!, next), Q) : NaN };
}

const combine = (s: { spatial: number; temporal: number }): number => (Number.isFinite(s.temporal) ? Math.min(s.spatial, s.temporal) : s.spatial);

export function noiseSigmas(frames: readonly Frame[]): { spatial: number; temporal: number; sigma: number; keyframeSigma: number } {
  const picked = sample(frames, 5).map((f) => frameSigma(frames, frames.indexOf(f)));
  const spatial = median(picked.map((p) => p.spatial));
  const temporal = median(picked.map((p) => p.temporal).filter(Number.isFinite));
  const sigma = median(picked.map(combine));
  // A burst starts on a keyframe (an RTSP join, the fan-out's cached GOP). At sub-stream bitrates
  // the encoder keeps the grain only there and smooths it away in the P-frames that follow, so the
  // first frame is judged on its own too; its drop into the next frame is the temporal estimate.
  const keyframeSigma = combine(frameSigma(frames, 0));
  return { spatial, temporal: Number.isFinite(temporal) ? temporal : NaN, sigma, keyframeSigma };
}

export function detectNoise(frames: readonly Frame[]): DetectorResult {
  // One picture (a snapshot) cannot tell grain from fine texture: that takes the temporal estimate.
  if (frames.length < 2) return { confidence: 0, measure: NaN, detail: 'not judged on one frame: grain and fine texture look alike' };
  const { spatial, temporal, sigma, keyframeSigma } = noiseSigmas(frames);
  const worst = Math.max(sigma, keyframeSigma);
  return {
    confidence: ramp(worst, RAMPS.noise),
    measure: worst,
    detail: `noise σ ${fmt(worst, 1)} (burst ${fmt(sigma, 1)}: spatial ${fmt(spatial, 1)}, temporal ${fmt(temporal, 1)}; first frame ${fmt(keyframeSigma, 1)})`,
  };
}
