// The labelled image-quality set of issue 10, made with the scene generator (src/sim/scene): road
// scenes at day, afternoon, dawn, dusk and night, clear, fog and rain, every defect at several
// strengths alone and combined, and hard negatives per condition. Split by seed AND by scene: the
// tuning part and the test part share no scene variant and no seed, so thresholds set on one are
// judged on pictures they never saw. Bench and test material only: nothing here ships.
import { readFrames } from '../../src/modules/quality/frames.js';
import { CONDITIONS, type Condition, type Frame } from '../../src/modules/quality/types.js';
import { ensureSceneClip, type SceneClipSpec } from '../../src/sim/scene/encode.js';
import type { Defect, SceneSpec } from '../../src/sim/scene/render.js';

export type Part = 'tuning' | 'test';
export type ItemKind = 'normal' | 'hard-negative' | 'defect' | 'combined';
type SceneName = string;

export interface SetItem {
  id: string;
  part: Part;
  kind: ItemKind;
  /** The scene variant (of this part). */
  scene: SceneName;
  labels: readonly Condition[];
  clip: SceneClipSpec;
  note: string;
}

/** Sub-stream encodings cameras really use: qHD at 512 kb/s–1 Mb/s, CIF at 128–256 kb/s. */
const ENCODINGS = [
  { width: 960, height: 540, bitrateKbps: 512, gopFrames: 50 },
  { width: 352, height: 288, bitrateKbps: 256, gopFrames: 50 },
  { width: 960, height: 540, bitrateKbps: 1024, gopFrames: 25 },
  { width: 960, height: 540, bitrateKbps: 768, gopFrames: 50 },
  { width: 352, height: 288, bitrateKbps: 128, gopFrames: 25 },
] as const;


/** Scene variants of each part: the same kinds of place and weather, never the same variant. */
const SCENES: Record<Part, Record<SceneName, Omit<SceneSpec, 'seed'>>> = {
  tuning: {
    'day-busy': { light: 'day', weather: 'clear', traffic: 8, lamps: 4, vegetation: 0.6, caption: 'G15 K1844+158 UP', captionAt: 'bl', clock: 'tl' },
    afternoon: { light: 'afternoon', weather: 'clear', traffic: 5, lamps: 2, vegetation: 0.9, caption: 'G2 K88+400', captionAt: 'br', clock: 'tl' },
    'dusk-lamps': { light: 'dusk', weather: 'clear', traffic: 4, lamps: 6, vegetation: 0.5, caption: 'S20 K12+050 DOWN', captionAt: 'bl', clock: 'tr' },
    'night-lit': { light: 'night', weather: 'clear', traffic: 4, lamps: 6, vegetation: 0.4, caption: 'G15 K1850+000', captionAt: 'bl', clock: 'tl' },
    'night-few': { light: 'night', weather: 'clear', traffic: 1, lamps: 2, vegetation: 0.5, caption: 'G60 K301+700', captionAt: 'br', clock: 'tl' },
    'fog-day': { light: 'day', weather: 'fog', traffic: 2, lamps: 3, vegetation: 0.5, visibility: 55, caption: 'G15 K1900+300', captionAt: 'bl', clock: 'tl' },
    'rain-day': { light: 'day', weather: 'rain', traffic: 5, lamps: 3, vegetation: 0.6, caption: 'G25 K77+000', captionAt: 'bl', clock: 'tr' },
    'dawn-empty': { light: 'dawn', weather: 'clear', traffic: 0, lamps: 3, vegetation: 0.7, caption: 'G15 K1799+900', captionAt: 'br', clock: 'tl' },
  },
  test: {
    'day-quiet': { light: 'day', weather: 'clear', traffic: 2, lamps: 2, vegetation: 0.3, caption: 'G4 K1201+300', captionAt: 'bl', clock: 'tr' },
    'afternoon-busy': { light: 'afternoon', weather: 'clear', traffic: 10, lamps: 4, vegetation: 0.5, caption: 'G15 K1844+200 DOWN', captionAt: 'bl', clock: 'tl' },
    'dusk-rain': { light: 'dusk', weather: 'rain', traffic: 3, lamps: 5, vegetation: 0.4, caption: 'S6 K33+600', captionAt: 'br', clock: 'tl' },
    'night-lamps': { light: 'night', weather: 'clear', traffic: 3, lamps: 8, vegetation: 0.3, caption: 'G15 K1860+450', captionAt: 'bl', clock: 'tl' },
    'night-dim': { light: 'night', weather: 'clear', traffic: 2, lamps: 1, vegetation: 0.6, caption: 'G72 K9+900', captionAt: 'bl', clock: 'tr' },
    'fog-dense': { light: 'dawn', weather: 'fog', traffic: 1, lamps: 4, vegetation: 0.4, visibility: 38, caption: 'G15 K1910+000', captionAt: 'br', clock: 'tl' },
    'rain-afternoon': { light: 'afternoon', weather: 'rain', traffic: 6, lamps: 2, vegetation: 0.7, caption: 'G25 K80+100', captionAt: 'bl', clock: 'tl' },
    'day-empty': { light: 'day', weather: 'clear', traffic: 0, lamps: 2, vegetation: 0.2, caption: 'S20 K3+300', captionAt: 'bl', clock: 'tl' },
  },
};

/** Per part: the scene variants standing for day (bright, textured), night, fog and an empty road. */
const ROLES: Record<Part, { bright: SceneName[]; night: SceneName[]; fog: SceneName; empty: SceneName; all: SceneName[] }> = {
  tuning: { bright: ['day-busy', 'afternoon', 'rain-day', 'dusk-lamps'], night: ['night-lit', 'night-few'], fog: 'fog-day', empty: 'dawn-empty', all: Object.keys(SCENES.tuning) },
  test: { bright: ['afternoon-busy', 'day-quiet', 'rain-afternoon', 'dusk-rain'], night: ['night-lamps', 'night-dim'], fog: 'fog-dense', empty: 'day-empty', all: Object.keys(SCENES.test) },
};

const SEED_BASE: Record<Part, number> = { tuning: 1000, test: 5000 };

function partItems(part: Part): SetItem[] {
  const items: SetItem[] = [];
  let n = 0;
  const roles = ROLES[part];
  const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;
  const add = (kind: ItemKind, labels: Condition[], sceneName: SceneName, defects: Defect[], note: string, over: Partial<SceneSpec> = {}): void => {
    const k = n++;
    const enc = ENCODINGS[k % ENCODINGS.length]!;
    const scene: SceneSpec = { ...SCENES[part][sceneName]!, ...over, seed: SEED_BASE[part] + k };
    const tag = defects.map((d) => d.kind).join('+') || kind;
    items.push({
      id: `${part}-${String(k).padStart(3, '0')}-${sceneName}-${tag}`,
      part,
      kind,
      scene: sceneName,
      labels: CONDITIONS.filter((c) => labels.includes(c)),
      clip: { scene, defects, ...enc, fps: 25, seconds: 2, container: 'mpegts' },
      note: `${note} (${enc.width}x${enc.height} ${enc.bitrateKbps} kb/s)`,
    });
  };

  // Normal pictures: every scene variant, twice (two encodings, two seeds).
  for (const s of roles.all) add('normal', [], s, [], 'normal');
  for (const s of roles.all) add('normal', [], s, [], 'normal');

  // Hard negatives, per condition they could be mistaken for.
  add('hard-negative', [], roles.empty, [], 'frozen? a road where nothing moves but the clock and the grain', { traffic: 0 });
  add('hard-negative', [], roles.fog, [], 'frozen/occluded/blurred? fog with no traffic', { traffic: 0 });
  add('hard-negative', [], roles.night[1]!, [], 'dark/lost? a night road with one lamp and no traffic', { traffic: 0, lamps: 1 });
  add('hard-negative', [], roles.night[0]!, [], 'dark? night with headlights only', { lamps: 0, traffic: 3, oncoming: true });
  add('hard-negative', [], roles.bright[0]!, [], 'occluded/blurred? low texture: no vegetation, no traffic', { vegetation: 0, traffic: 0, lamps: 0 });
  add('hard-negative', [], roles.fog, [], 'occluded/blurred? dense fog', { visibility: 25 });
  add('hard-negative', [], roles.bright[3]!, [], 'dark? dusk, mean luma low but a normal picture');
  add('hard-negative', [], roles.night[0]!, [], 'noise? a grainy night (sensor gain up)', { grain: 5 });
  add('hard-negative', [], roles.bright[2]!, [], 'stripes/noise? heavy rain', { weather: 'rain' });
  add('hard-negative', [], roles.bright[1]!, [], 'flicker? fast heavy traffic', { traffic: 14, speed: 1.4 });

  // Signal lost: screens of one colour, with and without text or the camera's still-ticking OSD.
  const screens: Array<Extract<Defect, { kind: 'lost' }>> = [
    { kind: 'lost', screen: 'black', osd: true },
    { kind: 'lost', screen: 'blue', text: true },
    { kind: 'lost', screen: 'black' },
    { kind: 'lost', screen: 'grey', osd: true },
    { kind: 'lost', screen: 'green' },
    { kind: 'lost', screen: 'blue' },
    { kind: 'lost', screen: 'black', text: true },
  ];
  screens.forEach((d, k) => add('defect', ['signalLost'], pick(roles.all, k), [d], `signal lost: ${d.screen} screen${d.text ? ' with NO VIDEO' : ''}${d.osd ? ' with the OSD' : ''}`));

  // Occluded: textured covers on the lens, 40–90 % of the picture.
  const covers: Array<Extract<Defect, { kind: 'occluder' }>> = [
    { kind: 'occluder', material: 'bag', cover: 0.6, from: 'bottom' },
    { kind: 'occluder', material: 'mud', cover: 0.45, from: 'corner' },
    { kind: 'occluder', material: 'leaves', cover: 0.7, from: 'left' },
    { kind: 'occluder', material: 'hand', cover: 0.85, from: 'right' },
    { kind: 'occluder', material: 'mud', cover: 0.9, from: 'centre' },
    { kind: 'occluder', material: 'leaves', cover: 0.5, from: 'top' },
    { kind: 'occluder', material: 'bag', cover: 0.4, from: 'right' },
    { kind: 'occluder', material: 'hand', cover: 0.6, from: 'bottom' },
  ];
  covers.forEach((d, k) => add('defect', ['occluded'], pick([...roles.bright, roles.night[0]!, roles.empty], k), [d], `occluded: ${d.material} over ${Math.round(d.cover * 100)} % from ${d.from}`));

  // Blurred: defocus at realistic strengths (radius in px of a 960-wide picture), OSD sharp on top.
  const blurs: Array<[SceneName, number]> = [
    [roles.bright[0]!, 5],
    [roles.bright[1]!, 7],
    [roles.bright[2]!, 10],
    [roles.bright[3]!, 14],
    [roles.night[0]!, 8],
    [roles.empty, 6],
    [roles.bright[0]!, 9],
    [roles.bright[1]!, 12],
  ];
  for (const [s, r] of blurs) add('defect', ['blurred'], s, [{ kind: 'defocus', radius: r }], `defocus radius ${r} px`);

  // Brightness: underexposed day scenes (not a lost signal: the scene is still there) and overexposure.
  const exposures: Array<[SceneName, number]> = [
    [roles.bright[0]!, 0.15],
    [roles.bright[1]!, 0.25],
    [roles.bright[2]!, 0.2],
    [roles.empty, 0.3],
    [roles.bright[0]!, 2.6],
    [roles.bright[1]!, 1.9],
    [roles.bright[2]!, 2.2],
    [roles.fog, 1.8],
  ];
  // Overexposure is judged by daylight: a gain on a dawn picture may only make it normal.
  for (const [s, g] of exposures) add('defect', ['brightness'], s, [{ kind: 'exposure', gain: g }], g < 1 ? `underexposed ×${g}` : `overexposed ×${g}`, g > 1 ? { light: 'day' } : {});

  // Frozen: everything stops, the OSD clock included.
  const frozen: SceneName[] = [roles.bright[0]!, roles.bright[1]!, roles.night[0]!, roles.empty, roles.fog, roles.bright[2]!, roles.night[1]!];
  frozen.forEach((s, k) => add('defect', ['frozen'], s, [{ kind: 'frozen', atFrame: k % 3 === 0 ? 0 : 3 + k }], 'frozen picture and clock'));

  // Noise, compressed with the picture.
  const noises: Array<[SceneName, number]> = [
    [roles.bright[0]!, 20],
    [roles.bright[1]!, 28],
    [roles.night[0]!, 22],
    [roles.empty, 32],
    [roles.bright[2]!, 40],
    [roles.night[1]!, 26],
    [roles.bright[3]!, 24],
    [roles.fog, 30],
  ];
  for (const [s, sg] of noises) add('defect', ['noise'], s, [{ kind: 'noise', sigma: sg }], `noise σ ${sg}`);

  // Flicker: the whole picture's brightness swinging.
  const flickers: Array<[SceneName, number, number]> = [
    [roles.bright[0]!, 0.08, 5],
    [roles.bright[1]!, 0.12, 2.5],
    [roles.night[0]!, 0.15, 8],
    [roles.empty, 0.06, 10],
    [roles.fog, 0.1, 4],
    [roles.bright[2]!, 0.07, 6.25],
    [roles.bright[3]!, 0.1, 3],
  ];
  for (const [s, a, hz] of flickers) add('defect', ['flicker'], s, [{ kind: 'flicker', amplitude: a, hz }], `flicker ±${Math.round(a * 100)} % at ${hz} Hz`);

  // Rolling stripes: horizontal, vertical, diagonal, broad and fine.
  const stripes: Array<[SceneName, number, number, number, number]> = [
    [roles.bright[0]!, 8, 40, 0, 1],
    [roles.bright[1]!, 6, 14, 0, 2],
    [roles.night[0]!, 6, 30, 35, 1.5],
    [roles.empty, 10, 60, 90, 0.8],
    [roles.fog, 7, 24, -45, 1],
    [roles.bright[2]!, 9, 12, 60, 2.5],
    [roles.bright[3]!, 5, 20, 20, 1],
    [roles.night[1]!, 8, 45, -30, 0.7],
  ];
  for (const [s, a, p, ang, sp] of stripes) add('defect', ['stripes'], s, [{ kind: 'stripes', amplitude: a, period: p, angle: ang, speed: sp }], `stripes ±${a} levels, period ${p} px, ${ang}°`);

  // Combined defects.
  add('combined', ['blurred', 'noise'], roles.bright[0]!, [{ kind: 'defocus', radius: 9 }, { kind: 'noise', sigma: 26 }], 'defocus + noise');
  add('combined', ['brightness', 'noise'], roles.bright[1]!, [{ kind: 'exposure', gain: 0.2 }, { kind: 'noise', sigma: 24 }], 'underexposed + noise');
  add('combined', ['occluded', 'blurred'], roles.bright[2]!, [{ kind: 'occluder', material: 'mud', cover: 0.55, from: 'left' }, { kind: 'defocus', radius: 10 }], 'mud + defocus');
  add('combined', ['flicker', 'stripes'], roles.bright[3]!, [{ kind: 'flicker', amplitude: 0.1, hz: 5 }, { kind: 'stripes', amplitude: 8, period: 32, angle: 0, speed: 1.5 }], 'flicker + stripes');
  add('combined', ['noise', 'stripes'], roles.night[0]!, [{ kind: 'noise', sigma: 28 }, { kind: 'stripes', amplitude: 9, period: 40, angle: 30, speed: 1 }], 'noise + diagonal stripes');
  add('combined', ['brightness', 'blurred'], roles.bright[0]!, [{ kind: 'exposure', gain: 2.3 }, { kind: 'defocus', radius: 10 }], 'overexposed + defocus');
  add('combined', ['frozen', 'brightness'], roles.bright[1]!, [{ kind: 'exposure', gain: 0.2 }, { kind: 'frozen', atFrame: 0 }], 'underexposed and frozen');
  return items;
}

export function qualitySet(): SetItem[] {
  return [...partItems('tuning'), ...partItems('test')];
}

export interface SetOptions {
  cacheDir?: string;
  ffmpegPath?: string;
}

/** The clip of an item, made first (rendered and encoded) when not cached. */
export function ensureItem(item: SetItem, opts: SetOptions = {}): Promise<string> {
  return ensureSceneClip(item.clip, opts);
}

/** Makes every missing clip, `parallel` at a time (each is one Node render and one x264). */
export async function ensureSet(items: readonly SetItem[], opts: SetOptions & { parallel?: number; onMade?: (done: number) => void } = {}): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      await ensureItem(items[next++]!, opts);
      opts.onMade?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 1) }, worker));
}

/** The item's first 2 s as the daemon reads a camera: 50 frames at 320×180. */
export async function itemFrames(item: SetItem, opts: SetOptions = {}): Promise<Frame[]> {
  const file = await ensureItem(item, opts);
  const burst = await readFrames(file, { maxFrames: 50, timeoutMs: 30_000, ffmpegPath: opts.ffmpegPath });
  if (burst.frames.length === 0) throw new Error(`no frames decoded from ${file}: ${burst.error ?? burst.ended}`);
  return burst.frames;
}
