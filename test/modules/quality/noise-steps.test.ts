// Noise under heavy compression (issue 10): a flat field with strong grain, encoded by real x264
// at a sub-stream's 960×540 768 kb/s and read back as the daemon reads a camera (50 frames at
// 320×180), against the same field clean and the same field in rain. The encoder keeps only
// scattered re-coded blotches of the grain; the grain steps (zero-mean: as many darker as
// brighter) still find them, while rain, which only adds light, does not count.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { detectNoise, grainSteps, residueLevel } from '../../../src/modules/quality/detectors/noise.js';
import { burstView } from '../../../src/modules/quality/detectors/view.js';
import { NOISE_STEPS, RAMPS } from '../../../src/modules/quality/thresholds.js';
import { readFrames } from '../../../src/modules/quality/frames.js';
import { ensureClip } from '../../../src/sim/camera/clips.js';
import { SUB_CIF_H264 } from '../../../src/sim/camera/index.js';
import { rng } from '../../../src/sim/scene/random.js';
import { grainFieldFrames } from '../../../bench/lib/grainField.js';

/**
 * A qHD sub-stream at 768 kb/s, one keyframe in 2 s. At 512 kb/s x264 spends its bits on the
 * keyframe of a grainy flat field and then carries it over unchanged: the grain becomes a still
 * texture that no frame-to-frame measure sees (`npx tsx bench/quality-noise.ts` prints the figures).
 */
const KBPS = 768;
const FLAG_STEPS = (NOISE_STEPS.zero + NOISE_STEPS.one) / 2;

t.test('grain steps: heavy grain after a 768 kb/s encoder vs the clean field vs rain', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vcgw-noise-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const noisy = burstView(await grainFieldFrames(dir, { sigma: 24, bitrateKbps: KBPS }));
  const clean = burstView(await grainFieldFrames(dir, { sigma: 1.5, bitrateKbps: KBPS }));
  const rain = burstView(await grainFieldFrames(dir, { sigma: 1.5, streaks: 760, bitrateKbps: KBPS }));

  const n = grainSteps(noisy);
  t.ok(n.both * 100 >= FLAG_STEPS, `noisy field: ${(n.both * 100).toFixed(2)} % of the picture steps both ways (flag at ${FLAG_STEPS})`);
  t.ok(n.darker > 0.4 * n.brighter && n.brighter > 0.4 * n.darker, `grain steps as often darker as brighter: ${(n.darker * 100).toFixed(2)} / ${(n.brighter * 100).toFixed(2)} %`);
  const nd = detectNoise(noisy);
  t.ok(nd.confidence >= 0.5, `noisy field flagged: ${nd.detail}`);

  const c = grainSteps(clean);
  t.ok(c.both * 100 < FLAG_STEPS / 4, `clean field: ${(c.both * 100).toFixed(2)} %`);
  t.equal(detectNoise(clean).confidence, 0, `clean field not flagged: ${detectNoise(clean).detail}`);

  const r = grainSteps(rain);
  t.ok(r.brighter > 2 * r.darker, `rain only adds light: ${(r.darker * 100).toFixed(2)} % darker, ${(r.brighter * 100).toFixed(2)} % brighter`);
  t.ok(r.both * 100 < FLAG_STEPS / 2, `rain's zero-mean part stays low: ${(r.both * 100).toFixed(2)} %`);
  t.ok(detectNoise(rain).confidence < 0.5, `rain not flagged: ${detectNoise(rain).detail}`);
});

t.test('grain steps: a whole picture brightening and darkening (flicker) is taken out before steps are counted', async (t) => {
  const frames = Array.from({ length: 20 }, (_, i) => {
    const gain = 1 + 0.15 * Math.sin(i * 1.3);
    const y = new Uint8Array(320 * 180);
    for (let p = 0; p < y.length; p++) y[p] = Math.round(16 + (40 + ((p % 320) * 150) / 320) * gain);
    return { width: 320, height: 180, y, u: new Uint8Array(160 * 90).fill(128), v: new Uint8Array(160 * 90).fill(128) };
  });
  const s = grainSteps(burstView(frames));
  t.equal(s.both, 0, `a ±15 % swing of a ramp: ${(s.darker * 100).toFixed(2)} / ${(s.brighter * 100).toFixed(2)} %`);
});

t.test('grain steps: sparse blotches re-coded with fresh grain and carried over count where the residue stays below its threshold', async (t) => {
  // What an encoder short of bits does with grain, drawn directly at 320×180: every frame, 2 % of
  // the 4×4 blocks are re-coded with a new blotch (±4–10 levels, either sign), the rest carried over.
  const rand = rng(42);
  const y = new Uint8Array(320 * 180);
  for (let p = 0; p < y.length; p++) y[p] = 110 + Math.floor(p / 320 / 9);
  const base = Uint8Array.from(y);
  const frames = Array.from({ length: 50 }, () => {
    for (let b = 0; b < (80 * 45) / 50; b++) {
      const bx = Math.floor(rand() * 80) * 4;
      const by = Math.floor(rand() * 45) * 4;
      const d = (rand() < 0.5 ? -1 : 1) * (4 + 6 * rand());
      for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) y[(by + j) * 320 + bx + i] = Math.round(base[(by + j) * 320 + bx + i]! + d);
    }
    return { width: 320, height: 180, y: Uint8Array.from(y), u: new Uint8Array(160 * 90).fill(128), v: new Uint8Array(160 * 90).fill(128) };
  });
  const v = burstView(frames);
  const r = residueLevel(v);
  t.ok(r.level < RAMPS.noise.zero, `residue ${r.level.toFixed(2)} levels: below where it starts to count (${RAMPS.noise.zero})`);
  const s = grainSteps(v);
  t.ok(s.both * 100 >= FLAG_STEPS, `grain steps ${(s.darker * 100).toFixed(2)} % darker, ${(s.brighter * 100).toFixed(2)} % brighter`);
  t.ok(detectNoise(v).confidence >= 0.5, detectNoise(v).detail);
});

t.test('grain steps: moving parts of a clean picture (FFmpeg testsrc2 through x264) are motion, not grain', async (t) => {
  const v = burstView((await readFrames(await ensureClip({ ...SUB_CIF_H264, seconds: 4 }))).frames);
  const steps = grainSteps(v);
  t.ok(steps.both * 100 < NOISE_STEPS.zero, `steps ${(steps.both * 100).toFixed(2)} % stay below where they start to count (${NOISE_STEPS.zero} %)`);
  t.equal(detectNoise(v).confidence, 0, 'no noise');
});
