// Figure 3: the daemon's memory (idle and per constant-push camera), FFmpeg process RSS, and the
// CPU of one output of each kind alone, split into the output process and the shared pull.
import { VIDEO_TYPES, type VideoType } from '../../src/protocols/province/messages.js';
import type { FarmCamera } from './cameraFarm.js';
import { sleep, until } from './children.js';
import { engineFfmpeg, ffmpegKind, isBelow, type BenchContext } from './context.js';
import { CpuMeter } from './cpuMeter.js';
import { startDaemon, startProvince, type Daemon } from './daemon.js';
import { startEngineRig } from './engineRig.js';
import { pushKey, pushOrder } from '../../src/modules/uplinks/province/pushOrders.js';
import { FrameSeries } from './frames.js';
import { naiveCopyArgs, naiveHighArgs, naiveLowArgs, startNaive } from './naive.js';
import { alive, ffmpegBelow, memKb, rssKb } from './proc.js';
import { mean, median, round } from './stats.js';
import { connectInspector } from './inspector.js';

export interface MemoryResult {
  idleRssMb: number;
  withCamerasRssMb: number;
  /** V8 heap in use after a full GC. */
  idleHeapMb: number;
  withCamerasHeapMb: number;
  cameras: number;
  perCameraMb: number;
  perCameraHeapMb: number;
  /** Average of one FFmpeg process: RSS (shared libraries in full), RssAnon (private), PSS. */
  ffmpegMb: { pull: ProcMem; push: ProcMem; pulls: number; pushes: number };
  /** The daemon with N constant pushes over a window: its own Node CPU and its FFmpeg CPU. */
  daemonCpu: { nodeCores: number; ffmpegCores: number; windowS: number };
  /** The daemon's Node process includes tsx (TypeScript compiled at load), as the e2e test runs it. */
  note: string;
}

export interface ProcMem {
  rss: number;
  anon: number;
  pss: number;
}

export interface OutputCpu {
  kind: string;
  plan: string;
  /** The camera stream's rate (kb/s) as the engine measured it when start() returned → after the window. */
  sourceKbps: string;
  pushCores: number;
  pullCores: number;
  fps: number;
  naive?: { cores: number; fps: number };
}

/**
 * The daemon's memory after a forced full GC (twice: the second one collects what the first freed
 * for finalization): median VmRSS of 5 samples and V8 heap in use.
 */
async function collectedMemory(d: Daemon): Promise<{ rssKb: number; heapKb: number }> {
  if (!d.inspectorUrl) throw new Error('the daemon printed no inspector URL');
  const insp = await connectInspector(d.inspectorUrl);
  try {
    await insp.collectGarbage();
    await insp.collectGarbage();
    await sleep(1000);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const kb = rssKb(d.pid);
      if (kb === undefined) throw new Error(`daemon ${d.pid} is gone`);
      samples.push(kb);
      await sleep(500);
    }
    const heap = await insp.heapUsage();
    return { rssKb: median(samples), heapKb: heap.usedSize / 1024 };
  } finally {
    insp.close();
  }
}

async function stopDaemon(ctx: BenchContext, d: Daemon, label: string): Promise<void> {
  const children = ffmpegBelow(d.pid).map((f) => f.pid);
  await d.stop();
  try {
    await until('daemon FFmpeg children to exit', () => children.every((p) => !alive(p)), 10_000, 200);
  } catch {
    ctx.issue(`${label}: FFmpeg children still alive 10 s after the daemon exited: ${children.filter(alive).join(', ')}`);
  }
}

export async function runMemory(ctx: BenchContext, cams: FarmCamera[]): Promise<MemoryResult> {
  const province = await startProvince(`rtmp://127.0.0.1:${ctx.rtmp.port}/rtmp`);
  try {
    ctx.progress(`  daemon with 0 cameras: starting; ${SETTLE_S} s to settle, then a forced GC and RSS samples`);
    const d0 = await startDaemon(province, []);
    let idle: { rssKb: number; heapKb: number };
    try {
      await sleep(SETTLE_S * 1000);
      idle = await collectedMemory(d0);
    } finally {
      await stopDaemon(ctx, d0, 'daemon (0 cameras)');
    }
    ctx.progress(`  idle: RSS ${mb(idle.rssKb)} MB, V8 heap ${mb(idle.heapKb)} MB; now ${cams.length} constant-push cameras (with sub-streams)`);
    const dn = await startDaemon(province, cams);
    try {
      const publishing = async () => (await ctx.rtmp.stats()).filter((s) => s.app === 'rtmp' && s.publishing).length;
      await until(`${cams.length} constant pushes publishing`, async () => (await publishing()) >= cams.length, 90_000, 500);
      const meter = new CpuMeter((p, _argv, procs) => {
        if (p.pid === dn.pid) return 'daemon node';
        if (p.comm === 'ffmpeg' && isBelow(p, dn.pid, procs)) return 'daemon ffmpeg';
        return undefined;
      });
      meter.start();
      await sleep(Math.max(SETTLE_S, ctx.opts.windowS) * 1000);
      const cpu = meter.stop();
      const withCams = await collectedMemory(dn);
      const ff = ffmpegBelow(dn.pid);
      const mem = (kind: 'pull' | 'push') => ff.filter((f) => ffmpegKind(f.argv) === kind).flatMap((f) => memKb(f.pid) ?? []);
      const pulls = mem('pull');
      const pushes = mem('push');
      const avg = (xs: Array<{ rss: number; anon: number; pss: number }>, k: 'rss' | 'anon' | 'pss') => mb(mean(xs.map((x) => x[k])));
      ctx.progress(`  ${cams.length} cameras: RSS ${mb(withCams.rssKb)} MB, V8 heap ${mb(withCams.heapKb)} MB; ${pulls.length} pulls, ${pushes.length} pushes`);
      return {
        idleRssMb: mb(idle.rssKb),
        withCamerasRssMb: mb(withCams.rssKb),
        idleHeapMb: mb(idle.heapKb),
        withCamerasHeapMb: mb(withCams.heapKb),
        cameras: cams.length,
        perCameraMb: round((withCams.rssKb - idle.rssKb) / 1024 / cams.length, 2),
        perCameraHeapMb: round((withCams.heapKb - idle.heapKb) / 1024 / cams.length, 2),
        ffmpegMb: {
          pull: { rss: avg(pulls, 'rss'), anon: avg(pulls, 'anon'), pss: avg(pulls, 'pss') },
          push: { rss: avg(pushes, 'rss'), anon: avg(pushes, 'anon'), pss: avg(pushes, 'pss') },
          pulls: pulls.length,
          pushes: pushes.length,
        },
        daemonCpu: { nodeCores: round(cpu.cores['daemon node'] ?? 0, 3), ffmpegCores: round(cpu.cores['daemon ffmpeg'] ?? 0, 3), windowS: round(cpu.wallS, 1) },
        note: 'daemon run as `node --inspect --import tsx src/cli/bin.ts run` (as the e2e test, plus the inspector to force a GC before each reading); tsx compiles TypeScript in-process, so a built dist/ starts smaller',
      };
    } finally {
      await stopDaemon(ctx, dn, `daemon (${cams.length} cameras)`);
    }
  } finally {
    await province.close();
  }
}

/** Start-up work (config, store, TLS, first reports, tsx compiles) is over well within this. */
const SETTLE_S = 15;

const mb = (kb: number) => round(kb / 1024, 1);

interface Kind {
  kind: string;
  sub: boolean;
  /** The camera's own encoder makes the output (set over ONVIF): a remux. */
  cameraEncoded?: boolean;
  videoType: VideoType;
  naive?: (rtsp: string, rtmp: string) => string[];
}

const KINDS: Kind[] = [
  { kind: 'low from main', sub: false, videoType: VIDEO_TYPES.low, naive: naiveLowArgs },
  { kind: 'low from sub', sub: true, videoType: VIDEO_TYPES.low },
  { kind: 'low camera-encoded', sub: true, cameraEncoded: true, videoType: VIDEO_TYPES.low },
  { kind: 'high 1080p→720p 1 Mb/s', sub: true, videoType: VIDEO_TYPES.high, naive: naiveHighArgs },
  { kind: '4M', sub: true, videoType: VIDEO_TYPES.fourM },
  { kind: 'source copy', sub: true, videoType: VIDEO_TYPES.source, naive: naiveCopyArgs },
];

/** CPU and frame rate of one output over `outputWindowS`, after 3 s to settle. */
async function measuredWindow(ctx: BenchContext, frames: FrameSeries, key: string): Promise<{ cpu: ReturnType<CpuMeter['stop']>; fps: number }> {
  await sleep(3000);
  const meter = new CpuMeter(ctx.classify);
  const t0 = performance.now();
  meter.start();
  await sleep(ctx.opts.outputWindowS * 1000);
  const cpu = meter.stop();
  return { cpu, fps: round(frames.fps(key, t0, performance.now()), 1) };
}

export async function runOutputCpu(ctx: BenchContext, cam: FarmCamera, onvifCam: FarmCamera): Promise<OutputCpu[]> {
  const rig = await startEngineRig({ hardware: 'off', source_linger_s: 0 });
  const out: OutputCpu[] = [];
  try {
    const mainOnly = rig.addCamera('cpu-main', { main: cam.main });
    const withSub = rig.addCamera('cpu-sub', cam);
    // Set over ONVIF and verified by ffprobe as the daemon does, before any window is measured.
    const encoded = await rig.addCameraEncoded('cpu-enc', onvifCam.onvif!);
    ctx.progress(`  camera-side encoding: ${encoded.detail}`);
    for (const k of KINDS) {
      const camera = k.cameraEncoded ? encoded.camera : k.sub ? withSub : mainOnly;
      const num = camera.record.cameraNum;
      await until('no engine FFmpeg left from the previous output', () => engineFfmpeg().length === 0, 15_000, 100);
      const frames = new FrameSeries();
      const key = pushKey(num, k.videoType);
      const poll = setInterval(() => frames.observe(key, rig.engine.statusRows().find((r) => r.key === key)?.frames), 100);
      try {
        await rig.engine.start(pushOrder(camera, k.videoType, ctx.rtmp.url('live', `cpu-${out.length}`), {}));
        // The camera stream's rate as the engine shows it (the 4M tier copies up to 4915 kb/s over a
        // whole GOP): read when start() returns and again after the window.
        const sourceRate = () =>
          rig.engine
            .statusRows()
            .filter((r) => r.role === 'source' && r.cameraNum === num && r.state !== 'idle')
            .map((r) => `${r.key.split(':')[2]} ${r.kbps ?? '?'}`)
            .join(', ');
        const rateAtStart = sourceRate();
        const { cpu, fps } = await measuredWindow(ctx, frames, key);
        const plan = rig.engine.statusRows().find((r) => r.key === key)?.detail.replace(/ rtmp:\S+/, '') ?? '';
        const row: OutputCpu = {
          kind: k.kind,
          plan,
          sourceKbps: `${rateAtStart} → ${sourceRate()}`,
          pushCores: round(cpu.cores['ffmpeg push'] ?? 0, 3),
          pullCores: round(cpu.cores['ffmpeg pull'] ?? 0, 3),
          fps,
        };
        out.push(row);
        ctx.progress(`  ${k.kind} [${plan}; source kb/s ${row.sourceKbps}]: push ${row.pushCores} cores, pull ${row.pullCores} cores, ${row.fps} fps`);
      } finally {
        clearInterval(poll);
        await rig.engine.stop(key);
      }
    }
  } finally {
    await rig.close();
  }
  // The naive equivalents: one process does pull, decode, encode and push.
  for (const k of KINDS) {
    if (!k.naive) continue;
    const row = out.find((r) => r.kind === k.kind);
    if (!row) continue;
    const frames = new FrameSeries();
    const proc = startNaive(k.naive(cam.main, ctx.rtmp.url('live', `cpu-naive-${k.videoType}`)), { key: 'n', frames });
    try {
      await until('the naive push producing frames', () => frames.keys().length > 0, 30_000);
      const { cpu, fps } = await measuredWindow(ctx, frames, 'n');
      row.naive = { cores: round(cpu.cores['ffmpeg naive'] ?? 0, 3), fps };
      ctx.progress(`  naive ${k.kind}: ${row.naive.cores} cores, ${row.naive.fps} fps`);
    } finally {
      await proc.kill(1000);
    }
  }
  return out;
}
