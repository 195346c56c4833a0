// Frames for the detector tests rendered straight at the analysis size by the scene generator (no
// FFmpeg, no encoder): the picture a camera would give with the defect and nothing else.
import type { Frame } from '../../../src/modules/quality/types.js';
import { SceneRenderer, type Defect, type SceneSpec } from '../../../src/sim/scene/render.js';

export const DAY: SceneSpec = { seed: 21, light: 'day', weather: 'clear', traffic: 6, lamps: 4, vegetation: 0.6, caption: 'G15 K1844+158', captionAt: 'bl', clock: 'tl', grain: 0.6 };

/** `n` frames of the scene at 320×180 (grain as a 960×540 camera's looks once scaled down). */
export function sceneFrames(scene: SceneSpec, defects: Defect[] = [], n = 50): Frame[] {
  const r = new SceneRenderer(scene, defects, 320, 180);
  return Array.from({ length: n }, (_, i) => {
    const b = r.frame(i);
    const y = new Uint8Array(b.buffer, b.byteOffset, 320 * 180);
    const u = new Uint8Array(b.buffer, b.byteOffset + 320 * 180, 160 * 90);
    const v = new Uint8Array(b.buffer, b.byteOffset + 320 * 180 + 160 * 90, 160 * 90);
    return { width: 320, height: 180, y, u, v };
  });
}
