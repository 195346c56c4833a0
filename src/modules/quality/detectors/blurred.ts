// Blurred (out of focus): the ratio of 1-pixel to 3-pixel gradient energy, Σd₁²/Σd₃², on the
// textured blocks. It does not depend on contrast or on how much texture the scene has: a sharp
// step gives 1/3, pixel-level texture 1, and a blur spreading edges over ≥ 3 pixels tends to 1/9
// (a 2-pixel lag spans only 1/2 … 1/4 and separated mild blur less well on the labelled set).
// Flat blocks are left out, so a sky or a night picture is not read as blur.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { BLOCK, fmt, median, quantile, sample, type DetectorResult } from './common.js';

const LAG = 3;
/** Below this 3-pixel gradient energy per pixel a block has no edges worth judging. */
const MIN_EDGE_ENERGY = 40;

export function sharpnessRatio(f: Frame): number {
  const cols = Math.floor((f.width - LAG) / BLOCK);
  const rows = Math.floor((f.height - LAG) / BLOCK);
  const e1: number[] = [];
  const e2: number[] = [];
  const w = f.width;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let a = 0;
      let b = 0;
      for (let y = by * BLOCK; y < (by + 1) * BLOCK; y++) {
        for (let x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) {
          const i = y * w + x;
          const p = f.y[i]!;
          const h1 = f.y[i + 1]! - p;
          const v1 = f.y[i + w]! - p;
          const h2 = f.y[i + LAG]! - p;
          const v2 = f.y[i + LAG * w]! - p;
          a += h1 * h1 + v1 * v1;
          b += h2 * h2 + v2 * v2;
        }
      }
      e1.push(a / (BLOCK * BLOCK));
      e2.push(b / (BLOCK * BLOCK));
    }
  }
  // The most textured quarter of the blocks, and only those with real edges.
  const cut = Math.max(MIN_EDGE_ENERGY, quantile(e2, 0.75));
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < e2.length; i++) {
    if (e2[i]! >= cut) {
      s1 += e1[i]!;
      s2 += e2[i]!;
    }
  }
  return s2 > 0 ? s1 / s2 : NaN;
}

export function detectBlurred(frames: readonly Frame[]): DetectorResult {
  const r = median(sample(frames, 5).map(sharpnessRatio).filter(Number.isFinite));
  if (!Number.isFinite(r)) return { confidence: 0, measure: NaN, detail: 'no edges to judge focus' };
  return { confidence: ramp(r, RAMPS.blurred), measure: r, detail: `gradient energy ratio ${fmt(r, 3)}` };
}
