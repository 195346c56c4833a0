// Every detector maps its measure to a confidence with a linear ramp: 0 at `zero`, 1 at `one`
// (zero > one for measures where smaller is worse). A condition is flagged at confidence ≥ 0.5, so
// the decision threshold is the ramp's midpoint. Values are in 8-bit luma levels of the 320×180
// analysis picture unless said otherwise; why each sits where it does is in its detector.
import type { Condition } from './types.js';

export interface Ramp {
  zero: number;
  one: number;
  /** What the measure is, for the detail string and the docs. */
  measure: string;
}

export const FLAG_AT = 0.5;

export const RAMPS: Readonly<Record<Condition, Ramp>> = Object.freeze({
  signalLost: { zero: 0.9, one: 0.98, measure: 'fraction of pixels within ±6 levels of the picture’s median (luma and chroma)' },
  occluded: { zero: 0.35, one: 0.6, measure: 'largest connected area of flat 16×16 blocks, fraction of the picture' },
  blurred: { zero: 0.22, one: 0.16, measure: '1-px / 3-px gradient energy ratio on the textured blocks (1/9 smooth, 1/3 sharp step, 1 pixel noise)' },
  brightness: { zero: 0, one: 1, measure: 'max of the too-dark and overexposed scores' },
  frozen: { zero: 0.06, one: 0.01, measure: 'median fraction of 16×16 blocks that change between consecutive frames' },
  noise: { zero: 1.8, one: 2.8, measure: 'noise σ: min of spatial (Immerkær, flattest blocks) and temporal (static blocks) estimates, over the burst or on its first (key) frame' },
  flicker: { zero: 1.2, one: 3, measure: 'amplitude of the strongest ≥ 2 Hz component of the global luma series' },
  stripes: { zero: 1.5, one: 4, measure: 'band amplitude common to every strip, in the row/column profiles of frame differences' },
});

/** Sub-thresholds of the brightness score (each itself a ramp). */
export const BRIGHTNESS = Object.freeze({
  /**
   * Mean luma (limited range, black = 16): flagged below ~32, i.e. the average pixel within 16
   * levels of black. A dusk picture (mean ≈45) is dark but still shows the road.
   */
  darkMean: { zero: 40, one: 25 },
  /** A night picture keeps lamps and headlights: this fraction of pixels ≥ 170 vetoes "too dark". */
  highlightLevel: 170,
  highlightFraction: 0.002,
  /** Fraction of pixels at or above 235 (limited-range white): clipped highlights. */
  clippedFraction: { zero: 0.15, one: 0.35 },
  brightMean: { zero: 175, one: 200 },
});

export function ramp(x: number, r: { zero: number; one: number }): number {
  if (!Number.isFinite(x)) return 0;
  const c = (x - r.zero) / (r.one - r.zero);
  return c <= 0 ? 0 : c >= 1 ? 1 : c;
}
