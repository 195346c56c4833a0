// Noise: grain or interference far above a working sensor's, as it survives a low-bitrate encoder
// (blotches that change from frame to frame). Each sampled frame is compared with the burst's
// temporal median, which keeps the scene and drops the noise; what is left is noise, plus what
// moved (traffic, rain) and rolling stripes. Differencing that residue with itself a few pixels
// along the stripes' own direction cancels the stripes; the median over pixels of a cell ignores
// sparse rain streaks; the median over cells ignores the few cells with traffic.
import { RAMPS, ramp } from '../thresholds.js';
import { fmt, median, type DetectorResult } from './common.js';
import { CELL, type BurstView } from './view.js';

/** Pixels between the two residue samples differenced: past the size of a noise blotch at 320×180. */
const SHIFT = 6;
/** Residue (levels) rolling stripes at full confidence are allowed before noise is called. */
const STRIPES_ALLOWANCE = 1.5;

/**
 * Median absolute difference of the residue at p and at p shifted along the bands (bands of
 * `angleDeg`: 0 = horizontal bands, level constant along x), per cell, then the median over cells.
 */
export function residueLevel(v: BurstView, angleDeg = 0): number {
  const med = v.still;
  const th = (angleDeg * Math.PI) / 180;
  // The wave vector is (sin θ, cos θ) in (x, y); the bands run perpendicular to it.
  const sx = Math.cos(th) * SHIFT;
  const sy = -Math.sin(th) * SHIFT;
  const { width: w, height: h } = v;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const perFrame: number[] = [];
  const cellVals = new Array<number>(CELL * CELL);
  for (const f of v.sampled) {
    const res = new Float32Array(w * h);
    for (let i = 0; i < res.length; i++) res[i] = f.y[i]! - med[i]!;
    const at = (x: number, y: number): number => res[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    const cells: number[] = [];
    for (let cy = 0; cy < v.rows; cy++) {
      for (let cx = 0; cx < v.cols; cx++) {
        if (v.osd[cy * v.cols + cx]) continue;
        let n = 0;
        for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
          for (let x = cx * CELL; x < (cx + 1) * CELL; x++) {
            const qx = x + x0;
            const qy = y + y0;
            const q = (1 - fy) * ((1 - fx) * at(qx, qy) + fx * at(qx + 1, qy)) + fy * ((1 - fx) * at(qx, qy + 1) + fx * at(qx + 1, qy + 1));
            cellVals[n++] = Math.abs(res[y * w + x]! - q);
          }
        }
        cellVals.sort((a, b) => a - b);
        // Mean of the middle half: robust to a streak or an edge, and not stuck on whole levels.
        let t = 0;
        for (let k = n >> 2; k < n - (n >> 2); k++) t += cellVals[k]!;
        cells.push(t / (n - 2 * (n >> 2)));
      }
    }
    perFrame.push(median(cells));
  }
  return median(perFrame);
}

/**
 * `stripes`: the stripes detector's result. Rolling bands cost an encoder its bits and leave
 * blotches like noise's; while bands are seen, only a residue well above theirs counts as noise.
 */
export function detectNoise(v: BurstView, stripes?: DetectorResult): DetectorResult {
  if (v.frames.length < 5) return { confidence: 0, measure: NaN, detail: 'not judged on fewer than 5 frames: grain and fine texture look alike in one picture' };
  const r = residueLevel(v, stripes?.parts?.['angle'] ?? 0);
  const allowance = STRIPES_ALLOWANCE * (stripes?.confidence ?? 0);
  return {
    confidence: ramp(r - allowance, RAMPS.noise),
    measure: r,
    detail: `frame-to-frame residue ${fmt(r, 2)} levels (median |difference| against the burst's median picture)`,
  };
}
