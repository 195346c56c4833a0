// The noise detector's measures per clip of the labelled set's TUNING part (issue 10), so that
// where its thresholds sit, and why, can be seen: the residue against the still picture (in
// levels and relative to the brightness) and the grain steps (the share of the picture that steps
// away from the still picture and stays, on the darker and on the brighter side; the lesser of
// the two is what counts). The test part is deliberately not offered: thresholds are set here.
// Then the plainest case: a grey field with fresh grain (or rain) through x264 at the qHD rates.
// `npx tsx bench/quality-noise.ts` (decodes the cached clips; renders any that are missing).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brightnessOf, detectBrightness } from '../src/modules/quality/detectors/brightness.js';
import { detectNoise, grainSteps, residueLevel } from '../src/modules/quality/detectors/noise.js';
import { detectStripes } from '../src/modules/quality/detectors/stripes.js';
import { burstView } from '../src/modules/quality/detectors/view.js';
import type { Frame } from '../src/modules/quality/types.js';
import { FLAG_AT, NOISE_RELATIVE, NOISE_STEPS, RAMPS } from '../src/modules/quality/thresholds.js';
import { runBenchmark } from './lib/children.js';
import { grainFieldFrames, type GrainField } from './lib/grainField.js';
import { itemFrames, qualitySet, type SetItem } from './lib/qualitySet.js';
import { fmt, table } from './lib/stats.js';

interface Row {
  item: SetItem;
  mean: number;
  level: number;
  relative: number;
  darker: number;
  brighter: number;
  steps: number;
  /** Stripes or overexposure seen: the detector discounts its measures on this clip. */
  discounted: boolean;
  confidence: number;
}

async function measure(item: SetItem, frames: Frame[]): Promise<Row> {
  const v = burstView(frames);
  const stripes = detectStripes(v);
  const light = brightnessOf(v);
  const brightness = detectBrightness(v, light);
  const r = residueLevel(v, stripes.parts?.['angle'] ?? 0);
  const s = grainSteps(v);
  return {
    item,
    mean: light.mean,
    level: r.level,
    relative: r.relative,
    darker: s.darker * 100,
    brighter: s.brighter * 100,
    steps: s.both * 100,
    discounted: stripes.confidence >= FLAG_AT || (brightness.parts?.['bright'] ?? 0) >= FLAG_AT,
    confidence: detectNoise(v, stripes, brightness).confidence,
  };
}

/** Lowest value among noisy clips and highest among the rest (discounted clips left out). */
function gap(rows: Row[], pick: (r: Row) => number): string {
  const noisy = rows.filter((r) => r.item.labels.includes('noise')).map(pick);
  const other = rows.filter((r) => !r.item.labels.includes('noise') && !r.discounted).map(pick);
  return `noisy clips ≥ ${fmt(Math.min(...noisy), 2)}, other clips ≤ ${fmt(Math.max(...other), 2)}`;
}

async function main(): Promise<void> {
  const items = qualitySet().filter((i) => i.part === 'tuning' && !i.labels.includes('signalLost') && !i.labels.includes('frozen'));
  const rows: Row[] = [];
  for (const item of items) rows.push(await measure(item, await itemFrames(item)));
  const order = (r: Row): number => (r.item.labels.includes('noise') ? 0 : r.item.kind === 'normal' || r.item.kind === 'hard-negative' ? 1 : 2);
  rows.sort((a, b) => order(a) - order(b) || b.steps - a.steps);
  process.stdout.write('noise measures on the tuning part (lost-signal and frozen clips left out: nothing moves in them)\n');
  process.stdout.write(
    `${table([
      ['clip', 'labels', 'encoding', 'mean luma', 'residue', 'relative', 'steps darker %', 'steps brighter %', 'grain steps %', 'confidence'],
      ...rows.map((r) => [
        `${r.item.id}${r.discounted ? ' *' : ''}`,
        r.item.labels.join('+') || r.item.kind,
        r.item.note.replace(/^.*\((.*)\)$/, '$1'),
        fmt(r.mean, 0),
        fmt(r.level, 2),
        fmt(r.relative, 2),
        fmt(r.darker, 2),
        fmt(r.brighter, 2),
        fmt(r.steps, 2),
        fmt(r.confidence, 2),
      ]),
    ])}\n`,
  );
  process.stdout.write('* stripes or overexposure seen: the detector discounts its measures there\n\n');
  process.stdout.write(`residue (flag at ${fmt((RAMPS.noise.zero + RAMPS.noise.one) / 2, 2)}): ${gap(rows, (r) => r.level)}\n`);
  process.stdout.write(`relative (flag at ${fmt((NOISE_RELATIVE.zero + NOISE_RELATIVE.one) / 2, 2)}): ${gap(rows, (r) => r.relative)}\n`);
  process.stdout.write(`grain steps % (flag at ${fmt((NOISE_STEPS.zero + NOISE_STEPS.one) / 2, 2)}): ${gap(rows, (r) => r.steps)}\n`);
  await fieldSweep();
}

/** Grey fields with grain or rain through x264 at the qHD sub-stream rates. */
async function fieldSweep(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vcgw-grain-field-'));
  try {
    const fields: GrainField[] = [];
    for (const bitrateKbps of [512, 768, 1024]) {
      for (const sigma of [12, 24, 36]) fields.push({ sigma, bitrateKbps });
      fields.push({ sigma: 1.5, streaks: 760, bitrateKbps });
    }
    const rows: string[][] = [];
    for (const f of fields) {
      const v = burstView(await grainFieldFrames(dir, f));
      const r = residueLevel(v);
      const s = grainSteps(v);
      rows.push([`${f.bitrateKbps} kb/s`, f.streaks ? `rain (grain σ ${f.sigma})` : `grain σ ${f.sigma}`, fmt(r.level, 2), fmt(r.relative, 2), fmt(s.darker * 100, 2), fmt(s.brighter * 100, 2), fmt(s.both * 100, 2), fmt(detectNoise(v).confidence, 2)]);
    }
    process.stdout.write('\ngrey field (100–130 levels) with fresh grain every frame, 960x540 x264 (veryfast, CBR, one keyframe in 2 s), read at 320x180:\n');
    process.stdout.write(`${table([['encoding', 'field', 'residue', 'relative', 'steps darker %', 'steps brighter %', 'grain steps %', 'confidence'], ...rows])}\n`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await runBenchmark(main);
