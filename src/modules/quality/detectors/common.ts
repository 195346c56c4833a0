// Small numeric helpers over luma planes shared by the detectors.
import type { Frame } from '../types.js';

export const BLOCK = 16;

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

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))]!;
}

export function meanOf(p: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i]!;
  return s / p.length;
}

/** Per 16×16 block luma standard deviation, row-major over the whole blocks of the frame. */
export function blockStd(f: Frame): { cols: number; rows: number; std: Float64Array } {
  const cols = Math.floor(f.width / BLOCK);
  const rows = Math.floor(f.height / BLOCK);
  const std = new Float64Array(cols * rows);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let s = 0;
      let s2 = 0;
      for (let y = by * BLOCK; y < (by + 1) * BLOCK; y++) {
        const row = y * f.width;
        for (let x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) {
          const v = f.y[row + x]!;
          s += v;
          s2 += v * v;
        }
      }
      const n = BLOCK * BLOCK;
      const m = s / n;
      std[by * cols + bx] = Math.sqrt(Math.max(0, s2 / n - m * m));
    }
  }
  return { cols, rows, std };
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
