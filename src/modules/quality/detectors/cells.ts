// Per-cell gradient energies of a luma plane: the raw material of the sharpness and occlusion
// measures. e1 is the mean of squared 1-pixel differences (fine detail), e3 of 3-pixel ones (edges
// of any sharpness); a sharp step gives e1/e3 = 1/3, a smeared one tends to 1/9.
import { CELL, type BurstView } from './view.js';

export interface CellEnergy {
  e1: Float32Array;
  e3: Float32Array;
}

export function cellEnergy(p: ArrayLike<number>, v: Pick<BurstView, 'width' | 'height' | 'cols' | 'rows'>): CellEnergy {
  const { width: w, height: h, cols, rows } = v;
  const e1 = new Float32Array(cols * rows);
  const e3 = new Float32Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let a = 0;
      let b = 0;
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
        const y1 = Math.min(h - 1, y + 1);
        const y3 = Math.min(h - 1, y + 3);
        for (let x = cx * CELL; x < (cx + 1) * CELL; x++) {
          const i = y * w + x;
          const q = p[i]!;
          const h1 = p[y * w + Math.min(w - 1, x + 1)]! - q;
          const v1 = p[y1 * w + x]! - q;
          const h3 = p[y * w + Math.min(w - 1, x + 3)]! - q;
          const v3 = p[y3 * w + x]! - q;
          a += h1 * h1 + v1 * v1;
          b += h3 * h3 + v3 * v3;
        }
      }
      e1[cy * cols + cx] = a / (CELL * CELL);
      e3[cy * cols + cx] = b / (CELL * CELL);
    }
  }
  return { e1, e3 };
}
