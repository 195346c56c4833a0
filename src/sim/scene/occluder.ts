// Something on the lens (a plastic bag, mud, leaves, a hand): a soft-edged cover of the given share
// of the picture, textured by its material, far out of focus, lit by the camera's own illuminator at
// night, swaying a little in the wind. Made once per clip, laid over every frame.
import { boxBlur, valueNoise } from './random.js';

export type OccluderMaterial = 'bag' | 'mud' | 'leaves' | 'hand';
export type Side = 'left' | 'right' | 'top' | 'bottom' | 'corner' | 'centre';
export type OccluderDefect = { kind: 'occluder'; material: OccluderMaterial; cover: number; from: Side };

/** A picture as three planes of linear values, one per colour. */
export interface Rgb {
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
}

export interface Occluder {
  alpha: Float32Array;
  rgb: Rgb;
  /** Sideways sway in pixels. */
  sway: number;
}

export function makeOccluder(d: OccluderDefect, r: () => number, W: number, H: number, lighting: { gain: number; tint: readonly [number, number, number] }): Occluder {
  // Sizes are of a 960-wide picture, scaled.
  const s = W / 960;
  const n = W * H;
  const alpha = new Float32Array(n);
  const edgeNoise = valueNoise(W, H, 80 * s, r);
  const cover = Math.min(0.95, Math.max(0.05, d.cover));
  const soft = 14 * s;
  // Signed distance-like field: positive inside the cover. Its level is chosen so the covered
  // area is `cover`, then softened (the thing is on the lens, far out of focus).
  const field = new Float32Array(n);
  const cxC = r() < 0.5 ? 0 : W;
  const cyC = r() < 0.5 ? 0 : H;
  const ecx = W * (0.35 + 0.3 * r());
  const ecy = H * (0.35 + 0.3 * r());
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v: number;
      switch (d.from) {
        case 'left': v = -x; break;
        case 'right': v = x; break;
        case 'top': v = -y; break;
        case 'bottom': v = y; break;
        case 'corner': v = -Math.hypot((x - cxC) / W, (y - cyC) / H) * W; break;
        case 'centre': v = -Math.hypot((x - ecx) / W, (y - ecy) / H) * W; break;
      }
      field[y * W + x] = v + 40 * s * edgeNoise[y * W + x]!;
    }
  }
  const sorted = Float32Array.from(field).sort();
  const level = sorted[Math.floor((1 - cover) * (n - 1))]!;
  for (let i = 0; i < n; i++) {
    const t = (field[i]! - level) / soft + 0.5;
    alpha[i] = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
  }
  const rgb: Rgb = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  const big = valueNoise(W, H, 70 * s, r);
  const midN = valueNoise(W, H, 22 * s, r);
  const small = valueNoise(W, H, 8 * s, r);
  for (let i = 0; i < n; i++) {
    let c: [number, number, number];
    switch (d.material) {
      case 'bag': {
        const wr = 200 + 28 * big[i]! + 22 * Math.abs(midN[i]!) - 10 * small[i]!;
        c = [wr, wr, wr * 0.96];
        break;
      }
      case 'mud': {
        const m = 85 + 28 * midN[i]! + 14 * small[i]! + 12 * big[i]!;
        c = [m * 1.15, m * 0.9, m * 0.65];
        break;
      }
      case 'hand': {
        const k = 0.85 + 0.18 * big[i]! + 0.06 * midN[i]!;
        c = [205 * k, 150 * k, 120 * k];
        break;
      }
      case 'leaves': {
        c = [50 + 15 * big[i]!, 95 + 30 * midN[i]! + 15 * big[i]!, 35 + 10 * small[i]!];
        break;
      }
    }
    rgb.r[i] = c[0];
    rgb.g[i] = c[1];
    rgb.b[i] = c[2];
  }
  if (d.material === 'leaves') {
    // Overlapping leaves with dark gaps and midribs.
    const count = 50;
    for (let k = 0; k < count; k++) {
      const lx = r() * W;
      const ly = r() * H;
      const a = (40 + r() * 50) * s;
      const b = a * (0.35 + 0.2 * r());
      const th = r() * Math.PI;
      const shade = 0.6 + 0.7 * r();
      const ct = Math.cos(th);
      const st = Math.sin(th);
      for (let y = Math.max(0, Math.floor(ly - a)); y < Math.min(H, ly + a); y++) {
        for (let x = Math.max(0, Math.floor(lx - a)); x < Math.min(W, lx + a); x++) {
          const u = ((x - lx) * ct + (y - ly) * st) / a;
          const v = (-(x - lx) * st + (y - ly) * ct) / b;
          const q = u * u + v * v;
          if (q > 1) continue;
          const i = y * W + x;
          const rib = Math.abs(v) < 0.08 ? 1.25 : 1;
          rgb.r[i] = 45 * shade * rib;
          rgb.g[i] = (90 + 30 * (1 - q)) * shade * rib;
          rgb.b[i] = 30 * shade * rib;
        }
      }
    }
  }
  if (d.material === 'hand') {
    // Gaps between fingers, running from the side the hand comes from.
    for (let k = 1; k <= 3; k++) {
      const along = d.from === 'top' || d.from === 'bottom' ? 'x' : 'y';
      const pos = (along === 'x' ? W : H) * (0.2 + 0.2 * k + 0.04 * r());
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const dd = Math.abs((along === 'x' ? x : y) - pos) / (12 * s);
          if (dd < 1) {
            const i = y * W + x;
            const k2 = 0.55 + 0.45 * dd;
            rgb.r[i]! *= k2;
            rgb.g[i]! *= k2;
            rgb.b[i]! *= k2;
          }
        }
      }
    }
  }
  // Out of focus: something touching the lens keeps no detail finer than ~20 px.
  for (const p of [rgb.r, rgb.g, rgb.b]) {
    boxBlur(p, W, H, 10 * s);
    boxBlur(p, W, H, 10 * s);
  }
  const { gain, tint } = lighting;
  // Something touching the lens is lit by the camera's own illuminator (IR or white light) at
  // night: it shows mid-grey, not black.
  const lit = Math.max(gain, 0.45);
  for (let i = 0; i < n; i++) {
    rgb.r[i]! *= lit * tint[0];
    rgb.g[i]! *= lit * tint[1];
    rgb.b[i]! *= lit * tint[2];
  }
  const sway = d.material === 'mud' ? 0 : d.material === 'leaves' ? 3 * s : 1.5 * s;
  return { alpha, rgb, sway };
}

export function applyOccluder(o: Rgb, occ: Occluder, t: number, W: number, H: number): void {
  const dx = Math.round(occ.sway * Math.sin(2 * Math.PI * 0.7 * t));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = Math.min(W - 1, Math.max(0, x - dx));
      const j = y * W + sx;
      const a = occ.alpha[j]!;
      if (a <= 0) continue;
      const i = y * W + x;
      o.r[i] = o.r[i]! * (1 - a) + occ.rgb.r[j]! * a;
      o.g[i] = o.g[i]! * (1 - a) + occ.rgb.g[j]! * a;
      o.b[i] = o.b[i]! * (1 - a) + occ.rgb.b[j]! * a;
    }
  }
}
