// What every detector looks at, computed once per burst: a few sampled frames, their temporal median
// (the scene without grain or traffic), and the mask of the camera's OSD text. The OSD is left
// out of the sharpness, occlusion, frozen and exposure measures: it is drawn sharp, white and
// ticking on top of whatever the lens sees, so it would vouch for a picture that is not there.
import type { Frame } from '../types.js';
import { sample } from './common.js';

/** Analysis cell: 8×8 pixels of the 320×180 picture (40 × 22 cells). */
export const CELL = 8;

export interface BurstView {
  frames: readonly Frame[];
  /** Up to 5 frames spread over the burst, for the spatial measures. */
  sampled: Frame[];
  width: number;
  height: number;
  cols: number;
  rows: number;
  /** Per-pixel temporal median of up to 9 frames: the scene without its grain and its traffic. */
  still: Float32Array;
  /** Per cell, 1 where OSD text is. */
  osd: Uint8Array;
}

/** A cell is text when this many of its pixels keep a strong edge in every sampled frame. */
const TEXT_EDGE = 40;
const TEXT_PIXELS = 12;
const TEXT_BRIGHT = 150;

export function burstView(frames: readonly Frame[]): BurstView {
  const f0 = frames[0]!;
  const { width: w, height: h } = f0;
  const sampled = sample(frames, 5);
  const cols = Math.floor(w / CELL);
  const rows = Math.floor(h / CELL);
  return { frames, sampled, width: w, height: h, cols, rows, still: temporalMedian(frames), osd: osdMask(sampled, cols, rows) };
}

/** Per-pixel temporal median of up to 9 frames spread over the burst. */
export function temporalMedian(frames: readonly Frame[]): Float32Array {
  const fs = sample(frames, 9);
  const out = new Float32Array(fs[0]!.width * fs[0]!.height);
  const vals = new Array<number>(fs.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < fs.length; k++) vals[k] = fs[k]!.y[i]!;
    vals.sort((a, b) => a - b);
    out[i] = vals[vals.length >> 1]!;
  }
  return out;
}

/**
 * OSD text: cells dense with edges that stay put in every sampled frame and with bright (text)
 * pixels, in horizontal runs (a line of characters), grown by one cell so the glyphs' fringe goes
 * too. A lane mark is a single edge pair per row and fails the density; a car moves.
 */
export function osdMask(sampled: readonly Frame[], cols: number, rows: number): Uint8Array {
  const w = sampled[0]!.width;
  const texty = new Uint8Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let strong = 0;
      let bright = false;
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
        for (let x = cx * CELL; x < (cx + 1) * CELL; x++) {
          const i = y * w + x;
          let min = 255;
          for (const f of sampled) {
            const p = f.y[i]!;
            const dx = x + 1 < w ? Math.abs(f.y[i + 1]! - p) : 0;
            const dy = y + 1 < sampled[0]!.height ? Math.abs(f.y[i + w]! - p) : 0;
            const g = dx > dy ? dx : dy;
            if (g < min) min = g;
            if (min < TEXT_EDGE) break;
          }
          if (min >= TEXT_EDGE) strong++;
          if (sampled[0]!.y[i]! >= TEXT_BRIGHT) bright = true;
        }
      }
      texty[cy * cols + cx] = strong >= TEXT_PIXELS && bright ? 1 : 0;
    }
  }
  // Keep runs of ≥ 2 text cells along a row (one-cell gaps allowed): lines of characters.
  const line = new Uint8Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      if (!texty[cy * cols + cx]) continue;
      const l = (cx > 0 && texty[cy * cols + cx - 1]) || (cx > 1 && texty[cy * cols + cx - 2]);
      const r = (cx + 1 < cols && texty[cy * cols + cx + 1]) || (cx + 2 < cols && texty[cy * cols + cx + 2]);
      if (l || r) line[cy * cols + cx] = 1;
    }
  }
  const out = new Uint8Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      if (!line[cy * cols + cx]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x >= 0 && x < cols && y >= 0 && y < rows) out[y * cols + x] = 1;
        }
      }
    }
  }
  return out;
}

/** Whether pixel (x, y) lies in an OSD cell (pixels below the last whole cell row count as picture). */
export function inOsd(v: BurstView, x: number, y: number): boolean {
  const cx = Math.floor(x / CELL);
  const cy = Math.floor(y / CELL);
  return cx < v.cols && cy < v.rows && v.osd[cy * v.cols + cx] === 1;
}

export function osdFraction(v: BurstView): number {
  let n = 0;
  for (const m of v.osd) n += m;
  return n / v.osd.length;
}
