// Signal lost: no picture, only a screen of one colour (black, NVR blue, grey, decoder green),
// perhaps with text on it. Measured as the spread of values outside the OSD/text: a screen has
// none; any picture, however dark or underexposed, keeps a sky brighter than its road, lamps,
// lane marks or grain, so its spread stays above a few levels.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, median, type DetectorResult } from './common.js';
import { inOsd, type BurstView } from './view.js';

/** Spread between the 0.5th and 99.5th percentile of a histogram. */
function spread(hist: Uint32Array, n: number): number {
  if (n === 0) return 0;
  const lo = n * 0.005;
  const hi = n * 0.995;
  let acc = 0;
  let a = -1;
  let b = 255;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (a < 0 && acc > lo) a = v;
    if (acc >= hi) {
      b = v;
      break;
    }
  }
  return b - Math.max(0, a);
}

/** The largest of the luma and chroma spreads of one frame, OSD left out. */
export function pictureSpread(f: Frame, v: BurstView): number {
  const hy = new Uint32Array(256);
  const hu = new Uint32Array(256);
  const hv = new Uint32Array(256);
  let ny = 0;
  let nc = 0;
  const cw = f.width >> 1;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      if (inOsd(v, x, y)) continue;
      hy[f.y[y * f.width + x]!]!++;
      ny++;
      if (!(x & 1) && !(y & 1)) {
        const c = (y >> 1) * cw + (x >> 1);
        hu[f.u[c]!]!++;
        hv[f.v[c]!]!++;
        nc++;
      }
    }
  }
  return Math.max(spread(hy, ny), spread(hu, nc), spread(hv, nc));
}

export function detectSignalLost(v: BurstView): DetectorResult {
  const s = median(v.sampled.map((f) => pictureSpread(f, v)));
  return { confidence: ramp(s, RAMPS.signalLost), measure: s, detail: `picture spread ${fmt(s, 0)} levels (outside the OSD)` };
}
