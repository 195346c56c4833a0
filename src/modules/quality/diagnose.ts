// The image-quality diagnosis of one camera from a burst of decoded frames (CONTRACT §3 flags
// 2–9). Pure and synchronous: the burst is looked at once (sampled frames, still picture, OSD
// mask), one detector per condition, then the camera's reference (when it has one) and the rule
// that "no picture" masks the rest.
import { detectBlurred, sharpnessOf } from './detectors/blurred.js';
import { brightnessOf, detectBrightness } from './detectors/brightness.js';
import type { DetectorResult } from './detectors/common.js';
import { detectFlicker } from './detectors/flicker.js';
import { detectFrozen } from './detectors/frozen.js';
import { detectNoise } from './detectors/noise.js';
import { CELL_LIVE, CELL_SOFT, detectOccluded, occlusionOf } from './detectors/occluded.js';
import { detectSignalLost } from './detectors/signalLost.js';
import { detectStripes } from './detectors/stripes.js';
import { burstView } from './detectors/view.js';
import { compare, MIN_SAMPLES, regimeOf, type PictureReference } from './reference.js';
import { FLAG_AT } from './thresholds.js';
import { CONDITIONS, type Condition, type Diagnosis, type Frame, type PictureMeasures } from './types.js';

export { confidenceList, statusBits } from './format.js';

export interface DiagnoseOptions {
  /** Frame rate of the burst, for the flicker frequency (default 25). */
  fps?: number;
  /** The camera's references by regime; one with fewer than MIN_SAMPLES diagnoses is not used. */
  references?: Partial<Record<PictureMeasures['regime'], { samples: number; measures: PictureReference }>>;
}

export interface Analysis {
  results: Record<Condition, DetectorResult>;
  measures: PictureMeasures;
  /** The occlusion region's cells, for the reference's layout comparison. */
  region: number[];
}

/** Every detector on the burst, and the measures a reference is learned from. */
export function analyse(frames: readonly Frame[], fps = 25): Analysis {
  if (frames.length === 0) throw new RangeError('diagnose needs at least one frame');
  const w = frames[0]!.width;
  const h = frames[0]!.height;
  if (frames.some((f) => f.width !== w || f.height !== h)) throw new RangeError('diagnose needs frames of one size');
  const v = burstView(frames);
  const sharp = sharpnessOf(v);
  const light = brightnessOf(v);
  const occ = occlusionOf(v);
  const stripes = detectStripes(v);
  const brightness = detectBrightness(v, light);
  const results: Record<Condition, DetectorResult> = {
    signalLost: detectSignalLost(v),
    occluded: detectOccluded(v, occ),
    blurred: detectBlurred(v, sharp, occ.classes.filter((c, i) => c === CELL_SOFT && !v.osd[i]).length / occ.classes.length),
    brightness,
    frozen: detectFrozen(v),
    noise: detectNoise(v, stripes, brightness),
    flicker: detectFlicker(v, fps),
    stripes,
  };
  const measures: PictureMeasures = {
    regime: regimeOf(light.mean, light.highlight),
    sharpness: Number.isFinite(sharp.ratio) ? Math.round(sharp.ratio * 1000) / 1000 : null,
    edgeCells: sharp.edgeCells,
    mean: Math.round(light.mean * 10) / 10,
    highlight: light.highlight,
    noise: Number.isFinite(results.noise.measure) ? Math.round(results.noise.measure * 100) / 100 : 0,
    cols: v.cols,
    rows: v.rows,
    live: Array.from(occ.classes, (c, i) => (c === CELL_LIVE && !v.osd[i] ? 1 : 0)),
  };
  return { results, measures, region: occ.region };
}

export function diagnose(frames: readonly Frame[], opts: DiagnoseOptions = {}): Diagnosis {
  const a = analyse(frames, opts.fps ?? 25);
  const ref = opts.references?.[a.measures.regime];
  return judge(a, ref && ref.samples >= MIN_SAMPLES ? ref.measures : undefined);
}

/** Confidences, flags and details from an analysis and the camera's reference for its regime. */
export function judge(a: Analysis, ref?: PictureReference): Diagnosis {
  const conf = Object.fromEntries(CONDITIONS.map((c) => [c, a.results[c].confidence])) as Record<Condition, number>;
  const details = Object.fromEntries(CONDITIONS.map((c) => [c, a.results[c].detail])) as Record<Condition, string>;
  if (ref) {
    for (const [c, cmp] of Object.entries(compare(ref, a.measures, a.region)) as Array<[Condition, NonNullable<ReturnType<typeof compare>[Condition]>]>) {
      const own = conf[c] * (cmp.ownWeight ?? 1);
      conf[c] = Math.max(own, cmp.confidence);
      details[c] += `; against its reference: ${cmp.note}`;
    }
  }
  // Defocus takes the detail out of the whole picture: what is soft everywhere is blurred, and a
  // cover is only told where the rest stays sharp.
  conf.occluded *= 1 - conf.blurred;
  const lost = conf.signalLost;
  const confidences = {} as Record<Condition, number>;
  const flags = {} as Record<Condition, boolean>;
  for (const c of CONDITIONS) {
    // With no picture there is nothing to be occluded, blurred or frozen: a black screen is
    // "signal lost", not also eight other faults.
    const v = c === 'signalLost' ? lost : conf[c] * (1 - lost);
    confidences[c] = Math.round(v * 1000) / 1000;
    flags[c] = confidences[c] >= FLAG_AT;
  }
  return { confidences, flags, details, measures: a.measures };
}
