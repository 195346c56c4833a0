// The image-quality diagnosis of one camera from a burst of decoded frames (CONTRACT §3 flags
// 2–9). Pure and synchronous: one detector per condition, then "no picture" masks the rest.
import { detectBlurred } from './detectors/blurred.js';
import { detectBrightness } from './detectors/brightness.js';
import type { DetectorResult } from './detectors/common.js';
import { detectFlicker } from './detectors/flicker.js';
import { detectFrozen } from './detectors/frozen.js';
import { detectNoise } from './detectors/noise.js';
import { detectOccluded } from './detectors/occluded.js';
import { detectSignalLost } from './detectors/signalLost.js';
import { detectStripes } from './detectors/stripes.js';
import { FLAG_AT } from './thresholds.js';
import { CONDITIONS, type Condition, type Diagnosis, type Frame } from './types.js';

export { confidenceList, statusBits } from './format.js';

export interface DiagnoseOptions {
  /** Frame rate of the burst, for the flicker frequency (default 25). */
  fps?: number;
}

export function diagnose(frames: readonly Frame[], opts: DiagnoseOptions = {}): Diagnosis {
  if (frames.length === 0) throw new RangeError('diagnose needs at least one frame');
  const w = frames[0]!.width;
  const h = frames[0]!.height;
  if (frames.some((f) => f.width !== w || f.height !== h)) throw new RangeError('diagnose needs frames of one size');
  const r: Record<Condition, DetectorResult> = {
    signalLost: detectSignalLost(frames),
    occluded: detectOccluded(frames),
    blurred: detectBlurred(frames),
    brightness: detectBrightness(frames),
    frozen: detectFrozen(frames),
    noise: detectNoise(frames),
    flicker: detectFlicker(frames, opts.fps ?? 25),
    stripes: detectStripes(frames),
  };
  const lost = r.signalLost.confidence;
  // A picture without texture has whole-picture causes (underexposed, out of focus) before a
  // local one: occlusion is judged only as far as those are ruled out.
  r.occluded.confidence *= (1 - r.blurred.confidence) * (1 - (r.brightness.parts?.['dark'] ?? 0));
  const confidences = {} as Record<Condition, number>;
  const flags = {} as Record<Condition, boolean>;
  const details = {} as Record<Condition, string>;
  for (const c of CONDITIONS) {
    // With no picture there is nothing to be occluded, blurred or frozen: a black screen is
    // "signal lost", not also eight other faults.
    const conf = c === 'signalLost' ? lost : r[c].confidence * (1 - lost);
    confidences[c] = Math.round(conf * 1000) / 1000;
    flags[c] = confidences[c] >= FLAG_AT;
    details[c] = r[c].detail;
  }
  return { confidences, flags, details };
}
