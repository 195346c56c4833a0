// Deterministic randomness for the scene generator: one seed gives the same clip on every machine.

import { seededRandom } from '../random.js';

/** mulberry32 (the simulators' one seeded PRNG): good enough for textures and layouts. */
export const rng = seededRandom;

const GAUSS_SIZE = 1 << 16;
let gaussTable: Float32Array | undefined;

/** 64 k standard normal samples: per-pixel sensor noise drawn from it costs one table read. */
function table(): Float32Array {
  if (!gaussTable) {
    const r = rng(0x5eed);
    gaussTable = new Float32Array(GAUSS_SIZE);
    for (let i = 0; i < GAUSS_SIZE; i++) gaussTable[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  }
  return gaussTable;
}

/** Adds N(0, σ²) to every sample of `plane`; xorshift picks table entries, so a frame costs a few ms. */
export function addGaussian(plane: Float32Array, sigma: number, seed: number): void {
  if (sigma <= 0) return;
  const g = table();
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < plane.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    plane[i]! += sigma * g[(s >>> 0) & (GAUSS_SIZE - 1)]!;
  }
}

/** Smooth random field in [-1, 1]: a random grid every `cell` pixels, bilinearly interpolated. */
export function valueNoise(width: number, height: number, cell: number, r: () => number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => r() * 2 - 1);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = y / cell;
    const iy = Math.floor(fy);
    const ty = fy - iy;
    const sy = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < width; x++) {
      const fx = x / cell;
      const ix = Math.floor(fx);
      const tx = fx - ix;
      const sx = tx * tx * (3 - 2 * tx);
      const a = grid[iy * gw + ix]!;
      const b = grid[iy * gw + ix + 1]!;
      const c = grid[(iy + 1) * gw + ix]!;
      const d = grid[(iy + 1) * gw + ix + 1]!;
      out[y * width + x] = a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
    }
  }
  return out;
}

/** Box blur of radius `rad` in place (running sums, edges clamped); twice gives a near-Gaussian defocus. */
export function boxBlur(plane: Float32Array, width: number, height: number, rad: number): void {
  const r = Math.round(rad);
  if (r < 1) return;
  const n = 2 * r + 1;
  const line = new Float32Array(Math.max(width, height));
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) line[x] = plane[o + x]!;
    let s = 0;
    for (let k = -r; k <= r; k++) s += line[Math.min(width - 1, Math.max(0, k))]!;
    for (let x = 0; x < width; x++) {
      plane[o + x] = s / n;
      s += line[Math.min(width - 1, x + r + 1)]! - line[Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[y] = plane[y * width + x]!;
    let s = 0;
    for (let k = -r; k <= r; k++) s += line[Math.min(height - 1, Math.max(0, k))]!;
    for (let y = 0; y < height; y++) {
      plane[y * width + x] = s / n;
      s += line[Math.min(height - 1, y + r + 1)]! - line[Math.max(0, y - r)]!;
    }
  }
}
