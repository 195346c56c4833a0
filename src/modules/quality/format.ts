// The province's quality fields (CONTRACT §3): cameraStatus flags and cameraConfidence list.
import { CONDITIONS, type Diagnosis } from './types.js';

/**
 * '0'/'1' flags, left to right: offline, then the eight conditions in CONDITIONS order. Widths
 * above 9 are padded with '0' on the right (the E-4.3 demo shows 10). When offline there is no
 * picture to judge, so only the first flag is set.
 */
export function statusBits(offline: boolean, d: Diagnosis | undefined, width = 9): string {
  if (!Number.isInteger(width) || width < 9) throw new RangeError(`cameraStatus width must be an integer ≥ 9, got ${width}`);
  const bits = [offline ? '1' : '0', ...CONDITIONS.map((c) => (!offline && d?.flags[c] ? '1' : '0'))];
  return bits.join('').padEnd(width, '0');
}

/** Decimals of each confidence: two are enough for a [0,1] score and keep the field short. */
export const CONFIDENCE_DECIMALS = 2;

/** The eight confidences 'a|b|…' for flags 2–9, each fixed to two decimals ("0.00" when offline). */
export function confidenceList(d: Diagnosis | undefined): string {
  return CONDITIONS.map((c) => {
    const v = d?.confidences[c] ?? 0;
    return (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0).toFixed(CONFIDENCE_DECIMALS);
  }).join('|');
}
