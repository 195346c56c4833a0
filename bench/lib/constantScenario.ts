// Figure 1: constant 128 kb/s pushes sustained in real time per core, ours vs the naive baseline.
import type { FarmCamera } from './cameraFarm.js';
import { sleep, until } from './children.js';
import { checkNoEngineFfmpeg, type BenchContext } from './context.js';
import { CpuMeter, type CpuReport } from './cpuMeter.js';
import { startEngineRig } from './engineRig.js';
import { constantOrder } from '../../src/modules/uplinks/province/constantPush.js';
import { FrameSeries } from './frames.js';
import { naiveLowArgs, startNaive, type NaiveProcess } from './naive.js';
import { round } from './stats.js';

/** Output frame rates at or above this count as real time for a 25 fps push. */
export const REALTIME_FPS = 24;

export interface ConstantResult {
  side: 'ours' | 'naive';
  n: number;
  /** Cores used by every FFmpeg process of the side (pulls + pushes for ours). */
  ffmpegCores: number;
  /** Of which: camera pulls / pushes (ours only). */
  pullCores?: number;
  pushCores?: number;
  /** The benchmark's own Node process: for ours this is the gateway's fan-out (plus the meter). */
  gatewayNodeCores: number;
  /** The simulated cameras' Node process (never charged to either side). */
  cameraCores: number;
  boxCores: number;
  pushesPerCore: number;
  /** Lowest window-average fps of any output. */
  minFps: number;
  /** Lowest fps of any output over any 5 s slice of the window. */
  worstSliceFps: number;
  allRealtime: boolean;
  restarts: number;
  windowS: number;
}

function summarize(side: ConstantResult['side'], n: number, cpu: CpuReport, frames: FrameSeries, keys: string[], t0: number, t1: number, restarts: number): ConstantResult {
  const c = (g: string) => cpu.cores[g] ?? 0;
  const ffmpegCores = side === 'ours' ? c('ffmpeg pull') + c('ffmpeg push') : c('ffmpeg naive');
  const fps = keys.map((k) => frames.fps(k, t0, t1));
  const minFps = fps.length === keys.length && fps.length > 0 ? Math.min(...fps) : 0;
  const worstSliceFps = keys.length ? Math.min(...keys.map((k) => frames.worstSliceFps(k, t0, t1, 5000))) : 0;
  return {
    side,
    n,
    ffmpegCores: round(ffmpegCores, 3),
    ...(side === 'ours' ? { pullCores: round(c('ffmpeg pull'), 3), pushCores: round(c('ffmpeg push'), 3) } : {}),
    gatewayNodeCores: round(c('gateway node'), 3),
    cameraCores: round(c('cameras'), 3),
    boxCores: round(cpu.boxCores, 3),
    pushesPerCore: round(n / ffmpegCores, 2),
    minFps: round(minFps, 2),
    worstSliceFps: round(worstSliceFps, 2),
    allRealtime: minFps >= REALTIME_FPS,
    restarts,
    windowS: round(cpu.wallS, 2),
  };
}

async function measure(ctx: BenchContext): Promise<{ cpu: CpuReport; t0: number; t1: number }> {
  await sleep(ctx.opts.warmupS * 1000);
  const meter = new CpuMeter(ctx.classify);
  const t0 = performance.now();
  meter.start();
  await sleep(ctx.opts.windowS * 1000);
  const cpu = meter.stop();
  return { cpu, t0, t1: performance.now() };
}

/** N constant pushes through the engine (defaults, libx264 only); `withSub` gives each camera its CIF sub-stream. */
export async function runOursConstant(ctx: BenchContext, label: string, cams: FarmCamera[], withSub: boolean): Promise<ConstantResult> {
  const rig = await startEngineRig({ hardware: 'off' });
  const frames = new FrameSeries();
  const poll = setInterval(() => {
    for (const r of rig.engine.statusRows()) if (r.role === 'constant') frames.observe(r.key, r.frames);
  }, 100);
  try {
    const stored = cams.map((cam, i) => {
      const camera = rig.addCamera(`const-${label}-${i}`, withSub ? { main: cam.main, sub: cam.sub } : { main: cam.main }, 1);
      const url = ctx.rtmp.url('live', `ours-${label}-${i}`);
      return { camera, url };
    });
    for (const { camera, url } of stored) await rig.engine.start(constantOrder(camera, async () => url, () => ({})));
    const nums = stored.map(({ camera }) => camera.record.cameraNum);
    await until(
      `${cams.length} constant pushes running`,
      () => rig.engine.statusRows().filter((r) => r.role === 'constant' && r.state === 'running').length === nums.length,
      30_000,
    );
    ctx.progress(`  ours, ${label}: ${cams.length} constant pushes running; warm-up ${ctx.opts.warmupS} s, then ${ctx.opts.windowS} s measured`);
    const restartsBefore = sumRestarts(rig.engine.statusRows());
    const { cpu, t0, t1 } = await measure(ctx);
    const rows = rig.engine.statusRows();
    const restarts = sumRestarts(rows) - restartsBefore;
    if (restarts > 0) ctx.issue(`constant ${label}: ${restarts} pipeline restart(s) during the measured window (${rows.filter((r) => r.lastError).map((r) => `${r.key}: ${r.lastError}`).join('; ')})`);
    const keys = rows.filter((r) => r.role === 'constant').map((r) => r.key);
    return summarize('ours', cams.length, cpu, frames, keys, t0, t1, restarts);
  } finally {
    clearInterval(poll);
    await rig.close();
    await checkNoEngineFfmpeg(ctx, `constant ${label}`);
  }
}

/** The same pushes as N plain FFmpeg one-liners reading the main stream. */
export async function runNaiveConstant(ctx: BenchContext, label: string, cams: FarmCamera[]): Promise<ConstantResult> {
  const frames = new FrameSeries();
  const procs: NaiveProcess[] = [];
  try {
    cams.forEach((cam, i) => procs.push(startNaive(naiveLowArgs(cam.main, ctx.rtmp.url('live', `naive-${label}-${i}`)), { key: `naive-${i}`, frames })));
    await until(
      `${cams.length} naive pushes producing frames`,
      () => {
        const dead = procs.find((p) => p.child.exitCode !== null);
        if (dead) throw new Error(`naive ffmpeg exited: ${dead.stderr.tail()}`);
        return frames.keys().length === cams.length;
      },
      30_000,
    );
    ctx.progress(`  naive, ${label}: ${cams.length} FFmpeg one-liners running; warm-up ${ctx.opts.warmupS} s, then ${ctx.opts.windowS} s measured`);
    const { cpu, t0, t1 } = await measure(ctx);
    const exited = procs.filter((p) => p.child.exitCode !== null).length;
    return summarize('naive', cams.length, cpu, frames, frames.keys(), t0, t1, exited);
  } finally {
    await Promise.all(procs.map((p) => p.kill(2000)));
  }
}

function sumRestarts(rows: Array<{ restarts: number }>): number {
  return rows.reduce((s, r) => s + r.restarts, 0);
}
