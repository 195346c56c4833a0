// Flicker: the whole picture's brightness oscillating (lighting at mains frequency beating
// against the shutter). The strongest ≥ 2 Hz component of the mean-luma series, after removing
// its linear trend: slower swings (a cloud, exposure settling, a big truck crossing the view) do
// not repeat within a 2 s burst and are not flicker. Traffic moves the mean by a level or so.
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, meanOf, type DetectorResult } from './common.js';

const MIN_HZ = 2;

export function flickerPeak(series: readonly number[], fps: number): { amplitude: number; hz: number } {
  const n = series.length;
  const xs = series.map((_, i) => i);
  const mx = (n - 1) / 2;
  const my = series.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (series[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const d = series.map((v, i) => v - my - slope * (i - mx));
  const kMin = Math.max(1, Math.ceil((MIN_HZ * n) / fps));
  let best = { amplitude: 0, hz: 0 };
  for (let k = kMin; k <= n >> 1; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += d[i]! * Math.cos((2 * Math.PI * k * i) / n);
      im -= d[i]! * Math.sin((2 * Math.PI * k * i) / n);
    }
    const a = ((k === n / 2 ? 1 : 2) * Math.hypot(re, im)) / n;
    if (a > best.amplitude) best = { amplitude: a, hz: (k * fps) / n };
  }
  return best;
}

export function detectFlicker(frames: readonly Frame[], fps = 25): DetectorResult {
  if (frames.length < 8) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  const p = flickerPeak(frames.map((f) => meanOf(f.y)), fps);
  return { confidence: ramp(p.amplitude, RAMPS.flicker), measure: p.amplitude, detail: `brightness swing ±${fmt(p.amplitude, 1)} levels at ${fmt(p.hz, 1)} Hz` };
}
