// Each detector on synthetic frames: its clear case fires, its hard negative does not.
import t from 'tap';
import { detectBlurred } from '../../src/modules/quality/detectors/blurred.js';
import { detectBrightness } from '../../src/modules/quality/detectors/brightness.js';
import { detectFlicker } from '../../src/modules/quality/detectors/flicker.js';
import { detectFrozen } from '../../src/modules/quality/detectors/frozen.js';
import { detectNoise } from '../../src/modules/quality/detectors/noise.js';
import { detectOccluded } from '../../src/modules/quality/detectors/occluded.js';
import { detectSignalLost } from '../../src/modules/quality/detectors/signalLost.js';
import { detectStripes } from '../../src/modules/quality/detectors/stripes.js';
import { diagnose } from '../../src/modules/quality/diagnose.js';
import { CONDITIONS } from '../../src/modules/quality/types.js';
import { boxBlur, frameFromLuma, H, live, rng, texture, W } from './synth.js';

const N = 30;
const road = texture(1);
const normal = live(road, N, 1.2);

t.test('a normal live picture raises nothing', async (t) => {
  const d = diagnose(normal);
  for (const c of CONDITIONS) t.notOk(d.flags[c], `${c}: ${d.details[c]} (confidence ${d.confidences[c]})`);
});

t.test('signal lost: black, blue and grey screens, with or without OSD text; not a night road', async (t) => {
  const black = Array.from({ length: 5 }, () => frameFromLuma(new Float64Array(W * H).fill(16)));
  t.equal(detectSignalLost(black).confidence, 1, 'black');
  const blue = Array.from({ length: 5 }, () => frameFromLuma(new Float64Array(W * H).fill(41), 240, 110));
  t.equal(detectSignalLost(blue).confidence, 1, 'blue');
  const osd = new Float64Array(W * H).fill(16);
  for (let y = 6; y < 18; y++) for (let x = 8; x < 200; x += 3) osd[y * W + x] = 235;
  t.ok(detectSignalLost([frameFromLuma(osd)]).confidence >= 0.5, 'black with an OSD line');
  const night = texture(3, 25, 0.25);
  const r = rng(5);
  for (let k = 0; k < 12; k++) {
    const x0 = Math.floor(r() * (W - 6));
    const y0 = Math.floor(r() * (H - 6));
    for (let y = y0; y < y0 + 5; y++) for (let x = x0; x < x0 + 5; x++) night[y * W + x] = 240;
  }
  const nightFrames = live(night, 5, 2.5);
  t.ok(detectSignalLost(nightFrames).confidence < 0.5, `night road: ${detectSignalLost(nightFrames).detail}`);
  const d = diagnose(black);
  t.same(CONDITIONS.filter((c) => d.flags[c]), ['signalLost'], 'no picture masks every other condition');
});

t.test('occluded: a flat cover over 70 % fires; a 35 % smooth sky does not', async (t) => {
  const covered = Float64Array.from(road);
  for (let y = 0; y < H; y++) for (let x = 0; x < Math.round(W * 0.7); x++) covered[y * W + x] = 30;
  t.ok(detectOccluded(live(covered, 5, 0.3)).confidence >= 0.5, detectOccluded(live(covered, 5, 0.3)).detail);
  const sky = Float64Array.from(road);
  for (let y = 0; y < Math.round(H * 0.35); y++) for (let x = 0; x < W; x++) sky[y * W + x] = 180 + y * 0.3;
  const s = detectOccluded(live(sky, 5, 0.3));
  t.ok(s.confidence < 0.5, `sky: ${s.detail}`);
});

t.test('blurred: defocus fires; a sharp picture and a flat one do not', async (t) => {
  for (const rad of [2, 4]) {
    const b = detectBlurred(live(boxBlur(road, rad), 5, 0.3));
    t.ok(b.confidence >= 0.5, `box blur radius ${rad}: ${b.detail}`);
  }
  t.ok(detectBlurred(normal).confidence < 0.5, detectBlurred(normal).detail);
  const flat = live(new Float64Array(W * H).fill(120), 5, 0.5);
  t.equal(detectBlurred(flat).confidence, 0, 'no edges: no verdict on focus');
});

t.test('brightness: underexposed and overexposed fire; a dark night road with lamps does not', async (t) => {
  const dark = detectBrightness(live(texture(1, 22, 0.2), 5, 0.5));
  t.ok(dark.confidence >= 0.5 && dark.detail.startsWith('too dark'), dark.detail);
  const over = detectBrightness(live(texture(1, 230, 1), 5, 1));
  t.ok(over.confidence >= 0.5 && over.detail.startsWith('overexposed'), over.detail);
  const night = texture(2, 22, 0.2);
  for (let k = 0; k < 10; k++) for (let y = 20 + k * 12; y < 26 + k * 12; y++) for (let x = 30 * k; x < 30 * k + 6; x++) night[y * W + x] = 250;
  const n = detectBrightness(live(night, 5, 1));
  t.ok(n.confidence < 0.5, `night: ${n.detail}`);
});

t.test('frozen: repeated frames fire, even with a ticking OSD; a still road with sensor noise does not', async (t) => {
  const still = live(road, N, 1.0);
  t.ok(detectFrozen(still).confidence < 0.5, `still road: ${detectFrozen(still).detail}`);
  const one = still[0]!;
  const frozen = Array.from({ length: N }, () => one);
  t.equal(detectFrozen(frozen).confidence, 1);
  const osd = Array.from({ length: N }, (_, i) => {
    const y = Uint8Array.from(one.y);
    for (let x = 8; x < 60; x++) y[10 * W + x] = (i * 37 + x) % 255;
    return { ...one, y };
  });
  t.ok(detectFrozen(osd).confidence >= 0.5, `frozen with OSD: ${detectFrozen(osd).detail}`);
});

t.test('noise: heavy temporal noise fires; fine static texture does not', async (t) => {
  const noisy = detectNoise(live(road, 10, 6));
  t.ok(noisy.confidence >= 0.5, noisy.detail);
  const r = rng(11);
  const fine = Float64Array.from({ length: W * H }, () => 100 + 40 * (r() - 0.5));
  const f = detectNoise(live(fine, 10, 0.5));
  t.ok(f.confidence < 0.5, `fine detail: ${f.detail}`);
});

t.test('noise: grain kept only in the burst\'s first (key) frame, as a low-bitrate encoder leaves it, fires', async (t) => {
  const smooth = live(road, 10, 0.3);
  const grainy = live(road, 1, 6, 21)[0]!;
  const k = detectNoise([grainy, ...smooth.slice(1)]);
  t.ok(k.confidence >= 0.5, k.detail);
  t.equal(detectNoise([grainy]).confidence, 0, 'one frame alone is not judged');
  const later = detectNoise([...smooth.slice(0, 5), grainy, ...smooth.slice(6)]);
  t.ok(later.confidence < 0.5, `one grainy frame mid-burst is not the keyframe: ${later.detail}`);
});

t.test('flicker: a 5 Hz brightness swing fires; a slow drift does not', async (t) => {
  const flick = detectFlicker(live(road, 50, 1, 3, (i) => 6 * Math.sin((2 * Math.PI * 5 * i) / 25)));
  t.ok(flick.confidence >= 0.5, flick.detail);
  t.match(flick.detail, /at 5\.0 Hz/);
  const drift = detectFlicker(live(road, 50, 1, 3, (i) => -0.6 * i));
  t.ok(drift.confidence < 0.5, `drift: ${drift.detail}`);
});

t.test('stripes: rolling horizontal and vertical bands fire; a static striped scene does not', async (t) => {
  const rows = detectStripes(live(road, 30, 1, 4, (i, y) => 8 * Math.sin(2 * Math.PI * (y / 12 + i / 25))));
  t.ok(rows.confidence >= 0.5, rows.detail);
  t.match(rows.detail, /horizontal/);
  const cols = detectStripes(live(road, 30, 1, 4, (i, _y, x) => 8 * Math.sin(2 * Math.PI * (x / 16 + (1.5 * i) / 25))));
  t.ok(cols.confidence >= 0.5 && cols.detail.includes('vertical'), cols.detail);
  const fixed = Float64Array.from(road);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) fixed[y * W + x] = fixed[y * W + x]! + 10 * Math.sin((2 * Math.PI * y) / 12);
  const s = detectStripes(live(fixed, 30, 1));
  t.ok(s.confidence < 0.5, `static bands (scene structure): ${s.detail}`);
});

t.test('diagnose refuses frames it cannot judge', async (t) => {
  t.throws(() => diagnose([]), RangeError);
  const small = { width: 160, height: 90, y: new Uint8Array(160 * 90), u: new Uint8Array(40 * 45), v: new Uint8Array(40 * 45) };
  t.throws(() => diagnose([normal[0]!, small]), RangeError);
});
