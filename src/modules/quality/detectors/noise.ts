// Noise: grain or interference far above a working sensor's, as it survives a low-bitrate encoder
// (blotches that change from frame to frame). Each sampled frame is compared with the burst's
// temporal median, which keeps the scene and drops the noise; what is left is noise, plus what
// moved (traffic, rain) and rolling stripes. Differencing that residue with itself a few pixels
// along the stripes' own direction cancels the stripes; the median over pixels of a cell ignores
// sparse rain streaks; the median over cells ignores the few cells with traffic.
// On a dim picture the same grain leaves less residue in levels (dark values clip it and the
// encoder keeps less of it), so a residue harmless on a bright day can be heavy noise at dusk or at
// night. Each cell's residue is also read against its brightness (÷ √ of its level above black,
// bounded so a night's working grain is not blown up), and noise is called when either the residue
// itself or the brightness-relative one is high. The bound and the threshold were set on the
// tuning part of the labelled set; a real camera's night gain is the case to watch.
// Under heavy compression (qHD at 512 kb/s) the encoder keeps little of the grain: most of the
// picture is carried over from frame to frame and only scattered blocks are re-coded, each with a
// fresh blotch of noise. The residue above is then small, no larger than what rain or a CIF
// encoder's keyframe refresh leave. What still tells noise apart is its sign: grain is zero-mean,
// so the re-coded blocks step darker than the still picture as often as brighter, and stay so
// until re-coded again. Rain, headlights and glare only add light; a car or a shadow is darker or
// lighter where it is, not both; a keyframe refresh is one frame in 25–50. The lesser of the two
// sides, counted as a share of the picture, is the third measure (`grainSteps`).
import { NOISE_RELATIVE, NOISE_STEPS, RAMPS, ramp } from '../thresholds.js';
import { fmt, median, type DetectorResult } from './common.js';
import type { Frame } from '../types.js';
import { CELL, type BurstView } from './view.js';

/** Pixels between the two residue samples differenced: past the size of a noise blotch at 320×180. */
const SHIFT = 6;
/** Residue (levels) rolling stripes at full confidence are allowed before noise is called. */
const STRIPES_ALLOWANCE = 1.5;
/** Residue (levels) an overexposed picture is allowed: the gain that clips it amplifies the grain too. */
const OVEREXPOSED_ALLOWANCE = 0.5;
/** Level above black at which the brightness-relative residue equals the residue. */
const REFERENCE_LEVEL = 100;
/** Bounds of the brightness factor √(level / REFERENCE_LEVEL). */
const FACTOR_MIN = 0.5;
const FACTOR_MAX = 1.6;
/** A step (levels) larger than a working sensor's grain leaves at 320×180 after the encoder. */
const STEP = 3;
/**
 * A pixel that strays further than this from the still picture in any frame of the burst is moving
 * (a vehicle, a swinging sign, a test pattern's sweep), not grain: grain re-coded by the encoder
 * stays within about 14 levels at 320×180 (p99 on σ 24 grain through x264 at 512–768 kb/s).
 */
const MOTION_LEVELS = 24;
/** Pixels this close to a moving one are left out too: a moving edge steps its neighbours a little. */
const MOTION_MARGIN = 2;

export interface Residue {
  /** Median over cells of the residue, levels. */
  level: number;
  /** Median over cells of the residue ÷ √(cell level above black / REFERENCE_LEVEL). */
  relative: number;
}

/**
 * Median absolute difference of the residue at p and at p shifted along the bands (bands of
 * `angleDeg`: 0 = horizontal bands, level constant along x), per cell, then the median over cells.
 */
export function residueLevel(v: BurstView, angleDeg = 0): Residue {
  const med = v.still;
  const th = (angleDeg * Math.PI) / 180;
  // The wave vector is (sin θ, cos θ) in (x, y); the bands run perpendicular to it.
  const sx = Math.cos(th) * SHIFT;
  const sy = -Math.sin(th) * SHIFT;
  const { width: w, height: h } = v;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const factor = new Float32Array(v.cols * v.rows);
  for (let cy = 0; cy < v.rows; cy++) {
    for (let cx = 0; cx < v.cols; cx++) {
      let m = 0;
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) for (let x = cx * CELL; x < (cx + 1) * CELL; x++) m += med[y * w + x]!;
      const above = Math.max(1, m / (CELL * CELL) - 16);
      factor[cy * v.cols + cx] = Math.min(FACTOR_MAX, Math.max(FACTOR_MIN, Math.sqrt(above / REFERENCE_LEVEL)));
    }
  }
  const perFrame: number[] = [];
  const perFrameRelative: number[] = [];
  const cellVals = new Array<number>(CELL * CELL);
  for (const f of v.sampled) {
    const res = new Float32Array(w * h);
    for (let i = 0; i < res.length; i++) res[i] = f.y[i]! - med[i]!;
    const at = (x: number, y: number): number => res[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    const cells: number[] = [];
    const relative: number[] = [];
    for (let cy = 0; cy < v.rows; cy++) {
      for (let cx = 0; cx < v.cols; cx++) {
        if (v.osd[cy * v.cols + cx]) continue;
        let n = 0;
        for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
          for (let x = cx * CELL; x < (cx + 1) * CELL; x++) {
            const qx = x + x0;
            const qy = y + y0;
            const q = (1 - fy) * ((1 - fx) * at(qx, qy) + fx * at(qx + 1, qy)) + fy * ((1 - fx) * at(qx, qy + 1) + fx * at(qx + 1, qy + 1));
            cellVals[n++] = Math.abs(res[y * w + x]! - q);
          }
        }
        cellVals.sort((a, b) => a - b);
        // Mean of the middle half: robust to a streak or an edge, and not stuck on whole levels.
        let t = 0;
        for (let k = n >> 2; k < n - (n >> 2); k++) t += cellVals[k]!;
        const r = t / (n - 2 * (n >> 2));
        cells.push(r);
        relative.push(r / factor[cy * v.cols + cx]!);
      }
    }
    perFrame.push(median(cells));
    perFrameRelative.push(median(relative));
  }
  return { level: median(perFrame), relative: median(perFrameRelative) };
}

/** Luma indices of the picture outside the OSD (whole cells only). */
function pictureIndices(v: BurstView): Int32Array {
  const out: number[] = [];
  for (let y = 0; y < v.rows * CELL; y++) {
    for (let x = 0; x < v.cols * CELL; x++) if (!v.osd[Math.floor(y / CELL) * v.cols + Math.floor(x / CELL)]) out.push(y * v.width + x);
  }
  return Int32Array.from(out);
}

/** `idx` without the pixels that move in the burst, nor those within MOTION_MARGIN of one. */
function stillIndices(v: BurstView, idx: Int32Array): Int32Array {
  const { width: w, height: h } = v;
  const core = new Uint8Array(w * h);
  for (const f of v.frames) for (let j = 0; j < w * h; j++) if (Math.abs(f.y[j]! - v.still[j]!) > MOTION_LEVELS) core[j] = 1;
  const moving = new Uint8Array(w * h);
  for (let j = 0; j < w * h; j++) {
    if (!core[j]) continue;
    const y = Math.floor(j / w);
    const x = j - y * w;
    for (let yy = Math.max(0, y - MOTION_MARGIN); yy <= Math.min(h - 1, y + MOTION_MARGIN); yy++) {
      for (let xx = Math.max(0, x - MOTION_MARGIN); xx <= Math.min(w - 1, x + MOTION_MARGIN); xx++) moving[yy * w + xx] = 1;
    }
  }
  return idx.filter((j) => !moving[j]);
}

/**
 * The frame's luma at `idx`, brought to the still picture's exposure: the gain and offset that map
 * the still onto the frame (least squares) are taken back out.
 */
function atStillExposure(f: Frame, still: Float32Array, idx: Int32Array): Float32Array {
  const n = idx.length;
  let sf = 0;
  let ss = 0;
  let sfs = 0;
  let sss = 0;
  for (let j = 0; j < n; j++) {
    const a = f.y[idx[j]!]!;
    const b = still[idx[j]!]!;
    sf += a;
    ss += b;
    sfs += a * b;
    sss += b * b;
  }
  const varS = sss / n - (ss / n) ** 2;
  // A flat picture has no contrast to fit a gain on: its offset only.
  const gain = varS > 1 ? Math.min(2, Math.max(0.5, (sfs / n - (sf / n) * (ss / n)) / varS)) : 1;
  const offset = sf / n - gain * (ss / n);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = (f.y[idx[j]!]! - offset) / gain;
  return out;
}

export interface GrainSteps {
  /** Share of the picture (outside the OSD) stepping ≥ STEP darker than the still and staying, median over frame pairs. */
  darker: number;
  brighter: number;
  /** The lesser of the two: the zero-mean part. */
  both: number;
}

/**
 * Pixels that step by ≥ STEP levels from one frame to the next, stay there in the frame after, and
 * end up ≥ STEP from the still picture, on the darker and on the brighter side. Each frame is
 * first brought to the still picture's exposure, so a flickering or adjusting exposure does not
 * step the whole picture.
 */
export function grainSteps(v: BurstView): GrainSteps {
  const picture = pictureIndices(v);
  const idx = stillIndices(v, picture);
  if (v.frames.length < 3 || idx.length === 0) return { darker: 0, brighter: 0, both: 0 };
  const fs = v.frames.map((f) => atStillExposure(f, v.still, idx));
  const still = Float32Array.from(idx, (i) => v.still[i]!);
  const n = idx.length;
  const darker: number[] = [];
  const brighter: number[] = [];
  for (let k = 1; k < fs.length - 1; k++) {
    const before = fs[k - 1]!;
    const now = fs[k]!;
    const next = fs[k + 1]!;
    let dn = 0;
    let up = 0;
    for (let j = 0; j < n; j++) {
      const b = before[j]!;
      const a = now[j]!;
      const c = next[j]!;
      const s = still[j]!;
      if (a <= b - STEP && c <= b - STEP && a <= s - STEP && c <= s - STEP) dn++;
      else if (a >= b + STEP && c >= b + STEP && a >= s + STEP && c >= s + STEP) up++;
    }
    // Shares of the whole picture (OSD aside), as the thresholds were set: moving parts count as still grain-free.
    darker.push(dn / picture.length);
    brighter.push(up / picture.length);
  }
  const d = median(darker);
  const b = median(brighter);
  return { darker: d, brighter: b, both: Math.min(d, b) };
}

/**
 * `stripes`: the stripes detector's result. Rolling bands cost an encoder its bits and leave
 * blotches like noise's; while bands are seen, only a residue well above theirs counts as noise,
 * and the brightness-relative residue and the grain steps (which bands on a dark picture inflate)
 * do not count.
 * `brightness`: the brightness detector's result; an overexposed picture's grain is amplified
 * with it, and that is the brightness fault, not noise.
 */
export function detectNoise(v: BurstView, stripes?: DetectorResult, brightness?: DetectorResult): DetectorResult {
  if (v.frames.length < 5) return { confidence: 0, measure: NaN, detail: 'not judged on fewer than 5 frames: grain and fine texture look alike in one picture' };
  const r = residueLevel(v, stripes?.parts?.['angle'] ?? 0);
  const steps = grainSteps(v);
  const banded = stripes?.confidence ?? 0;
  const bright = brightness?.parts?.['bright'] ?? 0;
  const allowance = STRIPES_ALLOWANCE * banded + OVEREXPOSED_ALLOWANCE * bright;
  const confidence = Math.max(
    ramp(r.level - allowance, RAMPS.noise),
    ramp(r.relative, NOISE_RELATIVE) * (1 - banded),
    ramp(steps.both * 100, NOISE_STEPS) * (1 - banded) * (1 - bright),
  );
  return {
    confidence,
    measure: r.level,
    parts: { relative: r.relative, stepsPercent: steps.both * 100 },
    detail: `frame-to-frame residue ${fmt(r.level, 2)} levels, ${fmt(r.relative, 2)} relative to the brightness (median |difference| against the burst's median picture); grain steps ${fmt(steps.darker * 100, 2)} % darker, ${fmt(steps.brighter * 100, 2)} % brighter`,
  };
}
