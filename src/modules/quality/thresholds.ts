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
  signalLost: { zero: 10, one: 4, measure: 'spread of luma and chroma outside the OSD (0.5–99.5 %), levels' },
  occluded: { zero: 0.13, one: 0.19, measure: 'soft cells (+½ flat, not dark, below the top third) of the largest region without detail in the still picture, each row weighed by its solidity⁴, fraction of the picture' },
  blurred: { zero: 0.15, one: 0.13, measure: '1-px / 3-px gradient energy on the strongest edges outside the OSD (1/9 smooth, 1/3 sharp step)' },
  brightness: { zero: 0, one: 1, measure: 'max of the too-dark and overexposed scores' },
  frozen: { zero: 12, one: 6, measure: 'largest mean change of an 8×8 cell (picture or OSD clock) between frames up to 2 s apart, levels' },
  noise: { zero: 1.45, one: 1.65, measure: 'median |difference| of frames against the burst’s still picture, differenced along any stripes (levels)' },
  flicker: { zero: 0.01, one: 0.03, measure: 'strongest ≥ 2 Hz component of the mean-luma series, relative to the mean level above black' },
  stripes: { zero: 0.5, one: 1.2, measure: 'band amplitude common to the four quadrants in the 2-D spectrum of frame differences, above 3× its floor' },
});

/** Sub-thresholds of the brightness score (each itself a ramp). */
export const BRIGHTNESS = Object.freeze({
  /** Mean luma (limited range, black = 16) outside the OSD. */
  darkMean: { zero: 46, one: 40 },
  /**
   * Contrast of the brightest 0.1 % against the mean, (highlight − 16) / (mean − 16): a night road
   * has lamps and headlights far above its mean (≥ 9×), an underexposed picture only its own
   * dimmed sky (≈ 2×). This, not a fixed level, vetoes "too dark".
   */
  lightContrast: { zero: 3, one: 5 },
  /** Fraction of pixels at or above 235 (limited-range white): clipped highlights. */
  clippedFraction: { zero: 0.06, one: 0.14 },
  brightMean: { zero: 200, one: 225 },
});

/** Noise's second measure: the residue relative to the cells' brightness (÷ √(level above black / 100)). */
export const NOISE_RELATIVE = Object.freeze({ zero: 2.2, one: 2.45 });

/**
 * Noise's third measure: the share of the picture (%) whose grain steps ≥ 3 levels away from the
 * still picture and stays, the lesser of the darker and brighter sides (detectors/noise.ts).
 */
export const NOISE_STEPS = Object.freeze({ zero: 0.35, one: 0.55 });

export function ramp(x: number, r: { zero: number; one: number }): number {
  if (!Number.isFinite(x)) return 0;
  const c = (x - r.zero) / (r.one - r.zero);
  return c <= 0 ? 0 : c >= 1 ? 1 : c;
}
