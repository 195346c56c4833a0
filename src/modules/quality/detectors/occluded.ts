// Occluded: something on or near the lens (cloth, leaf, mud, a bag) hides a large part of the
// view. Being out of focus and close, it shows no texture: a large *connected* area of flat
// blocks. A smooth sky is flat too, which is why it takes over half of the picture in one piece
// (a road camera's sky rarely does; see the weak points in the report).
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { blockStd, fmt, median, sample, type DetectorResult } from './common.js';

/**
 * Block luma σ below this is "flat". On the labelled set an out-of-focus cover decodes to σ ≤ 0.5
 * (H.264 wipes the faint grain on it), while the faintest asphalt, a night road's dim surface and
 * a gradient sky stay at 2 or more.
 */
export const FLAT_STD = 1.5;

/** Largest 4-connected group of flat blocks, as a fraction of all blocks. */
export function largestFlatArea(f: Frame, flatStd = FLAT_STD): number {
  const { cols, rows, std } = blockStd(f);
  const flat = std.map((s) => (s < flatStd ? 1 : 0));
  const seen = new Uint8Array(flat.length);
  let best = 0;
  const stack: number[] = [];
  for (let i = 0; i < flat.length; i++) {
    if (!flat[i] || seen[i]) continue;
    let size = 0;
    stack.push(i);
    seen[i] = 1;
    while (stack.length) {
      const j = stack.pop()!;
      size++;
      const x = j % cols;
      const y = (j - x) / cols;
      const nb = [x > 0 ? j - 1 : -1, x < cols - 1 ? j + 1 : -1, y > 0 ? j - cols : -1, y < rows - 1 ? j + cols : -1];
      for (const k of nb) {
        if (k >= 0 && flat[k] && !seen[k]) {
          seen[k] = 1;
          stack.push(k);
        }
      }
    }
    best = Math.max(best, size);
  }
  return best / (cols * rows);
}

export function detectOccluded(frames: readonly Frame[]): DetectorResult {
  const a = median(sample(frames, 5).map((f) => largestFlatArea(f)));
  return { confidence: ramp(a, RAMPS.occluded), measure: a, detail: `largest flat area ${fmt(a * 100, 0)} %` };
}
