// The media benchmark of issue 3: prints figures (no assertions). `npm run bench:media`
// Options: --quick (short windows, few runs: a smoke run), --runs N, --baseline-runs N,
// --only constant,firstframe,memory,cpu (comma list of parts).
// See bench/README.md for what each figure means.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRtmpServer, type RtmpServer } from '../src/sim/rtmp/index.js';
import { startCameraFarm, type CameraFarm } from './lib/cameraFarm.js';
import { installSignalHandlers, onCleanup, runBenchmark } from './lib/children.js';
import { runNaiveConstant, runOursConstant, type ConstantResult } from './lib/constantScenario.js';
import { makeClassifier, type BenchContext, type BenchOptions } from './lib/context.js';
import { runFirstFrame, type FirstFrameResult, type Latencies } from './lib/firstFrameScenario.js';
import { machineLine, machineMeta } from './lib/proc.js';
import { runMemory, runOutputCpu, type MemoryResult, type OutputCpu } from './lib/resourceScenario.js';
import { fmt, table } from './lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PARTS = ['constant', 'firstframe', 'memory', 'cpu'] as const;
type Part = (typeof PARTS)[number];

// Issue 3 targets, printed next to the figures.
const TARGETS = {
  mainOnlyPerCore: 3.5,
  withSubPerCore: 10,
  naivePerCore: 2.2,
  sourceCopyMs: 1000,
  oneMbpsMs: 1500,
  specMs: 4000,
  joinMs: 1000,
};

// Counts chosen so the 2-core box is not saturated (issue 3).
const N = { mainOnlyOurs: 3, withSubOurs: 8, naive: 3, daemonCameras: 8 };

function parseArgs(argv: string[]): { opts: BenchOptions; parts: Set<Part> } {
  const quick = argv.includes('--quick');
  const num = (flag: string, dflt: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} needs a whole number ≥ 1`);
    return v;
  };
  const onlyAt = argv.indexOf('--only');
  const parts = new Set<Part>(
    onlyAt >= 0
      ? (argv[onlyAt + 1] ?? '').split(',').map((p) => {
          if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p} (${PARTS.join(', ')})`);
          return p as Part;
        })
      : PARTS,
  );
  return {
    parts,
    opts: {
      windowS: quick ? 6 : 15,
      warmupS: quick ? 2 : 5,
      runs: num('--runs', quick ? 3 : 20),
      baselineRuns: num('--baseline-runs', quick ? 2 : 10),
      outputWindowS: quick ? 4 : 10,
    },
  };
}

const started = Date.now();
const clock = () => {
  const s = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const say = (msg: string) => process.stdout.write(`${msg}\n`);
const progress = (msg: string) => say(`[${clock()}] ${msg}`);

function ffmpegVersion(): string {
  try {
    return execFileSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
  } catch {
    return 'not found';
  }
}

interface Results {
  meta: Record<string, unknown>;
  constant?: { mainOnly: { ours: ConstantResult; naive: ConstantResult }; withSub: { ours: ConstantResult; naive: ConstantResult } };
  firstFrame?: FirstFrameResult;
  memory?: MemoryResult;
  outputCpu?: OutputCpu[];
  issues: string[];
}

async function main(): Promise<void> {
  installSignalHandlers();
  const { opts, parts } = parseArgs(process.argv.slice(2));
  const machine = machineMeta();
  const meta = {
    ...machine,
    ffmpeg: ffmpegVersion(),
    options: opts,
  };
  say('vcgw media benchmark (issue 3)');
  say(`  ${meta.ffmpeg}`);
  say(machineLine(machine));
  say(`  windows: ${opts.warmupS} s warm-up + ${opts.windowS} s measured; first frame: ${opts.runs} runs (ours), ${opts.baselineRuns} (naive)`);
  say('');

  const results: Results = { meta, issues: [] };
  let farm: CameraFarm | undefined;
  let rtmp: RtmpServer | undefined;
  const ctx: BenchContext = {
    opts,
    get farm() {
      return farm!;
    },
    get rtmp() {
      return rtmp!;
    },
    classify: makeClassifier(
      () => farm?.pid,
      () => rtmp?.pid,
    ),
    progress,
    issue: (msg) => {
      results.issues.push(msg);
      progress(`  ! ${msg}`);
    },
  };

  progress(`starting ${N.withSubOurs} simulated cameras in a child process and nginx-rtmp`);
  farm = await startCameraFarm(Math.max(N.withSubOurs, N.daemonCameras));
  onCleanup(() => farm?.close());
  rtmp = await startRtmpServer();
  onCleanup(() => rtmp?.close());
  const cams = farm.cameras;

  if (parts.has('constant')) {
    progress(`1a. constant 128 kb/s pushes, main-stream-only cameras (1080p25 4 Mb/s)`);
    const mainOurs = await runOursConstant(ctx, 'main-only', cams.slice(0, N.mainOnlyOurs), false);
    const mainNaive = await runNaiveConstant(ctx, 'main-only', cams.slice(0, N.naive));
    progress(`1b. constant 128 kb/s pushes, cameras with a CIF sub-stream`);
    const subOurs = await runOursConstant(ctx, 'with-sub', cams.slice(0, N.withSubOurs), true);
    const subNaive = await runNaiveConstant(ctx, 'with-sub', cams.slice(0, N.naive));
    results.constant = { mainOnly: { ours: mainOurs, naive: mainNaive }, withSub: { ours: subOurs, naive: subNaive } };
  }
  if (parts.has('firstframe')) {
    progress('2. time from VideoTransBegin to the first decodable frame at the RTMP server');
    results.firstFrame = await runFirstFrame(ctx, cams[0]!, cams[1]!);
  }
  if (parts.has('memory')) {
    progress('3a. daemon memory (vcgw run as a child process)');
    results.memory = await runMemory(ctx, cams.slice(0, N.daemonCameras));
  }
  if (parts.has('cpu')) {
    progress('3b. CPU per output, one output alone');
    results.outputCpu = await runOutputCpu(ctx, cams[2]!, farm.onvifCamera);
  }
  results.meta['durationS'] = Math.round((Date.now() - started) / 1000);
  results.meta['loadavgAtEnd'] = os.loadavg().map((x) => Number(x.toFixed(2)));

  say('');
  report(results);
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  // A partial run (--only) must not overwrite the figures of a full one.
  const partial = parts.size < PARTS.length ? `-${[...parts].join('+')}` : '';
  const file = path.join(dir, `media-${new Date().toISOString().slice(0, 10)}${partial}.json`);
  const json = JSON.stringify(results, null, 2);
  fs.writeFileSync(file, `${json}\n`);
  say('');
  say(`JSON (also written to ${path.relative(ROOT, file)}):`);
  say(json);
}

function report(r: Results): void {
  say('=== Results ===');
  if (r.constant) {
    say('');
    say('1. Constant 128 kb/s CIF pushes sustained in real time (cores = CPU of the side\'s FFmpeg processes / wall time)');
    const row = (scenario: string, c: ConstantResult, target: number) => [
      scenario,
      c.side,
      String(c.n),
      fmt(c.ffmpegCores, 3),
      c.side === 'ours' ? `${fmt(c.pullCores ?? NaN, 3)} / ${fmt(c.pushCores ?? NaN, 3)}` : '—',
      fmt(c.pushesPerCore),
      `${target}`,
      c.side === 'ours' ? fmt(c.n / (c.ffmpegCores + c.gatewayNodeCores)) : '—',
      fmt(c.minFps, 1),
      fmt(c.worstSliceFps, 1),
      c.allRealtime ? 'yes' : 'NO',
      String(c.restarts),
      fmt(c.cameraCores, 3),
      fmt(c.boxCores, 2),
    ];
    const c = r.constant;
    say(
      table([
        ['scenario', 'side', 'N', 'ffmpeg cores', 'pull / push', 'pushes/core', 'target', '/core incl. node', 'min fps', 'worst 5 s fps', '≥24 fps', 'restarts', 'camera sims', 'box busy'],
        row('main only', c.mainOnly.ours, TARGETS.mainOnlyPerCore),
        row('main only', c.mainOnly.naive, TARGETS.naivePerCore),
        row('with CIF sub', c.withSub.ours, TARGETS.withSubPerCore),
        row('with CIF sub', c.withSub.naive, TARGETS.naivePerCore),
      ]),
    );
    say('  "/core incl. node" adds the gateway process\'s Node CPU (fan-out; here also the benchmark\'s sampling). "box busy" = every process on the machine.');
  }
  if (r.firstFrame) {
    const f = r.firstFrame;
    const ms = (l: Latencies | undefined) => (l ? `${fmt(l.medianMs, 0)} / ${fmt(l.worstMs, 0)}${l.failures ? ` (${l.failures} failed)` : ''}` : '—');
    say('');
    say('2. VideoTransBegin → first decodable frame at the RTMP server, ms (median / worst)');
    const targetOf: Record<string, string> = { low: '—', high: `${TARGETS.oneMbpsMs}`, fourM: '—', source: `${TARGETS.sourceCopyMs}` };
    say(
      table([
        ['tier', 'our plan', `ours warm (${f.tiers['low']?.warm.runs ?? 0})`, 'ours cold', 'engine.start() answered (warm / cold median)', `naive (${f.naive.copy.runs})`, 'target', 'spec'],
        ...Object.entries(f.tiers).map(([tier, t]) => [
          tier,
          t.warm.plan ?? '',
          ms(t.warm),
          ms(t.cold),
          `${fmt(t.warm.startMedianMs ?? NaN, 0)} / ${fmt(t.cold.startMedianMs ?? NaN, 0)}`,
          tier === 'source' ? ms(f.naive.copy) : tier === 'high' ? ms(f.naive.high1M) : '—',
          targetOf[tier] ?? '—',
          `${TARGETS.specMs}`,
        ]),
      ]),
    );
    say(`  naive = ffmpeg one-liner spawned at t0 reading the main stream (source: -c copy; high: 720p libx264 1 Mb/s).`);
    say(
      table([
        ['player joining a running 128 kb/s push', 'median / worst ms', 'target'],
        [`ours (constant push, ${f.join.ours.runs} joins)`, ms(f.join.ours), `${TARGETS.joinMs}`],
        [`naive 128 kb/s push (${f.join.naive.runs} joins)`, ms(f.join.naive), '—'],
      ]),
    );
  }
  if (r.memory) {
    const m = r.memory;
    say('');
    say('3a. Memory, after a forced full GC (VmRSS; V8 heap in use)');
    say(
      table([
        ['what', 'RSS MB', 'V8 heap MB'],
        ['daemon Node, 0 cameras', fmt(m.idleRssMb, 1), fmt(m.idleHeapMb, 1)],
        [`daemon Node, ${m.cameras} constant-push cameras`, fmt(m.withCamerasRssMb, 1), fmt(m.withCamerasHeapMb, 1)],
        ['daemon Node, per camera', fmt(m.perCameraMb, 2), fmt(m.perCameraHeapMb, 2)],
      ]),
    );
    const f = m.ffmpegMb;
    say(
      table([
        ['one FFmpeg process (average)', 'RSS MB', 'private (RssAnon) MB', 'PSS MB'],
        [`camera pull, copy to MPEG-TS (${f.pulls})`, fmt(f.pull.rss, 1), fmt(f.pull.anon, 1), fmt(f.pull.pss, 1)],
        [`128 kb/s push, CIF sub → CIF (${f.pushes})`, fmt(f.push.rss, 1), fmt(f.push.anon, 1), fmt(f.push.pss, 1)],
      ]),
    );
    say('  RSS counts the shared FFmpeg libraries in every process; PSS splits them among the processes mapping them.');
    say(`  the same daemon over ${m.daemonCpu.windowS} s: FFmpeg ${fmt(m.daemonCpu.ffmpegCores, 3)} cores, its Node ${fmt(m.daemonCpu.nodeCores, 3)} cores.`);
    say(`  ${m.note}`);
  }
  if (r.outputCpu) {
    say('');
    say('3b. CPU per output, one camera, one output alone (cores)');
    say(
      table([
        ['output', 'our plan', 'source kb/s (start → end)', 'push process', 'shared pull', 'fps', 'naive (one process)', 'naive fps'],
        ...r.outputCpu.map((o) => [o.kind, o.plan, o.sourceKbps, fmt(o.pushCores, 3), fmt(o.pullCores, 3), fmt(o.fps, 1), o.naive ? fmt(o.naive.cores, 3) : '—', o.naive ? fmt(o.naive.fps, 1) : '—']),
      ]),
    );
  }
  say('');
  if (r.issues.length) {
    say('Engine misbehaviour seen during the run:');
    for (const i of r.issues) say(`  - ${i}`);
  } else {
    say('No engine restarts, failures or leftover FFmpeg processes were seen.');
  }
  say(`Run took ${r.meta['durationS']} s; load average at end ${(r.meta['loadavgAtEnd'] as number[]).join(' ')}.`);
}

await runBenchmark(main);
