// The labelled set: its shape, and the hardest of its clips diagnosed end to end (lavfi → H.264 →
// FFmpeg decode → diagnose), positives and hard negatives alike.
import t from 'tap';
import { datasetEncodeArgs, datasetFileName, datasetItems, itemFrames } from '../../src/modules/quality/dataset.js';
import { diagnose } from '../../src/modules/quality/diagnose.js';
import { CONDITIONS } from '../../src/modules/quality/types.js';

const items = datasetItems();

t.test('every condition has several positives, and there are normal scenes and hard negatives', async (t) => {
  t.equal(new Set(items.map((i) => i.id)).size, items.length, 'ids are unique');
  for (const c of CONDITIONS) t.ok(items.filter((i) => i.labels.includes(c)).length >= 5, `${c} has ≥ 5 positives`);
  t.ok(items.filter((i) => i.kind === 'hard-negative').length >= 5);
  t.ok(items.filter((i) => i.kind === 'normal').length >= 3);
  for (const i of items) if (i.kind !== 'defect') t.equal(i.labels.length, 0, `${i.id} is unlabelled`);
});

t.test('encoder argv: lavfi graph in, 50 frames of H.264 in MPEG-TS out; the cache name follows the args', async (t) => {
  const item = items.find((i) => i.id === 'lost-black')!;
  const args = datasetEncodeArgs(item);
  t.same(args.slice(args.indexOf('-i') - 2, args.indexOf('-i') + 2), ['-f', 'lavfi', '-i', item.graph]);
  t.equal(args[args.indexOf('-frames:v') + 1], '50');
  t.same(args.slice(-2), ['mpegts', 'pipe:1']);
  t.match(datasetFileName(item), /^lost-black-[0-9a-f]{10}\.ts$/);
  t.not(datasetFileName(item), datasetFileName({ ...item, graph: `${item.graph},null` }));
});

const HARD = [
  'hardneg-still',
  'hardneg-night',
  'hardneg-sky',
  'hardneg-detail',
  'hardneg-truck',
  'frozen-still',
  'lost-black-osd',
  'occl-leaf-55',
  'blur-road-2',
  'dark-road-0.2',
  'noise-night-20',
  'flicker-still-0.03-8.3hz',
  'stripes-pan-h28',
];

t.test('the hard cases of the set, diagnosed from real decoded clips', async (t) => {
  for (const id of HARD) {
    const item = items.find((i) => i.id === id);
    if (!item) {
      t.fail(`no item ${id}`);
      continue;
    }
    const d = diagnose(await itemFrames(item));
    const flagged = CONDITIONS.filter((c) => d.flags[c]);
    t.same(flagged, [...item.labels], `${id} (${item.note}): ${CONDITIONS.map((c) => `${c} ${d.confidences[c]}`).join(', ')}`);
  }
});
