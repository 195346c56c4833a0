// Signal lost: no picture, only a screen of one colour (black, NVR blue, grey), perhaps with a
// line of OSD text. Measured as how much of the picture sits at one value in luma and chroma;
// a dark night picture fails this because its grain and lights spread the values.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, median, sample, type DetectorResult } from './common.js';

const TOLERANCE = 6;

function planeMedian(p: Uint8Array): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < p.length; i++) hist[p[i]!]!++;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc * 2 >= p.length) return v;
  }
  return 255;
}

/** Fraction of pixels whose luma and both chroma samples are within ±6 of the plane medians. */
export function uniformFraction(f: Frame): number {
  const my = planeMedian(f.y);
  const mu = planeMedian(f.u);
  const mv = planeMedian(f.v);
  const cw = f.width >> 1;
  let n = 0;
  for (let y = 0; y < f.height; y++) {
    const crow = (y >> 1) * cw;
    for (let x = 0; x < f.width; x++) {
      const c = crow + (x >> 1);
      if (Math.abs(f.y[y * f.width + x]! - my) <= TOLERANCE && Math.abs(f.u[c]! - mu) <= TOLERANCE && Math.abs(f.v[c]! - mv) <= TOLERANCE) n++;
    }
  }
  return n / (f.width * f.height);
}

export function detectSignalLost(frames: readonly Frame[]): DetectorResult {
  const u = median(sample(frames, 5).map(uniformFraction));
  return { confidence: ramp(u, RAMPS.signalLost), measure: u, detail: `uniform fraction ${fmt(u, 3)}` };
}
