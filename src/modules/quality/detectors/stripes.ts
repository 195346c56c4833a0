// Rolling stripes (interference bands from a bad power supply or cable): periodic bands across the
// whole picture, at any angle and period, moving between frames. Taken on the difference of frames
// a few apart, so the scene's own fixed structure (lane marks, poles, the horizon) cancels; then the
// 2-D spectrum of each quadrant of that difference: bands show as the same peak in all four, while
// a passing car, rain or grain do not. Any angle (horizontal, vertical, diagonal) and periods down to
// ~3 px of the analysis picture are one peak in the 2-D spectrum, where row and column profiles saw
// only horizontal and vertical bands.
import FFT from 'fft.js';
import { RAMPS, ramp } from '../thresholds.js';
import type { Frame } from '../types.js';
import { fmt, median, type DetectorResult } from './common.js';
import type { BurstView } from './view.js';

/** Frame gaps differenced: two, so a band rolling at a speed that one gap hides shows in the other. */
const LAGS = [4, 7];
/** Quadrant crop, powers of two for the FFT. */
const QW = 128;
const QH = 64;
/** Bins this close to DC (periods over a third of the crop) are slow changes, not bands. */
const MIN_BIN = 3;

const fftRow = new FFT(QW);
const fftCol = new FFT(QH);
const hann = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
const HANN_W = hann(QW);
const HANN_H = hann(QH);

/** Amplitude spectrum (levels of a sinusoid) of a windowed QW×QH crop of `d` at (x0, y0). */
function quadrantSpectrum(d: Float32Array, width: number, x0: number, y0: number): Float64Array {
  let mean = 0;
  for (let y = 0; y < QH; y++) for (let x = 0; x < QW; x++) mean += d[(y0 + y) * width + x0 + x]!;
  mean /= QW * QH;
  // Rows first (real input), then columns (complex).
  const rows: number[][] = [];
  const input = new Array<number>(QW);
  for (let y = 0; y < QH; y++) {
    for (let x = 0; x < QW; x++) input[x] = (d[(y0 + y) * width + x0 + x]! - mean) * HANN_W[x]! * HANN_H[y]!;
    const out = fftRow.createComplexArray() as number[];
    fftRow.realTransform(out, input);
    fftRow.completeSpectrum(out);
    rows.push(out);
  }
  const amp = new Float64Array(QW * QH);
  const col = fftCol.createComplexArray() as number[];
  const colOut = fftCol.createComplexArray() as number[];
  const scale = 8 / (QW * QH);
  for (let kx = 0; kx < QW; kx++) {
    for (let y = 0; y < QH; y++) {
      col[2 * y] = rows[y]![2 * kx]!;
      col[2 * y + 1] = rows[y]![2 * kx + 1]!;
    }
    fftCol.transform(colOut, col);
    for (let ky = 0; ky < QH; ky++) amp[ky * QW + kx] = scale * Math.hypot(colOut[2 * ky]!, colOut[2 * ky + 1]!);
  }
  return amp;
}

export interface BandPeak {
  amplitude: number;
  /** Period in pixels of the analysis picture, and the bands' angle (0 = horizontal bands). */
  period: number;
  angle: number;
}

/** The strongest band present in all four quadrants of `a − b`, above the spectrum's floor. */
export function bandPeak(a: Frame, b: Frame): BandPeak {
  const { width: w, height: h } = a;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = a.y[i]! - b.y[i]!;
  const xs = [Math.floor((w / 2 - QW) / 2), Math.floor(w / 2 + (w / 2 - QW) / 2)];
  const ys = [Math.floor((h / 2 - QH) / 2), Math.floor(h / 2 + (h / 2 - QH) / 2)];
  const specs: Float64Array[] = [];
  for (const y0 of ys) for (const x0 of xs) specs.push(quadrantSpectrum(d, w, Math.max(0, x0), Math.max(0, y0)));
  const common: number[] = [];
  let best = { amplitude: 0, period: 0, angle: 0, k: -1 };
  // Half the spectrum (real input): ky in 0…QH/2, kx signed.
  for (let ky = 0; ky <= QH / 2; ky++) {
    for (let kxi = 0; kxi < QW; kxi++) {
      const kx = kxi <= QW / 2 ? kxi : kxi - QW;
      if (ky === 0 && kx <= 0) continue;
      if (Math.abs(kx) < MIN_BIN && ky < MIN_BIN) continue;
      let m = Infinity;
      for (const s of specs) m = Math.min(m, s[ky * QW + kxi]!);
      common.push(m);
      if (m > best.amplitude) {
        const fx = kx / QW;
        const fy = ky / QH;
        const f = Math.hypot(fx, fy);
        best = { amplitude: m, period: 1 / f, angle: (Math.atan2(fx, fy) * 180) / Math.PI, k: common.length - 1 };
      }
    }
  }
  const floor = median(common);
  return { amplitude: Math.max(0, best.amplitude - 3 * floor), period: best.period, angle: best.angle };
}

export function detectStripes(v: BurstView): DetectorResult {
  const frames = v.frames;
  const maxLag = Math.max(...LAGS);
  if (frames.length <= maxLag || frames[0]!.width < 2 * QW || frames[0]!.height < 2 * QH) return { confidence: 0, measure: NaN, detail: 'too few frames to judge' };
  const peaks: BandPeak[] = [];
  for (let i = 0; i + maxLag < frames.length; i += 8) {
    const byLag = LAGS.map((l) => bandPeak(frames[i + l]!, frames[i]!));
    peaks.push(byLag.reduce((a, b) => (b.amplitude > a.amplitude ? b : a)));
  }
  const a = median(peaks.map((p) => p.amplitude));
  const top = peaks.reduce((x, y) => (y.amplitude > x.amplitude ? y : x));
  const angle = Math.round(top.angle);
  const kind = Math.abs(angle) < 10 ? 'horizontal' : Math.abs(Math.abs(angle) - 90) < 10 ? 'vertical' : 'diagonal';
  return {
    confidence: ramp(a, RAMPS.stripes),
    measure: a,
    parts: { angle: top.angle, period: top.period },
    detail: `${kind} bands ±${fmt(a, 1)} levels (difference, above the floor), period ≈${fmt(top.period, 1)} px at ${angle}°`,
  };
}
