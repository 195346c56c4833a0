// The camera's own history (issue 10): what its picture looks like when it is judged normal
// (sharpness, brightness, noise residue, and which cells show detail: the picture's layout), kept
// per light regime since a road at night is another picture than the same road by day. A camera
// that suddenly loses its edges, goes dark or is covered is then told from one that always looks
// so: against its reference, a drop counts even where the picture alone is unclear, and a region
// without detail that never had any (a sky, a wall) does not count as a cover.
import { ramp } from './thresholds.js';
import type { Condition, PictureMeasures, Regime } from './types.js';

export interface PictureReference extends Omit<PictureMeasures, 'live'> {
  /** Per cell, how often it showed detail in the normal diagnoses (0–1). */
  live: number[];
}

/** A reference is used once this many normal diagnoses are folded in. */
export const MIN_SAMPLES = 2;
/** The newest diagnosis weighs at least this much: a slowly changing scene (season, trees) follows. */
const MIN_WEIGHT = 1 / 8;

/** Night: dark on the whole but lit by lamps or headlights. */
export function regimeOf(mean: number, highlight: number): Regime {
  return mean < 60 && highlight >= 140 ? 'night' : 'day';
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** Folds a normal diagnosis into the reference (a running mean; recent ones weigh more once there are many). */
export function learn(ref: PictureReference | undefined, m: PictureMeasures, samples: number): PictureReference {
  if (!ref || ref.cols !== m.cols || ref.rows !== m.rows || ref.regime !== m.regime) return { ...m, live: m.live.map((x) => x) };
  const w = Math.max(MIN_WEIGHT, 1 / (samples + 1));
  const mix = (a: number, b: number): number => round(a * (1 - w) + b * w);
  const sharpness = ref.sharpness === null ? m.sharpness : m.sharpness === null ? ref.sharpness : mix(ref.sharpness, m.sharpness);
  return {
    regime: m.regime,
    sharpness,
    edgeCells: mix(ref.edgeCells, m.edgeCells),
    mean: mix(ref.mean, m.mean),
    highlight: mix(ref.highlight, m.highlight),
    noise: mix(ref.noise, m.noise),
    cols: m.cols,
    rows: m.rows,
    live: ref.live.map((x, i) => round(x * (1 - w) + m.live[i]! * w, 2)),
  };
}

export interface Comparison {
  /** Confidence the reference gives (to be combined with the picture's own). */
  confidence: number;
  /** Multiplier of the picture's own confidence (a region that never had detail is no cover). */
  ownWeight?: number;
  note: string;
}

/** What the reference says about each condition it knows; `ownRegion` is the occlusion region's cells. */
export function compare(ref: PictureReference, m: PictureMeasures, ownRegion: readonly number[]): Partial<Record<Condition, Comparison>> {
  const out: Partial<Record<Condition, Comparison>> = {};
  if (ref.sharpness !== null && m.sharpness !== null) {
    const rel = m.sharpness / ref.sharpness;
    out.blurred = { confidence: ramp(rel, { zero: 0.8, one: 0.6 }), note: `${round(rel, 2)}× its usual sharpness` };
  } else if (ref.edgeCells >= 20 && m.edgeCells < 0.25 * ref.edgeCells) {
    out.blurred = { confidence: 1, note: `edges lost: ${Math.round(m.edgeCells)} edge cells, usually ${Math.round(ref.edgeCells)}` };
  }
  if (ref.live.length === m.live.length) {
    const usual = ref.live.map((x) => x >= 0.6);
    const usualCount = usual.filter(Boolean).length;
    if (usualCount >= 20) {
      const lost = usual.filter((u, i) => u && !m.live[i]).length / usualCount;
      const wasLive = ownRegion.length ? ownRegion.filter((i) => ref.live[i]! >= 0.5).length / ownRegion.length : 0;
      out.occluded = {
        confidence: ramp(lost, { zero: 0.35, one: 0.55 }),
        ownWeight: Math.min(1, wasLive / 0.3),
        note: `${Math.round(lost * 100)} % of its usually detailed cells lost detail`,
      };
    }
  }
  const rel = (m.mean - 16) / Math.max(1, ref.mean - 16);
  // Only a fall far beyond what dawn or an overcast sky does to the same regime's picture.
  out.brightness = { confidence: ramp(rel, { zero: 0.25, one: 0.12 }), note: `${round(rel, 2)}× its usual brightness` };
  out.noise = { confidence: ramp(m.noise - ref.noise, { zero: 0.6, one: 1 }), note: `residue ${round(m.noise - ref.noise, 2)} above its usual` };
  return out;
}
