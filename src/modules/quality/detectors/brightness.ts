// Brightness abnormal: too dark (underexposed, iris or IR failure) or overexposed (clipped).
// "Too dark" needs a low mean *and* no light sources: a night road keeps its lamps and headlights,
// an underexposed day picture has nothing near white. Overexposed: much of the picture clipped.
import { BRIGHTNESS, ramp } from '../thresholds.js';
import { fmt, median, type DetectorResult } from './common.js';
import { inOsd, type BurstView } from './view.js';
import type { Frame } from '../types.js';

/** Lights at night are few and small: the level of the brightest dozen pixels tells whether any are on. */
const HIGHLIGHT_SHARE = 0.0002;

export interface BrightnessStats {
  mean: number;
  /** Luma of the brightest 0.02 % (~12 pixels: a pair of distant headlights), OSD left out. */
  highlight: number;
  /** Fraction at or above 235 (limited-range white). */
  clipped: number;
}

export function brightnessStats(f: Frame, v: BurstView): BrightnessStats {
  const hist = new Uint32Array(256);
  let n = 0;
  let s = 0;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      if (inOsd(v, x, y)) continue;
      const p = f.y[y * f.width + x]!;
      hist[p]!++;
      s += p;
      n++;
    }
  }
  let acc = 0;
  let highlight = 0;
  for (let p = 255; p >= 0; p--) {
    acc += hist[p]!;
    if (acc >= n * HIGHLIGHT_SHARE) {
      highlight = p;
      break;
    }
  }
  let clip = 0;
  for (let p = 235; p < 256; p++) clip += hist[p]!;
  return { mean: n ? s / n : 0, highlight, clipped: n ? clip / n : 0 };
}

export function brightnessOf(v: BurstView): BrightnessStats {
  const st = v.sampled.map((f) => brightnessStats(f, v));
  return { mean: median(st.map((s) => s.mean)), highlight: median(st.map((s) => s.highlight)), clipped: median(st.map((s) => s.clipped)) };
}

export function detectBrightness(v: BurstView, st: BrightnessStats = brightnessOf(v)): DetectorResult {
  const lit = ramp((st.highlight - 16) / Math.max(1, st.mean - 16), BRIGHTNESS.lightContrast);
  const dark = ramp(st.mean, BRIGHTNESS.darkMean) * (1 - lit);
  const bright = Math.max(ramp(st.clipped, BRIGHTNESS.clippedFraction), ramp(st.mean, BRIGHTNESS.brightMean));
  const which = Math.max(dark, bright) < 0.5 ? 'exposure normal' : dark >= bright ? 'too dark' : 'overexposed';
  return {
    confidence: Math.max(dark, bright),
    measure: Math.max(dark, bright),
    parts: { dark, bright, mean: st.mean, highlight: st.highlight, clipped: st.clipped },
    detail: `${which}: mean luma ${fmt(st.mean, 1)}, brightest 0.02 % at ${fmt(st.highlight, 0)}, clipped ${fmt(st.clipped * 100, 1)} %`,
  };
}
