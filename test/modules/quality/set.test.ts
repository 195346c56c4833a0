// The labelled set of issue 10: its shape (two parts that share no scene variant and no seed, every
// condition and hard negatives in both), and a fixed handful of its compressed clips diagnosed end
// to end (render → x264 → FFmpeg decode at 320×180 → diagnose): the failure cases the issue lists.
// The whole set is scored by `npm run bench:quality`.
import t from 'tap';
import { diagnose } from '../../../src/modules/quality/diagnose.js';
import { CONDITIONS } from '../../../src/modules/quality/types.js';
import { itemFrames, qualitySet, type SetItem } from '../../../bench/lib/qualitySet.js';

const items = qualitySet();
const part = (p: SetItem['part']) => items.filter((i) => i.part === p);

t.test('two parts, disjoint in scenes and seeds, each with every condition and hard negatives', async (t) => {
  t.equal(new Set(items.map((i) => i.id)).size, items.length, 'ids are unique');
  const scenes = (p: SetItem['part']) => new Set(part(p).map((i) => JSON.stringify({ ...i.clip.scene, seed: 0 })));
  const seeds = (p: SetItem['part']) => new Set(part(p).map((i) => i.clip.scene.seed));
  t.equal([...scenes('tuning')].filter((s) => scenes('test').has(s)).length, 0, 'no scene variant in both parts');
  t.equal([...seeds('tuning')].filter((s) => seeds('test').has(s)).length, 0, 'no seed in both parts');
  for (const p of ['tuning', 'test'] as const) {
    const xs = part(p);
    t.ok(CONDITIONS.every((c) => xs.filter((i) => i.labels.includes(c)).length >= 7), `${p}: ≥ 7 positives per condition`);
    t.ok(xs.filter((i) => i.kind === 'hard-negative').length >= 8, `${p}: hard negatives`);
    t.ok(xs.filter((i) => i.kind === 'combined').length >= 5, `${p}: combined defects`);
    t.ok(xs.every((i) => i.clip.seconds === 2 && [512, 768, 1024, 128, 256].includes(i.clip.bitrateKbps)), `${p}: 2 s clips at sub-stream rates`);
  }
});

// Compressed clips of the tuning part, one per failure class the issue names.
const CASES: Array<[string, string]> = [
  ['tuning-016-', 'a road where nothing moves but the clock is not frozen'],
  ['tuning-033-', 'a textured bag over 60 % is occluded'],
  ['tuning-041-', 'defocus with the OSD sharp on top is blurred'],
  ['tuning-004-', 'a night with two lamps is normal'],
  ['tuning-064-', 'noise after compression'],
  ['tuning-081-', 'diagonal stripes at night'],
  ['tuning-026-', 'a black screen with the OSD is a lost signal'],
  ['tuning-049-', 'heavy underexposure is too dark, not a lost signal'],
];

t.test('compressed clips of the failure classes are diagnosed as labelled', async (t) => {
  for (const [prefix, what] of CASES) {
    const item = items.find((i) => i.id.startsWith(prefix))!;
    const d = diagnose(await itemFrames(item));
    t.same(CONDITIONS.filter((c) => d.flags[c]), item.labels, `${what} (${item.id}: ${item.note})`);
  }
});
