// A roadside camera's picture, rendered frame by frame in TypeScript: an expressway in perspective
// (lanes, dashed marks, shoulders, verges, trees, lamp posts), moving vehicles, sky, the time of day
// (day, afternoon, dawn, dusk, night with lamps and headlights), weather (fog, rain), sensor grain
// and the camera's OSD (a clock ticking every second and a caption). Defects are applied where they
// happen in a real camera: an occluder on the lens, defocus in the optics, exposure and flicker in
// the sensor, noise, interference stripes on the signal, the OSD drawn on top by the encoder, a lost
// signal replacing everything, a frozen encoder repeating its whole last picture.
//
// Rendered here rather than with FFmpeg filter graphs: the geometry (perspective, per-vehicle depth
// for fog and lights) and the order of defects (blur under a sharp OSD, a clock that freezes with
// the picture) are plain code here and would be a tangle of lavfi expressions there.
import { drawText, textWidth } from './font.js';
import { applyOccluder, makeOccluder, type Occluder, type OccluderDefect, type Rgb } from './occluder.js';
import { addGaussian, boxBlur, rng, valueNoise } from './random.js';

export type Light = 'day' | 'afternoon' | 'dawn' | 'dusk' | 'night';
export type Weather = 'clear' | 'fog' | 'rain';
export type Corner = 'tl' | 'tr' | 'bl' | 'br';

export interface SceneSpec {
  seed: number;
  light: Light;
  weather: Weather;
  /** Vehicles on the road at once (0: an empty road where only the clock and the grain change). */
  traffic: number;
  /** Vehicle speed factor (1 ≈ 20–30 m/s). */
  speed?: number;
  /** Every vehicle drives towards the camera (headlights in view at night). */
  oncoming?: boolean;
  /** Lamp posts (lit at dusk and at night). */
  lamps: number;
  /** Trees and bushes, 0–1. */
  vegetation: number;
  /** Horizon row as a fraction of the height (default from the seed, 0.28–0.4). */
  horizon?: number;
  /** Visibility in metres in fog (default 60). */
  visibility?: number;
  clock?: Corner | 'none';
  caption?: string;
  captionAt?: Corner;
  /** Sensor grain σ in luma levels (default: 1.5 by day, 3 at night). */
  grain?: number;
}


export type Defect =
  | { kind: 'lost'; screen: 'black' | 'blue' | 'grey' | 'green'; text?: boolean; osd?: boolean }
  | OccluderDefect
  /** Defocus radius in pixels of a 960-wide picture. */
  | { kind: 'defocus'; radius: number }
  /** Exposure gain: < 1 underexposed, > 1 overexposed. */
  | { kind: 'exposure'; gain: number }
  | { kind: 'frozen'; atFrame: number }
  /** Extra noise σ (luma levels) on top of the sensor's grain. */
  | { kind: 'noise'; sigma: number }
  /** Brightness swing as a fraction of the level, at hz. */
  | { kind: 'flicker'; amplitude: number; hz: number }
  /** Bands of `amplitude` levels, `period` px of a 960-wide picture, at `angle` degrees (0 = horizontal bands), rolling `speed` periods/s. */
  | { kind: 'stripes'; amplitude: number; period: number; angle: number; speed: number };

/** Bump when the picture a spec gives changes, so cached clips are made again. */
export const SCENE_GENERATOR_VERSION = 4;

interface Vehicle {
  x: number;
  z0: number;
  v: number;
  toward: boolean;
  w: number;
  h: number;
  colour: [number, number, number];
}

interface Lamp {
  x: number;
  z: number;
}

const ROAD_HALF = 10.5;
const CARRIAGE_HALF = 7.5;
/** Depth (m) of the picture's bottom row. */
const Z0 = 8;
const Z_FAR = 260;

const LIGHT_GAIN: Record<Light, number> = { day: 1, afternoon: 1.02, dawn: 0.55, dusk: 0.42, night: 0.09 };
const TINT: Record<Light, [number, number, number]> = { day: [1, 1, 1], afternoon: [1.08, 1, 0.88], dawn: [1, 0.95, 1.05], dusk: [1.15, 0.92, 0.8], night: [0.9, 0.95, 1.15] };
const SKY: Record<Light, { top: [number, number, number]; horizon: [number, number, number] }> = {
  day: { top: [110, 150, 205], horizon: [185, 205, 225] },
  afternoon: { top: [120, 150, 195], horizon: [215, 205, 185] },
  dawn: { top: [95, 110, 150], horizon: [215, 170, 160] },
  dusk: { top: [45, 55, 95], horizon: [200, 120, 80] },
  night: { top: [6, 8, 16], horizon: [18, 20, 30] },
};

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Renders the frames of one clip; frame(i) is deterministic for a spec. */
export class SceneRenderer {
  readonly width: number;
  readonly height: number;
  private readonly s: number;
  private readonly hy: number;
  private readonly vx: number;
  private readonly xc: number;
  private readonly ppm: number;
  private readonly bg: Rgb;
  private readonly vehicles: Vehicle[] = [];
  private readonly lamps: Lamp[] = [];
  private readonly fogColour: [number, number, number];
  private readonly occluder?: Occluder;
  private readonly clockStart: number;
  private frozen?: Buffer;

  constructor(
    readonly scene: SceneSpec,
    readonly defects: readonly Defect[],
    width: number,
    height: number,
    readonly fps = 25,
  ) {
    if (width % 2 || height % 2 || width < 64 || height < 64) throw new RangeError(`scene size must be even and ≥ 64, got ${width}x${height}`);
    this.width = width;
    this.height = height;
    this.s = width / 960;
    const r = rng(scene.seed * 7919 + 13);
    this.hy = Math.round(height * (scene.horizon ?? 0.28 + r() * 0.12));
    this.vx = width * (0.4 + r() * 0.2);
    this.xc = (r() - 0.5) * 6;
    this.ppm = (width * (1.1 + r() * 0.3)) / (2 * ROAD_HALF);
    this.fogColour = scene.light === 'night' ? [28, 28, 32] : ([190, 192, 196].map((c) => c * Math.max(0.5, LIGHT_GAIN[scene.light])) as [number, number, number]);
    this.clockStart = Date.UTC(2026, 11, 6, 0, 0, 0) / 1000 + Math.floor(r() * 86400) + r();
    for (let k = 0; k < scene.lamps; k++) this.lamps.push({ x: (k % 2 ? -1 : 1) * (ROAD_HALF + 1), z: 14 + k * (55 / Math.max(1, scene.lamps / 3)) + r() * 8 });
    const lanes = [-5.6, -1.9, 1.9, 5.6];
    const palette: Array<[number, number, number]> = [[200, 30, 30], [230, 230, 230], [30, 30, 35], [40, 70, 160], [150, 150, 155], [220, 190, 40], [90, 120, 80]];
    for (let k = 0; k < scene.traffic; k++) {
      const pickLane = lanes[Math.floor(r() * lanes.length)]!;
      const lane = scene.oncoming ? -Math.abs(pickLane) : pickLane;
      const truck = r() < 0.25;
      this.vehicles.push({
        x: lane,
        z0: 12 + r() * (Z_FAR - 12),
        v: (20 + r() * 12) * (scene.speed ?? 1),
        toward: lane < 0,
        w: truck ? 2.5 : 1.8,
        h: truck ? 3.4 : 1.5,
        colour: palette[Math.floor(r() * palette.length)]!,
      });
    }
    this.bg = this.background(r);
    const occ = defects.find((d) => d.kind === 'occluder');
    if (occ) this.occluder = makeOccluder(occ, rng(scene.seed * 31 + 7), width, height, { gain: LIGHT_GAIN[scene.light], tint: TINT[scene.light] });
  }

  get frameBytes(): number {
    return (this.width * this.height * 3) / 2;
  }

  /** Ground depth (m) of a row below the horizon. */
  private depthOfRow(y: number): number {
    return (Z0 * (this.height - this.hy)) / Math.max(0.5, y + 0.5 - this.hy);
  }

  private rowOfDepth(z: number): number {
    return this.hy + ((this.height - this.hy) * Z0) / z;
  }

  /** Screen x of world lateral position X (m) at depth z. */
  private xAt(X: number, z: number): number {
    return this.vx + ((X - this.xc) * this.ppm * Z0) / z;
  }

  private pxPerM(z: number): number {
    return (this.ppm * Z0) / z;
  }

  private fog(z: number): number {
    return this.scene.weather === 'fog' ? 1 - Math.exp(-z / (this.scene.visibility ?? 60)) : 0;
  }

  private background(r: () => number): Rgb {
    const { width: W, height: H, hy } = this;
    const n = W * H;
    const out: Rgb = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
    const fine = valueNoise(W, H, Math.max(1, 1.3 * this.s), r);
    const mid = valueNoise(W, H, 9 * this.s, r);
    const coarse = valueNoise(W, H, 60 * this.s, r);
    const clouds = valueNoise(W, H, 120 * this.s, r);
    const treeLine = valueNoise(W, 1, 25 * this.s, r);
    const sky = SKY[this.scene.light];
    const veg = this.scene.vegetation;
    const dash = 15;
    const marks: Array<{ X: number; dashed: boolean }> = [
      { X: -CARRIAGE_HALF, dashed: false },
      { X: -3.75, dashed: true },
      { X: 0, dashed: false },
      { X: 3.75, dashed: true },
      { X: CARRIAGE_HALF, dashed: false },
    ];
    for (let y = 0; y < H; y++) {
      const above = y < hy;
      const z = above ? Infinity : this.depthOfRow(y);
      const pxm = above ? 0 : this.pxPerM(z);
      const near = above ? 0 : Math.min(1, Math.sqrt(pxm / (this.ppm * 0.5)));
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        let R: number;
        let G: number;
        let B: number;
        if (above) {
          const t = y / Math.max(1, hy);
          const cl = this.scene.light === 'night' ? 0 : 12 * clouds[i]!;
          R = sky.top[0] + (sky.horizon[0] - sky.top[0]) * t + cl;
          G = sky.top[1] + (sky.horizon[1] - sky.top[1]) * t + cl;
          B = sky.top[2] + (sky.horizon[2] - sky.top[2]) * t + cl;
          // The distant tree line along the horizon.
          const th = veg * H * 0.07 * (0.55 + 0.45 * treeLine[x]!);
          if (hy - y < th) {
            const v = 35 + 18 * mid[i]! + 10 * fine[i]!;
            const k = 1;
            R = v * 0.9 * k;
            G = (v + 15) * 1.3 * k;
            B = v * 0.65 * k;
          }
        } else {
          const X = this.xc + ((x + 0.5 - this.vx) * z) / (this.ppm * Z0);
          const ax = Math.abs(X);
          if (ax <= ROAD_HALF) {
            const v = (ax > CARRIAGE_HALF ? 112 : 98) + 7 * near * fine[i]! + 5 * mid[i]! + 6 * coarse[i]!;
            R = v;
            G = v;
            B = v + 3;
            // Lane marks, anti-aliased across the row: coverage of the pixel by the paint.
            const pxw = z / (this.ppm * Z0);
            for (const m of marks) {
              const half = 0.1;
              const lo = Math.max(X - pxw / 2, m.X - half);
              const hi = Math.min(X + pxw / 2, m.X + half);
              if (hi <= lo) continue;
              if (m.dashed && (z % dash) > 6) continue;
              const cov = (hi - lo) / pxw;
              R += (225 - R) * cov;
              G += (225 - G) * cov;
              B += (220 - B) * cov;
            }
          } else {
            // Verge: grass, bushes where vegetation is dense.
            const bush = veg * (0.5 + 0.5 * coarse[i]!) > 0.55 ? 1 : 0;
            const v = 70 + 14 * near * fine[i]! + 12 * mid[i]! + 10 * coarse[i]! - bush * 25;
            R = v * 0.75;
            G = v + 22;
            B = v * 0.45;
          }
          const f = this.fog(z);
          if (f > 0) {
            R += (this.fogColour[0] / LIGHT_GAIN[this.scene.light] - R) * f;
            G += (this.fogColour[1] / LIGHT_GAIN[this.scene.light] - G) * f;
            B += (this.fogColour[2] / LIGHT_GAIN[this.scene.light] - B) * f;
          }
        }
        if (above && this.scene.weather === 'fog') {
          const t = y / Math.max(1, hy);
          const fc = this.fogColour.map((c) => c / Math.max(0.2, LIGHT_GAIN[this.scene.light])) as [number, number, number];
          R = fc[0] * (0.97 + 0.03 * t);
          G = fc[1] * (0.97 + 0.03 * t);
          B = fc[2] * (0.97 + 0.03 * t);
        }
        out.r[i] = R;
        out.g[i] = G;
        out.b[i] = B;
      }
    }
    this.drawTrees(out, r, fine);
    this.drawLampPosts(out);
    this.applyLight(out);
    if (this.scene.weather === 'rain') {
      for (let i = 0; i < n; i++) {
        out.r[i] = 0.75 * out.r[i]! + 20;
        out.g[i] = 0.75 * out.g[i]! + 20;
        out.b[i] = 0.75 * out.b[i]! + 22;
      }
    }
    return out;
  }

  private fillRect(o: Rgb, x0: number, y0: number, x1: number, y1: number, c: [number, number, number], z: number, shade?: (x: number, y: number) => number): void {
    const f = this.fog(z);
    const fc = this.fogColour.map((v) => v / Math.max(0.2, LIGHT_GAIN[this.scene.light]));
    const xa = Math.max(0, Math.floor(x0));
    const xb = Math.min(this.width, Math.ceil(x1));
    const ya = Math.max(0, Math.floor(y0));
    const yb = Math.min(this.height, Math.ceil(y1));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const k = shade ? shade(x, y) : 1;
        const i = y * this.width + x;
        o.r[i] = c[0] * k * (1 - f) + fc[0]! * f;
        o.g[i] = c[1] * k * (1 - f) + fc[1]! * f;
        o.b[i] = c[2] * k * (1 - f) + fc[2]! * f;
      }
    }
  }

  private drawTrees(o: Rgb, r: () => number, tex: Float32Array): void {
    const count = Math.round(this.scene.vegetation * 14);
    const trees = Array.from({ length: count }, () => ({ X: (r() < 0.5 ? -1 : 1) * (ROAD_HALF + 3 + r() * 14), z: 15 + r() * 120, size: 2 + r() * 2.5 })).sort((a, b) => b.z - a.z);
    for (const t of trees) {
      const p = this.pxPerM(t.z);
      const cx = this.xAt(t.X, t.z);
      const base = this.rowOfDepth(t.z);
      this.fillRect(o, cx - 0.2 * p, base - 3 * p, cx + 0.2 * p, base, [70, 55, 40], t.z);
      const rad = t.size * p;
      const cy = base - 3 * p - rad * 0.8;
      const f = this.fog(t.z);
      const fc = this.fogColour.map((v) => v / Math.max(0.2, LIGHT_GAIN[this.scene.light]));
      for (let y = Math.max(0, Math.floor(cy - rad)); y < Math.min(this.height, cy + rad); y++) {
        for (let x = Math.max(0, Math.floor(cx - rad)); x < Math.min(this.width, cx + rad); x++) {
          const d = ((x - cx) / rad) ** 2 + ((y - cy) / rad) ** 2;
          if (d > 1) continue;
          const i = y * this.width + x;
          const v = 45 + 25 * tex[i]! - 15 * d;
          o.r[i] = v * 0.6 * (1 - f) + fc[0]! * f;
          o.g[i] = (v + 30) * (1 - f) + fc[1]! * f;
          o.b[i] = v * 0.4 * (1 - f) + fc[2]! * f;
        }
      }
    }
  }

  private drawLampPosts(o: Rgb): void {
    for (const l of [...this.lamps].sort((a, b) => b.z - a.z)) {
      const p = this.pxPerM(l.z);
      const cx = this.xAt(l.x, l.z);
      const base = this.rowOfDepth(l.z);
      const w = Math.max(1, 0.18 * p);
      this.fillRect(o, cx - w / 2, base - 10 * p, cx + w / 2, base, [150, 150, 150], l.z);
      const arm = this.xAt(l.x - Math.sign(l.x) * 2.5, l.z);
      this.fillRect(o, Math.min(cx, arm), base - 10 * p, Math.max(cx, arm), base - 10 * p + w, [150, 150, 150], l.z);
      this.fillRect(o, arm - 0.4 * p, base - 10 * p, arm + 0.4 * p, base - 10 * p + 0.35 * p + 1, [120, 120, 110], l.z);
    }
  }

  /** Ambient light, tint, and at dusk and night the lamps' pools of light and glowing heads. */
  private applyLight(o: Rgb): void {
    const gain = LIGHT_GAIN[this.scene.light];
    const tint = TINT[this.scene.light];
    const n = this.width * this.height;
    for (let i = 0; i < n; i++) {
      o.r[i]! *= gain * tint[0];
      o.g[i]! *= gain * tint[1];
      o.b[i]! *= gain * tint[2];
    }
    if (this.scene.light !== 'night' && this.scene.light !== 'dusk') return;
    const strength = this.scene.light === 'night' ? 1 : 0.35;
    const fogK = this.scene.weather === 'fog' ? 0.6 : 1;
    for (const l of this.lamps) {
      const lx = l.x - Math.sign(l.x) * 2.5;
      // The pool on the road: brightest under the lamp, ~8 m across.
      for (let y = this.hy + 1; y < this.height; y++) {
        const z = this.depthOfRow(y);
        const dz = z - l.z;
        if (Math.abs(dz) > 16) continue;
        for (let x = 0; x < this.width; x++) {
          const X = this.xc + ((x + 0.5 - this.vx) * z) / (this.ppm * Z0);
          const d2 = (X - lx) ** 2 / 30 + dz * dz / 40;
          if (d2 > 6) continue;
          const a = 75 * strength * Math.exp(-d2) * fogK;
          const i = y * this.width + x;
          o.r[i]! += a * 1.1;
          o.g[i]! += a * 0.95;
          o.b[i]! += a * 0.7;
        }
      }
      this.glow(o, this.xAt(lx, l.z), this.rowOfDepth(l.z) - 10 * this.pxPerM(l.z) + 0.5 * this.pxPerM(l.z), Math.max(2, 0.6 * this.pxPerM(l.z)), 255 * strength, [1, 0.9, 0.65]);
    }
  }

  /** A light source: a saturated core and a halo (in fog, a wide one). */
  private glow(o: Rgb, cx: number, cy: number, core: number, level: number, colour: [number, number, number]): void {
    const halo = core * (this.scene.weather === 'fog' ? 7 : 3.5);
    for (let y = Math.max(0, Math.floor(cy - halo)); y < Math.min(this.height, cy + halo); y++) {
      for (let x = Math.max(0, Math.floor(cx - halo)); x < Math.min(this.width, cx + halo); x++) {
        const d = Math.hypot(x - cx, y - cy);
        const a = d <= core ? 1 : Math.exp(-(((d - core) / (halo / 3)) ** 2)) * 0.6;
        if (a < 0.01) continue;
        const i = y * this.width + x;
        o.r[i] = Math.max(o.r[i]!, o.r[i]! * (1 - a) + level * colour[0] * a);
        o.g[i] = Math.max(o.g[i]!, o.g[i]! * (1 - a) + level * colour[1] * a);
        o.b[i] = Math.max(o.b[i]!, o.b[i]! * (1 - a) + level * colour[2] * a);
      }
    }
  }

  private drawVehicles(o: Rgb, t: number): void {
    const gain = LIGHT_GAIN[this.scene.light];
    const span = Z_FAR - 10;
    const placed = this.vehicles
      .map((v) => {
        const d = v.toward ? -v.v * t : v.v * t;
        const z = 10 + ((((v.z0 - 10 + d) % span) + span) % span);
        return { v, z };
      })
      .sort((a, b) => b.z - a.z);
    const night = this.scene.light === 'night' || this.scene.light === 'dusk';
    for (const { v, z } of placed) {
      const p = this.pxPerM(z);
      const cx = this.xAt(v.x, z);
      const base = this.rowOfDepth(z);
      const w = v.w * p;
      const h = v.h * p;
      const c = v.colour.map((x) => x * gain * 1.1) as [number, number, number];
      // Shadow under the vehicle, body, glass, roof edge.
      this.fillRect(o, cx - w * 0.55, base - 0.15 * p, cx + w * 0.55, base + 0.1 * p, [10, 10, 10], z);
      this.fillRect(o, cx - w / 2, base - h, cx + w / 2, base - 0.1 * p, c, z, (_x, y) => 0.85 + 0.3 * ((y - (base - h)) / h) * 0.5);
      const glass = [25 * gain + 3, 30 * gain + 3, 38 * gain + 4] as [number, number, number];
      this.fillRect(o, cx - w * 0.4, base - h * 0.85, cx + w * 0.4, base - h * 0.55, glass, z);
      this.fillRect(o, cx - w * 0.3, base - h * 0.22, cx + w * 0.3, base - h * 0.16, [20 * gain, 20 * gain, 20 * gain], z);
      const ly = base - h * 0.3;
      const core = Math.max(1, 0.16 * p);
      for (const side of [-1, 1]) {
        const lx = cx + side * w * 0.36;
        if (v.toward) {
          if (night) this.glow(o, lx, ly, core, 255, [1, 1, 0.95]);
          else this.fillRect(o, lx - core, ly - core / 2, lx + core, ly + core / 2, [215, 215, 205], z);
        } else if (night) this.glow(o, lx, ly, core * 0.8, 200, [1, 0.15, 0.1]);
        else this.fillRect(o, lx - core, ly - core / 2, lx + core, ly + core / 2, [150, 30, 25], z);
      }
    }
  }

  private drawRain(o: Rgb, frame: number): void {
    const r = rng(this.scene.seed * 1009 + frame);
    const count = Math.round(700 * this.s * this.s + 60);
    const len = 18 * this.s + 3;
    for (let k = 0; k < count; k++) {
      const x0 = r() * this.width;
      const y0 = r() * this.height;
      const add = 14 + 16 * r();
      for (let j = 0; j < len; j++) {
        const x = Math.round(x0 + j * 0.25);
        const y = Math.round(y0 + j);
        if (x < 0 || x >= this.width || y >= this.height) break;
        const i = y * this.width + x;
        o.r[i]! += add;
        o.g[i]! += add;
        o.b[i]! += add;
      }
    }
  }

  private clockText(frame: number): string {
    const d = new Date((this.clockStart + frame / this.fps) * 1000 + 8 * 3600 * 1000);
    const p = (v: number) => String(v).padStart(2, '0');
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  }

  private drawOsd(y: Float32Array, frame: number): void {
    const scale = Math.max(1, Math.round(this.height / 180));
    const margin = 8 * scale;
    const place = (text: string, at: Corner): void => {
      const w = textWidth(text, scale);
      const x0 = at[1] === 'l' ? margin : this.width - margin - w;
      const y0 = at[0] === 't' ? margin : this.height - margin - 7 * scale;
      drawText(y, this.width, this.height, text, x0, y0, scale);
    };
    const clock = this.scene.clock ?? 'tl';
    if (clock !== 'none') place(this.clockText(frame), clock);
    if (this.scene.caption) place(this.scene.caption, this.scene.captionAt ?? 'bl');
  }

  /** Frame `i` as yuv420p bytes. */
  frame(i: number): Buffer {
    const frozen = this.defects.find((d) => d.kind === 'frozen');
    if (frozen && i >= frozen.atFrame) {
      this.frozen ??= this.render(frozen.atFrame);
      return this.frozen;
    }
    return this.render(i);
  }

  private render(i: number): Buffer {
    const { width: W, height: H } = this;
    const t = i / this.fps;
    const lost = this.defects.find((d) => d.kind === 'lost');
    const cw = W >> 1;
    const ch = H >> 1;
    const Y = new Float32Array(W * H);
    const U = new Float32Array(cw * ch);
    const V = new Float32Array(cw * ch);
    if (lost) {
      const c = { black: [16, 128, 128], blue: [41, 240, 110], grey: [126, 128, 128], green: [81, 90, 81] }[lost.screen];
      Y.fill(c[0]!);
      U.fill(c[1]!);
      V.fill(c[2]!);
      if (lost.text) {
        const scale = Math.max(1, Math.round(H / 120));
        const msg = 'NO VIDEO';
        drawText(Y, W, H, msg, Math.round((W - textWidth(msg, scale)) / 2), Math.round(H / 2 - 3.5 * scale), scale);
      }
      if (lost.osd) this.drawOsd(Y, i);
      return this.pack(Y, U, V);
    }
    const o: Rgb = { r: Float32Array.from(this.bg.r), g: Float32Array.from(this.bg.g), b: Float32Array.from(this.bg.b) };
    this.drawVehicles(o, t);
    if (this.scene.weather === 'rain') this.drawRain(o, i);
    if (this.occluder) applyOccluder(o, this.occluder, t, this.width, this.height);
    // BT.601 limited range; chroma from the 2×2 average.
    for (let p = 0; p < W * H; p++) Y[p] = 16 + 0.257 * o.r[p]! + 0.504 * o.g[p]! + 0.098 * o.b[p]!;
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const a = 2 * y * W + 2 * x;
        const R = (o.r[a]! + o.r[a + 1]! + o.r[a + W]! + o.r[a + W + 1]!) / 4;
        const G = (o.g[a]! + o.g[a + 1]! + o.g[a + W]! + o.g[a + W + 1]!) / 4;
        const B = (o.b[a]! + o.b[a + 1]! + o.b[a + W]! + o.b[a + W + 1]!) / 4;
        U[y * cw + x] = 128 - 0.148 * R - 0.291 * G + 0.439 * B;
        V[y * cw + x] = 128 + 0.439 * R - 0.368 * G - 0.071 * B;
      }
    }
    for (const d of this.defects) {
      if (d.kind !== 'defocus') continue;
      const r = d.radius * this.s;
      boxBlur(Y, W, H, r);
      boxBlur(Y, W, H, r);
      boxBlur(U, cw, ch, r / 2);
      boxBlur(V, cw, ch, r / 2);
    }
    let gain = 1;
    for (const d of this.defects) {
      if (d.kind === 'exposure') gain *= d.gain;
      if (d.kind === 'flicker') gain *= 1 + d.amplitude * Math.sin(2 * Math.PI * d.hz * t + this.scene.seed);
    }
    if (gain !== 1) {
      for (let p = 0; p < W * H; p++) Y[p] = 16 + (Y[p]! - 16) * gain;
      // Clipped highlights lose their colour; a dark picture loses saturation with its light.
      const cg = Math.min(1, gain);
      for (let p = 0; p < cw * ch; p++) {
        U[p] = 128 + (U[p]! - 128) * cg;
        V[p] = 128 + (V[p]! - 128) * cg;
      }
    }
    const grain = this.scene.grain ?? (this.scene.light === 'night' ? 3 : this.scene.light === 'dusk' ? 2.2 : 1.5);
    const extra = this.defects.reduce((s, d) => (d.kind === 'noise' ? Math.hypot(s, d.sigma) : s), 0);
    const sigma = Math.hypot(grain, extra);
    addGaussian(Y, sigma, this.scene.seed * 100003 + i * 7 + 1);
    addGaussian(U, sigma * 0.4, this.scene.seed * 100003 + i * 7 + 2);
    addGaussian(V, sigma * 0.4, this.scene.seed * 100003 + i * 7 + 3);
    for (const d of this.defects) {
      if (d.kind !== 'stripes') continue;
      const th = (d.angle * Math.PI) / 180;
      // angle 0: horizontal bands (the level changes down the picture).
      const kx = (Math.sin(th) * 2 * Math.PI) / (d.period * this.s);
      const ky = (Math.cos(th) * 2 * Math.PI) / (d.period * this.s);
      const ph = 2 * Math.PI * d.speed * t;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) Y[y * W + x]! += d.amplitude * Math.sin(kx * x + ky * y - ph);
    }
    this.drawOsd(Y, i);
    return this.pack(Y, U, V);
  }

  private pack(Y: Float32Array, U: Float32Array, V: Float32Array): Buffer {
    const out = Buffer.allocUnsafe(Y.length + U.length + V.length);
    let k = 0;
    for (const p of [Y, U, V]) for (let j = 0; j < p.length; j++) out[k++] = clamp255(Math.round(p[j]!));
    return out;
  }
}
