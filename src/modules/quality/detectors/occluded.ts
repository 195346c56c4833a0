// Occluded: something on the lens (a bag, mud, leaves, a hand) hides a large part of the view.
// Touching the lens it is far out of focus: whatever its colour and its blotches, it keeps no fine
// detail, only soft gradients. Each 8×8 cell of the burst's still picture (temporal median: no
// grain, no traffic) is live (detail), soft (gradients without detail, the mark of something
// out of focus) or flat. The measure is how much of the largest connected non-live region is
// soft, plus half its flat cells that lie where a road camera always sees the road (below the top
// third) and are not merely dark. A sky or fog is flat and high in the picture; a dark night road
// is dark; so neither counts much, while a cover does wherever it sits.
import { RAMPS, ramp } from '../thresholds.js';
import { fmt, type DetectorResult } from './common.js';
import { cellEnergy } from './cells.js';
import { CELL, type BurstView } from './view.js';

export const CELL_LIVE = 0;
export const CELL_SOFT = 1;
export const CELL_FLAT = 2;

/** 1-px gradient energy at which a flat cell still counts as live (fine texture). */
const LIVE_E1 = 8;
/** 3-px gradient energy below which a cell is flat. */
const FLAT_E3 = 12;
/** e1/e3 below this: gradients without detail (a sharp step gives 1/3). */
const SOFT_RATIO = 0.2;
/** Flat cells darker than this (mean luma) are not evidence of a cover: a night road is dark and flat. */
const DARK = 35;
const FLAT_WEIGHT = 0.5;
const SOLIDITY_POWER = 4;

export function cellClasses(v: BurstView): Uint8Array {
  const { e1, e3 } = cellEnergy(v.still, v);
  return Uint8Array.from(e1, (a, i) => (e3[i]! < FLAT_E3 ? (a >= LIVE_E1 ? CELL_LIVE : CELL_FLAT) : a / e3[i]! < SOFT_RATIO ? CELL_SOFT : CELL_LIVE));
}

/** Cells of the largest 4-connected region of `mask`. */
export function largestRegion(mask: Uint8Array, cols: number): number[] {
  const seen = new Uint8Array(mask.length);
  let best: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || seen[i]) continue;
    const region: number[] = [];
    const stack = [i];
    seen[i] = 1;
    while (stack.length) {
      const j = stack.pop()!;
      region.push(j);
      const x = j % cols;
      for (const k of [x > 0 ? j - 1 : -1, x < cols - 1 ? j + 1 : -1, j - cols, j + cols]) {
        if (k >= 0 && k < mask.length && mask[k] && !seen[k]) {
          seen[k] = 1;
          stack.push(k);
        }
      }
    }
    if (region.length > best.length) best = region;
  }
  return best;
}

function cellMean(v: BurstView, i: number): number {
  const cx = i % v.cols;
  const cy = (i - cx) / v.cols;
  let s = 0;
  for (let y = cy * CELL; y < (cy + 1) * CELL; y++) for (let x = cx * CELL; x < (cx + 1) * CELL; x++) s += v.still[y * v.width + x]!;
  return s / (CELL * CELL);
}

export interface Occlusion {
  score: number;
  /** The largest non-live region, fraction of the picture. */
  area: number;
  region: number[];
  classes: Uint8Array;
}

export function occlusionOf(v: BurstView, classes: Uint8Array = cellClasses(v)): Occlusion {
  // OSD cells are part of whatever surrounds them, and evidence of nothing.
  const region = largestRegion(Uint8Array.from(classes, (c, i) => (c !== CELL_LIVE || v.osd[i] ? 1 : 0)), v.cols);
  const lowerStart = Math.floor(v.rows / 3) * v.cols;
  const inRegion = new Uint8Array(classes.length);
  for (const i of region) inRegion[i] = 1;
  let weight = 0;
  for (let y = 0; y < v.rows; y++) {
    // A cover is solid: across a row it has no detail inside it. A dim scene's flat cells are
    // riddled with lane marks, poles and trees: the row's solidity weighs its cells.
    let lo = -1;
    let hi = -1;
    let rowWeight = 0;
    for (let x = 0; x < v.cols; x++) {
      const i = y * v.cols + x;
      if (!inRegion[i]) continue;
      if (lo < 0) lo = x;
      hi = x;
      if (v.osd[i]) continue;
      if (classes[i] === CELL_SOFT) rowWeight += 1;
      else if (classes[i] === CELL_FLAT && i >= lowerStart && cellMean(v, i) >= DARK) rowWeight += FLAT_WEIGHT;
    }
    if (lo < 0) continue;
    let inside = 0;
    for (let x = lo; x <= hi; x++) inside += inRegion[y * v.cols + x]!;
    const solidity = inside / (hi - lo + 1);
    weight += rowWeight * solidity ** SOLIDITY_POWER;
  }
  return { score: weight / classes.length, area: region.length / classes.length, region, classes };
}

export function detectOccluded(v: BurstView, o: Occlusion = occlusionOf(v)): DetectorResult {
  return {
    confidence: ramp(o.score, RAMPS.occluded),
    measure: o.score,
    parts: { area: o.area },
    detail: `covered-lens score ${fmt(o.score, 3)}: soft and flat cells of the largest region without detail (${fmt(o.area * 100, 0)} % of the picture)`,
  };
}
