// Frozen: the decoder keeps giving the same picture. A live camera's picture always changes
// somewhere within 2 s: traffic, grain, and at the very least its OSD clock, which ticks every
// second. A frozen one changes nowhere, clock included (the encoder only refines the still picture
// by a level or two). So the measure is the largest change of any 8×8 cell between frames up to
// 2 s apart, taken separately in the picture and in the OSD so the detail says which one lives.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, type DetectorResult } from './common.js';
import { CELL, type BurstView } from './view.js';

/** Largest mean absolute difference of a cell, inside and outside the OSD. */
export function largestCellChange(a: Frame, b: Frame, v: BurstView): { picture: number; osd: number } {
  let picture = 0;
  let osd = 0;
  for (let cy = 0; cy < v.rows; cy++) {
    for (let cx = 0; cx < v.cols; cx++) {
      let s = 0;
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
        const row = y * a.width;
        for (let x = cx * CELL; x < (cx + 1) * CELL; x++) s += Math.abs(a.y[row + x]! - b.y[row + x]!);
      }
      const m = s / (CELL * CELL);
      if (v.osd[cy * v.cols + cx]) osd = Math.max(osd, m);
      else picture = Math.max(picture, m);
    }
  }
  return { picture, osd };
}

/**
 * Frames judged: the burst's last 1.2 s (30 frames at 25 fps, so the clock has ticked at least
 * once; a picture that froze early in the burst is frozen there), its ends, middle and neighbours.
 */
export const WINDOW = 30;

function pairs(n: number): Array<[number, number]> {
  const last = n - 1;
  const first = Math.max(0, n - WINDOW);
  const mid = Math.floor((first + last) / 2);
  const out: Array<[number, number]> = [[first, last], [first, mid], [mid, last]];
  for (let i = first; i + 1 < n; i += Math.max(1, Math.floor((n - first) / 6))) out.push([i, i + 1]);
  return out;
}

export function detectFrozen(v: BurstView): DetectorResult {
  const frames = v.frames;
  if (frames.length < 3) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  let picture = 0;
  let osd = 0;
  for (const [i, j] of pairs(frames.length)) {
    const c = largestCellChange(frames[i]!, frames[j]!, v);
    picture = Math.max(picture, c.picture);
    osd = Math.max(osd, c.osd);
  }
  const m = Math.max(picture, osd);
  return {
    confidence: ramp(m, RAMPS.frozen),
    measure: m,
    parts: { picture, osd },
    detail: `largest change of an 8×8 cell over the last ${Math.min(frames.length, WINDOW)} frames: picture ${fmt(picture, 1)}, OSD ${fmt(osd, 1)} levels`,
  };
}
