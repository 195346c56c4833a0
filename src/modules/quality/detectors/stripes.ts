// Rolling stripes (interference bands, a bad power supply or cable): periodic bands across the
// whole picture that move between frames. Taken on the difference of frames a few apart, so the
// scene's own fixed structure (lanes, bars, the horizon) cancels; the band must show at the same
// frequency in every strip of the picture, so a car crossing one strip does not count; and it
// must stand above its spectral neighbours, so a single edge (broad spectrum) does not either.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, median, type DetectorResult } from './common.js';

/** Frames between the two differenced: a band rolling 0.5–3 periods a second moves far enough in 0.24 s. */
const LAG = 6;
const STRIPS = 4;
/** Periods from 3 px up to a quarter of the picture. */
const MIN_PERIOD = 3;

/** Mean of `a − b` along each row (axis 'rows') or column, per strip across the other axis. */
function diffProfiles(a: Frame, b: Frame, axis: 'rows' | 'cols'): Float64Array[] {
  const { width: w, height: h } = a;
  const len = axis === 'rows' ? h : w;
  const across = axis === 'rows' ? w : h;
  const out: Float64Array[] = [];
  for (let s = 0; s < STRIPS; s++) {
    const lo = Math.floor((s * across) / STRIPS);
    const hi = Math.floor(((s + 1) * across) / STRIPS);
    const p = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      let sum = 0;
      for (let j = lo; j < hi; j++) {
        const idx = axis === 'rows' ? i * w + j : j * w + i;
        sum += a.y[idx]! - b.y[idx]!;
      }
      p[i] = sum / (hi - lo);
    }
    out.push(p);
  }
  return out;
}

interface Basis {
  hann: Float64Array;
  cos: Float64Array;
  sin: Float64Array;
}
const bases = new Map<number, Basis>();

/** Window and twiddles for length n, computed once: the profiles are always the same two lengths. */
function basis(n: number): Basis {
  let b = bases.get(n);
  if (!b) {
    const half = (n >> 1) + 1;
    b = { hann: new Float64Array(n), cos: new Float64Array(half * n), sin: new Float64Array(half * n) };
    for (let i = 0; i < n; i++) b.hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    for (let k = 0; k < half; k++) {
      for (let i = 0; i < n; i++) {
        b.cos[k * n + i] = Math.cos((2 * Math.PI * k * i) / n);
        b.sin[k * n + i] = Math.sin((2 * Math.PI * k * i) / n);
      }
    }
    bases.set(n, b);
  }
  return b;
}

/** Hann-windowed amplitude spectrum, bins 0…n/2, in levels of a sinusoid. */
function spectrum(p: Float64Array): Float64Array {
  const n = p.length;
  const b = basis(n);
  let m = 0;
  for (const v of p) m += v;
  m /= n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (p[i]! - m) * b.hann[i]!;
  const out = new Float64Array((n >> 1) + 1);
  for (let k = 1; k <= n >> 1; k++) {
    let re = 0;
    let im = 0;
    const o = k * n;
    for (let i = 0; i < n; i++) {
      re += x[i]! * b.cos[o + i]!;
      im -= x[i]! * b.sin[o + i]!;
    }
    out[k] = (4 * Math.hypot(re, im)) / n;
  }
  return out;
}

/** The largest band amplitude present in every strip, above each strip's local spectral floor. */
export function bandScore(a: Frame, b: Frame, axis: 'rows' | 'cols'): { amplitude: number; period: number } {
  const profiles = diffProfiles(a, b, axis);
  const len = profiles[0]!.length;
  const specs = profiles.map(spectrum);
  const kMin = 4; // periods up to a quarter of the picture
  const kMax = Math.floor(len / MIN_PERIOD);
  let best = { amplitude: 0, period: 0 };
  for (let k = kMin; k <= Math.min(kMax, len >> 1); k++) {
    let common = Infinity;
    for (const sp of specs) {
      const around: number[] = [];
      for (let j = k - 8; j <= k + 8; j++) if (Math.abs(j - k) > 2 && j >= 1 && j < sp.length) around.push(sp[j]!);
      // Leakage of a band between two bins: take the larger of the pair.
      const peak = Math.max(sp[k]!, k + 1 < sp.length ? sp[k + 1]! : 0);
      common = Math.min(common, peak - median(around));
    }
    if (common > best.amplitude) best = { amplitude: common, period: len / k };
  }
  return best;
}

export function detectStripes(frames: readonly Frame[]): DetectorResult {
  if (frames.length <= LAG) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  const rows: number[] = [];
  const cols: number[] = [];
  const periods: Array<[number, number]> = [];
  for (let i = 0; i + LAG < frames.length; i += 5) {
    const r = bandScore(frames[i + LAG]!, frames[i]!, 'rows');
    const c = bandScore(frames[i + LAG]!, frames[i]!, 'cols');
    rows.push(r.amplitude);
    cols.push(c.amplitude);
    periods.push([r.period, c.period]);
  }
  const mr = median(rows);
  const mc = median(cols);
  const horizontal = mr >= mc;
  const a = Math.max(mr, mc);
  const per = median(periods.map((p) => (horizontal ? p[0] : p[1])));
  return {
    confidence: ramp(a, RAMPS.stripes),
    measure: a,
    detail: `${horizontal ? 'horizontal' : 'vertical'} bands ±${fmt(a, 1)} levels (difference), period ≈${fmt(per, 0)} px`,
  };
}
