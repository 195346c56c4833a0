// Each detector on pictures where the answer is plain, rendered at the analysis size by the scene
// generator: the defect fires, and the hard negatives of issue 10 do not (a quiet road is not
// frozen, a night with few lights is not too dark, fog is not a cover, a dark picture is not a
// lost signal, a blurred picture with a sharp OSD on top is still blurred).
import t from 'tap';
import { detectBlurred } from '../../../src/modules/quality/detectors/blurred.js';
import { detectBrightness } from '../../../src/modules/quality/detectors/brightness.js';
import { detectFlicker } from '../../../src/modules/quality/detectors/flicker.js';
import { detectFrozen } from '../../../src/modules/quality/detectors/frozen.js';
import { detectNoise } from '../../../src/modules/quality/detectors/noise.js';
import { detectOccluded } from '../../../src/modules/quality/detectors/occluded.js';
import { detectSignalLost } from '../../../src/modules/quality/detectors/signalLost.js';
import { detectStripes } from '../../../src/modules/quality/detectors/stripes.js';
import { burstView, osdFraction } from '../../../src/modules/quality/detectors/view.js';
import { diagnose } from '../../../src/modules/quality/diagnose.js';
import { RAMPS } from '../../../src/modules/quality/thresholds.js';
import { CONDITIONS } from '../../../src/modules/quality/types.js';
import type { SceneSpec } from '../../../src/sim/scene/render.js';
import { DAY, sceneFrames } from './scenes.js';

const view = (scene: SceneSpec, defects: Parameters<typeof sceneFrames>[1] = [], n = 50) => burstView(sceneFrames(scene, defects, n));
const day = view(DAY);
const quiet = view({ ...DAY, traffic: 0 });
const nightFew = view({ ...DAY, light: 'night', lamps: 1, traffic: 1, oncoming: true, grain: 1 });

t.test('normal pictures raise nothing: a busy day, an empty road, a night with one lamp, fog', async (t) => {
  const scenes: Array<[string, ReturnType<typeof view>]> = [
    ['day', day],
    ['empty road', quiet],
    ['night, one lamp', nightFew],
    ['fog', view({ ...DAY, weather: 'fog', traffic: 0 })],
  ];
  for (const [name, v] of scenes) {
    const d = diagnose(v.frames);
    t.same(CONDITIONS.filter((c) => d.flags[c]), [], `${name}: ${CONDITIONS.map((c) => d.confidences[c]).join('|')}`);
  }
});

t.test('the OSD is found (clock and caption) and is not the picture', async (t) => {
  const f = osdFraction(day);
  t.ok(f > 0.03 && f < 0.25, `OSD cells ${(f * 100).toFixed(1)} % of the picture`);
  const bare = view({ ...DAY, clock: 'none', caption: undefined });
  // The clock sits top left: the cells under its first characters.
  const clockCell = 1 * day.cols + 2;
  t.equal(day.osd[clockCell], 1, 'the clock is masked');
  t.equal(bare.osd[clockCell], 0, 'without an OSD the same cells are picture');
  t.ok(osdFraction(bare) < f, 'less is masked without an OSD');
});

t.test('signal lost: one-colour screens, with the OSD or NO VIDEO on them; a dark picture is not one', async (t) => {
  t.equal(detectSignalLost(view(DAY, [{ kind: 'lost', screen: 'black', osd: true }], 10)).confidence, 1, 'black with the ticking OSD');
  t.equal(detectSignalLost(view(DAY, [{ kind: 'lost', screen: 'blue', text: true }], 10)).confidence, 1, 'NVR blue with NO VIDEO');
  const under = view(DAY, [{ kind: 'exposure', gain: 0.15 }], 10);
  t.equal(detectSignalLost(under).confidence, 0, `underexposed ×0.15: ${detectSignalLost(under).detail}`);
  t.equal(detectSignalLost(nightFew).confidence, 0, `night with one lamp: ${detectSignalLost(nightFew).detail}`);
});

t.test('frozen: everything stops, clock included; an empty road where only the clock ticks is live', async (t) => {
  const frozen = detectFrozen(view(DAY, [{ kind: 'frozen', atFrame: 5 }]));
  t.equal(frozen.confidence, 1, frozen.detail);
  const live = detectFrozen(quiet);
  t.equal(live.confidence, 0, live.detail);
  t.ok(live.parts!['osd']! > live.parts!['picture']!, `the clock is what moved most: ${live.detail}`);
});

t.test('occluded: textured covers (bag, leaves, hand, mud) fire; fog and an empty low-texture road do not', async (t) => {
  for (const [material, from, cover] of [
    ['bag', 'bottom', 0.6],
    ['leaves', 'left', 0.7],
    ['hand', 'right', 0.8],
    ['mud', 'corner', 0.5],
  ] as const) {
    const r = detectOccluded(view(DAY, [{ kind: 'occluder', material, cover, from }], 12));
    t.ok(r.confidence >= 0.5, `${material} over ${cover * 100} %: ${r.detail}`);
  }
  for (const [name, scene] of [
    ['dense fog', { ...DAY, weather: 'fog', visibility: 30, traffic: 0 }],
    ['no vegetation, no traffic', { ...DAY, vegetation: 0, traffic: 0, lamps: 0 }],
  ] as const) {
    const r = detectOccluded(view(scene as SceneSpec, [], 12));
    t.ok(r.confidence < 0.5, `${name}: ${r.detail}`);
  }
});

t.test('blurred: defocus under a sharp OSD fires; the sharp road does not', async (t) => {
  for (const radius of [6, 12]) {
    const v = view(DAY, [{ kind: 'defocus', radius }], 12);
    t.ok(osdFraction(v) > 0.03, 'the OSD is still sharp on top and found');
    const r = detectBlurred(v);
    t.ok(r.confidence >= 0.5, `defocus radius ${radius}: ${r.detail}`);
  }
  t.equal(detectBlurred(day).confidence, 0, detectBlurred(day).detail);
});

t.test('brightness: underexposed and overexposed fire; a night road with one lamp is dark but normal', async (t) => {
  const dark = detectBrightness(view(DAY, [{ kind: 'exposure', gain: 0.18 }], 10));
  t.ok(dark.confidence >= 0.5 && dark.detail.startsWith('too dark'), dark.detail);
  const over = detectBrightness(view(DAY, [{ kind: 'exposure', gain: 2.5 }], 10));
  t.ok(over.confidence >= 0.5 && over.detail.startsWith('overexposed'), over.detail);
  const night = detectBrightness(nightFew);
  t.ok(night.confidence < 0.5, `night: ${night.detail}`);
});

t.test('noise: heavy grain fires; the normal grain and rolling stripes alone do not', async (t) => {
  const noisy = detectNoise(view(DAY, [{ kind: 'noise', sigma: 10 }]));
  t.ok(noisy.confidence >= 0.5, noisy.detail);
  t.equal(detectNoise(day).confidence, 0, detectNoise(day).detail);
  const sv = view(DAY, [{ kind: 'stripes', amplitude: 6, period: 30, angle: 0, speed: 1 }]);
  const s = detectNoise(sv, detectStripes(sv));
  t.ok(s.confidence < 0.5, `stripes: ${s.detail}`);
  t.equal(detectNoise(burstView(sceneFrames(DAY, [], 3))).confidence, 0, 'fewer than 5 frames: not judged');
});

t.test('noise: grain on a dim night that is small in levels fires by its size relative to the brightness', async (t) => {
  const night = { ...DAY, light: 'night' as const, lamps: 1, traffic: 1, oncoming: true, grain: 1 };
  const n = detectNoise(view(night, [{ kind: 'noise', sigma: 1 }], 20));
  t.ok(n.confidence >= 0.5 && n.measure < (RAMPS.noise.zero + RAMPS.noise.one) / 2, `below the level threshold, flagged by the relative residue: ${n.detail}`);
});

t.test('noise: the grain an overexposed picture amplifies is the brightness fault, not noise', async (t) => {
  const v = view({ ...DAY, grain: 2 }, [{ kind: 'exposure', gain: 2.2 }], 20);
  const light = detectBrightness(v);
  t.ok(light.confidence >= 0.5, light.detail);
  t.ok(detectNoise(v).confidence >= 0.5, 'judged without the brightness, its residue is above the threshold');
  const n = detectNoise(v, undefined, light);
  t.ok(n.confidence < 0.5, `with the brightness: ${n.detail}`);
});

t.test('flicker: a 5 Hz swing fires at 5 Hz; traffic alone does not', async (t) => {
  const f = detectFlicker(view(DAY, [{ kind: 'flicker', amplitude: 0.08, hz: 5 }]));
  t.ok(f.confidence >= 0.5, f.detail);
  t.match(f.detail, /at 5\.0 Hz/);
  t.equal(detectFlicker(view({ ...DAY, traffic: 14, speed: 1.4 })).confidence, 0, 'heavy traffic');
});

t.test('stripes: diagonal, vertical and fine rolling bands fire; the scene\'s own lines do not', async (t) => {
  const diag = detectStripes(view(DAY, [{ kind: 'stripes', amplitude: 6, period: 30, angle: 35, speed: 1 }]));
  t.ok(diag.confidence >= 0.5 && diag.detail.startsWith('diagonal'), diag.detail);
  const vert = detectStripes(view(DAY, [{ kind: 'stripes', amplitude: 6, period: 45, angle: 90, speed: 0.8 }]));
  t.ok(vert.confidence >= 0.5 && vert.detail.startsWith('vertical'), vert.detail);
  const fine = detectStripes(view(DAY, [{ kind: 'stripes', amplitude: 6, period: 12, angle: 0, speed: 2 }]));
  t.ok(fine.confidence >= 0.5 && fine.detail.startsWith('horizontal'), fine.detail);
  t.equal(detectStripes(day).confidence, 0, detectStripes(day).detail);
});

t.test('no picture masks the rest; diagnose refuses frames it cannot judge', async (t) => {
  const d = diagnose(sceneFrames(DAY, [{ kind: 'lost', screen: 'black' }], 10));
  t.same(CONDITIONS.filter((c) => d.flags[c]), ['signalLost']);
  t.throws(() => diagnose([]), RangeError);
  const small = { width: 160, height: 90, y: new Uint8Array(160 * 90), u: new Uint8Array(80 * 45), v: new Uint8Array(80 * 45) };
  t.throws(() => diagnose([day.frames[0]!, small]), RangeError);
});
