// Blurred (out of focus): the ratio of 1-pixel to 3-pixel gradient energy, Σe1/Σe3, over the
// picture's strongest edges outside the OSD (lane marks, vehicles, poles, tree outlines). It does
// not depend on contrast: a sharp step gives 1/3, a defocused one tends to 1/9. The OSD is drawn
// sharp on top of a blurred picture and is left out; a picture with too few edges (dense fog, a
// night road) gets no verdict of its own rather than a guess.
import { RAMPS, ramp } from '../thresholds.js';
import { fmt, type DetectorResult } from './common.js';
import { cellEnergy } from './cells.js';
import type { BurstView } from './view.js';

/** A cell with less 3-pixel energy than this (a ~7-level step) has no edge worth judging. */
const EDGE_MIN = 50;
/** Fewer edge cells than this: no verdict. */
export const MIN_EDGE_CELLS = 8;
const TOP_SHARE = 0.3;
/** Share of soft cells that makes an edgeless picture blurred. */
const SOFT_WITHOUT_EDGES = { zero: 0.2, one: 0.35 };

export interface Sharpness {
  ratio: number;
  edgeCells: number;
}

export function sharpnessOf(v: BurstView): Sharpness {
  // The still picture (temporal median): grain, which looks like fine detail, is gone; the road,
  // its marks, poles and trees stay.
  const { e1, e3 } = cellEnergy(v.still, v);
  const cells: number[] = [];
  for (let i = 0; i < e3.length; i++) if (!v.osd[i] && e3[i]! >= EDGE_MIN) cells.push(i);
  if (cells.length < MIN_EDGE_CELLS) return { ratio: NaN, edgeCells: cells.length };
  cells.sort((a, b) => e3[b]! - e3[a]!);
  const top = cells.slice(0, Math.max(MIN_EDGE_CELLS, Math.round(cells.length * TOP_SHARE)));
  let s1 = 0;
  let s3 = 0;
  for (const i of top) {
    s1 += e1[i]!;
    s3 += e3[i]!;
  }
  return { ratio: s1 / s3, edgeCells: cells.length };
}

/**
 * `softShare`: the share of the picture's cells with gradients but no detail (see occluded.ts).
 * Without edges to judge, a picture that still has structure everywhere, only soft, is blurred
 * past its edges; one that is flat (fog, a dark night) gets no verdict.
 */
export function detectBlurred(v: BurstView, s: Sharpness = sharpnessOf(v), softShare = 0): DetectorResult {
  if (!Number.isFinite(s.ratio)) {
    const c = ramp(softShare, SOFT_WITHOUT_EDGES);
    return {
      confidence: c,
      measure: NaN,
      parts: { edgeCells: s.edgeCells, softShare },
      detail: `${fmt(s.edgeCells, 0)} edge cells outside the OSD: ${c >= 0.5 ? 'soft all over' : 'no verdict'} (${fmt(softShare * 100, 0)} % soft cells)`,
    };
  }
  return {
    confidence: ramp(s.ratio, RAMPS.blurred),
    measure: s.ratio,
    parts: { edgeCells: s.edgeCells },
    detail: `edge sharpness ${fmt(s.ratio, 3)} (1-px/3-px gradient energy on the strongest edges, ${fmt(s.edgeCells, 0)} edge cells outside the OSD)`,
  };
}
