// Brightness abnormal: too dark (underexposed, iris or IR failure) or overexposed (clipped).
// "Too dark" needs a low mean *and* no highlights: a night road keeps its lamps and headlights.
import { BRIGHTNESS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, median, sample, type DetectorResult } from './common.js';

export interface BrightnessStats {
  mean: number;
  highlights: number;
  clipped: number;
}

export function brightnessStats(f: Frame): BrightnessStats {
  let s = 0;
  let hi = 0;
  let clip = 0;
  for (let i = 0; i < f.y.length; i++) {
    const v = f.y[i]!;
    s += v;
    if (v >= BRIGHTNESS.highlightLevel) hi++;
    if (v >= 235) clip++;
  }
  const n = f.y.length;
  return { mean: s / n, highlights: hi / n, clipped: clip / n };
}

export function detectBrightness(frames: readonly Frame[]): DetectorResult {
  const st = sample(frames, 5).map(brightnessStats);
  const mean = median(st.map((s) => s.mean));
  const highlights = median(st.map((s) => s.highlights));
  const clipped = median(st.map((s) => s.clipped));
  const dark = highlights >= BRIGHTNESS.highlightFraction ? 0 : ramp(mean, BRIGHTNESS.darkMean);
  const bright = Math.max(ramp(clipped, BRIGHTNESS.clippedFraction), ramp(mean, BRIGHTNESS.brightMean));
  const which = dark >= bright ? 'too dark' : 'overexposed';
  return {
    confidence: Math.max(dark, bright),
    measure: Math.max(dark, bright),
    parts: { dark, bright },
    detail: `${which}: mean luma ${fmt(mean, 1)}, highlights ${fmt(highlights * 100, 2)} %, clipped ${fmt(clipped * 100, 1)} %`,
  };
}
