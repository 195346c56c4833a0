// Small numeric helpers over luma planes shared by the detectors.
import type { Frame } from '../types.js';

export interface DetectorResult {
  confidence: number;
  measure: number;
  detail: string;
  /** Named sub-scores, when a detector has several (brightness: dark, bright). */
  parts?: Record<string, number>;
}

/** Every `step`-th frame, at most `max` of them: spatial measures do not need all 50. */
export function sample(frames: readonly Frame[], max = 10): Frame[] {
  if (frames.length <= max) return [...frames];
  const step = frames.length / max;
  return Array.from({ length: max }, (_, i) => frames[Math.floor(i * step)]!);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function meanOf(p: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i]!;
  return s / p.length;
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
