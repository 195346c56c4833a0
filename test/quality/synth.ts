// Synthetic frames for the pure detector tests (not a test file itself): deterministic textures,
// noise and defects built in JS, so each detector is checked without FFmpeg.
import type { Frame } from '../../src/modules/quality/types.js';
import { seededRandom } from '../../src/sim/random.js';

export const W = 320;
export const H = 180;

/** Deterministic PRNG, so a failing case fails the same way every run. */
export const rng = seededRandom;

export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const clip = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

export function frameFromLuma(luma: ArrayLike<number>, u = 128, v = 128): Frame {
  const y = new Uint8Array(W * H);
  for (let i = 0; i < y.length; i++) y[i] = clip(luma[i]!);
  return { width: W, height: H, y, u: new Uint8Array((W * H) / 4).fill(u), v: new Uint8Array((W * H) / 4).fill(v) };
}

/** A road-like picture: smooth asphalt texture with sharp lane marks and a few car-like boxes. */
export function texture(seed = 1, base = 100, contrast = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(W * H);
  // Texture: blocky random field, so it has structure at several scales.
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = base + contrast * (gauss(r) * 6 + 10 * Math.sin(x / 7 + seed) * Math.sin(y / 5));
  for (let k = 0; k < 8; k++) {
    const bx = Math.floor(r() * (W - 40));
    const by = Math.floor(r() * (H - 20));
    const level = base + contrast * (r() > 0.5 ? 90 : -60);
    for (let y = by; y < by + 18; y++) for (let x = bx; x < bx + 36; x++) out[y * W + x] = level;
  }
  for (let y = 0; y < H; y++) for (const lx of [100, 220]) for (let x = lx; x < lx + 4; x++) if (y % 40 < 24) out[y * W + x] = base + contrast * 120;
  return out;
}

/** `n` frames of one picture with fresh Gaussian sensor noise σ in each. */
export function live(pic: ArrayLike<number>, n: number, sigma: number, seed = 9, perFrame?: (i: number, y: number, x: number) => number): Frame[] {
  const r = rng(seed);
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const l = new Float64Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) l[y * W + x] = pic[y * W + x]! + sigma * gauss(r) + (perFrame ? perFrame(i, y, x) : 0);
    frames.push(frameFromLuma(l));
  }
  return frames;
}

/** Box blur of radius `rad`, separable, edges clamped. */
export function boxBlur(pic: Float64Array, rad: number): Float64Array {
  const tmp = new Float64Array(W * H);
  const out = new Float64Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let d = -rad; d <= rad; d++) s += pic[y * W + Math.min(W - 1, Math.max(0, x + d))]!;
      tmp[y * W + x] = s / (2 * rad + 1);
    }
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let d = -rad; d <= rad; d++) s += tmp[Math.min(H - 1, Math.max(0, y + d)) * W + x]!;
      out[y * W + x] = s / (2 * rad + 1);
    }
  return out;
}
