// Flicker: the whole picture's brightness oscillating (lighting at mains frequency beating
// against the shutter). The strongest ≥ 2 Hz component of the mean-luma series, after removing
// its linear trend: slower swings (a cloud, exposure settling, a big truck crossing the view) do
// not repeat within a 2 s burst and are not flicker. Traffic moves the mean by a level or so.
import { RAMPS, ramp } from '../thresholds.js';
import { fmt, meanOf, type DetectorResult } from './common.js';
import type { BurstView } from './view.js';

const MIN_HZ = 2;
/** Below this mean (levels above black) a swing is judged against this level: a black picture has no light to flicker. */
const FLICKER_MIN_LEVEL = 20;

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

export function detectFlicker(v: BurstView, fps = 25): DetectorResult {
  const frames = v.frames;
  if (frames.length < 8) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  const series = frames.map((f) => meanOf(f.y));
  const p = flickerPeak(series, fps);
  // Relative to the light there is: ±3 levels is a strong swing at night, a faint one by day.
  const level = Math.max(FLICKER_MIN_LEVEL, series.reduce((a, b) => a + b, 0) / series.length - 16);
  const rel = p.amplitude / level;
  return {
    confidence: ramp(rel, RAMPS.flicker),
    measure: rel,
    parts: { amplitude: p.amplitude, hz: p.hz },
    detail: `brightness swing ±${fmt(rel * 100, 1)} % (±${fmt(p.amplitude, 1)} levels) at ${fmt(p.hz, 1)} Hz`,
  };
}
