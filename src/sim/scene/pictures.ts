// The pictures a simulated camera can show (`vcgw sim camera serve --picture …`): a normal road by
// day, at night or in fog, and each broken camera the image-quality diagnosis looks for.
import type { Defect, SceneSpec } from './render.js';

export const SCENE_PICTURES = ['road', 'night', 'fog', 'black', 'blue', 'frozen', 'occluded', 'blurred', 'dark', 'overexposed', 'noise', 'flicker', 'stripes'] as const;
export type ScenePicture = (typeof SCENE_PICTURES)[number];

const ROAD: SceneSpec = { seed: 7, light: 'day', weather: 'clear', traffic: 6, lamps: 4, vegetation: 0.6, caption: 'G15 K1844+158 UP', captionAt: 'bl', clock: 'tl' };

export function isScenePicture(p: string): p is ScenePicture {
  return (SCENE_PICTURES as readonly string[]).includes(p);
}

/** The scene and defects of a picture. */
export function scenePicture(p: ScenePicture): { scene: SceneSpec; defects: Defect[] } {
  switch (p) {
    case 'road':
      return { scene: ROAD, defects: [] };
    case 'night':
      return { scene: { ...ROAD, light: 'night', lamps: 6 }, defects: [] };
    case 'fog':
      return { scene: { ...ROAD, weather: 'fog', visibility: 50 }, defects: [] };
    case 'black':
      return { scene: ROAD, defects: [{ kind: 'lost', screen: 'black', osd: true }] };
    case 'blue':
      return { scene: ROAD, defects: [{ kind: 'lost', screen: 'blue', text: true }] };
    case 'frozen':
      return { scene: ROAD, defects: [{ kind: 'frozen', atFrame: 0 }] };
    case 'occluded':
      return { scene: ROAD, defects: [{ kind: 'occluder', material: 'bag', cover: 0.6, from: 'bottom' }] };
    case 'blurred':
      return { scene: ROAD, defects: [{ kind: 'defocus', radius: 9 }] };
    case 'dark':
      return { scene: ROAD, defects: [{ kind: 'exposure', gain: 0.18 }] };
    case 'overexposed':
      return { scene: ROAD, defects: [{ kind: 'exposure', gain: 2.4 }] };
    case 'noise':
      return { scene: ROAD, defects: [{ kind: 'noise', sigma: 30 }] };
    case 'flicker':
      return { scene: ROAD, defects: [{ kind: 'flicker', amplitude: 0.1, hz: 5 }] };
    case 'stripes':
      return { scene: ROAD, defects: [{ kind: 'stripes', amplitude: 8, period: 36, angle: 30, speed: 1 }] };
  }
}
