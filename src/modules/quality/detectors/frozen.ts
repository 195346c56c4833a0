// Frozen: the decoder keeps giving the same picture. Real sensors are never still: grain changes
// nearly every block between frames, even on an empty road. A frozen picture changes none, or
// only the few blocks of an OSD clock the camera still draws over it.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { BLOCK, fmt, median, type DetectorResult } from './common.js';

/** A block "changed" when any pixel moved by more than this (H.264 of a still scene keeps grain above it). */
const PIXEL_DELTA = 2;

export function changedBlockFraction(a: Frame, b: Frame): number {
  const cols = Math.floor(a.width / BLOCK);
  const rows = Math.floor(a.height / BLOCK);
  let changed = 0;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let hit = false;
      for (let y = by * BLOCK; y < (by + 1) * BLOCK && !hit; y++) {
        const row = y * a.width;
        for (let x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) {
          if (Math.abs(a.y[row + x]! - b.y[row + x]!) > PIXEL_DELTA) {
            hit = true;
            break;
          }
        }
      }
      if (hit) changed++;
    }
  }
  return changed / (cols * rows);
}

export function detectFrozen(frames: readonly Frame[]): DetectorResult {
  if (frames.length < 3) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  const fr: number[] = [];
  for (let i = 1; i < frames.length; i++) fr.push(changedBlockFraction(frames[i - 1]!, frames[i]!));
  const m = median(fr);
  return { confidence: ramp(m, RAMPS.frozen), measure: m, detail: `blocks changing per frame ${fmt(m * 100, 1)} %` };
}
