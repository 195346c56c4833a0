// Figure 2: time from VideoTransBegin (engine.start) to the first decodable frame at the RTMP
// server, per tier, warm and cold, against naive one-liners; and a player joining the constant push.
import { VIDEO_TYPES, type VideoType } from '../../src/protocols/province/messages.js';
import { constantOrder } from '../../src/modules/uplinks/province/constantPush.js';
import { pushKey, pushOrder } from '../../src/modules/uplinks/province/pushOrders.js';
import { TIER_OF_VIDEO_TYPE } from '../../src/modules/uplinks/province/wire.js';
import type { StoredCamera } from '../../src/store/cameras.js';
import { waitFirstFrame } from '../../src/sim/rtmp/index.js';
import type { FarmCamera } from './cameraFarm.js';
import { sleep, until } from './children.js';
import { checkNoEngineFfmpeg, engineFfmpeg, type BenchContext } from './context.js';
import { startEngineRig, type EngineRig } from './engineRig.js';
import { naiveCopyArgs, naiveHighArgs, naiveLowArgs, startNaive } from './naive.js';
import { max, median, round } from './stats.js';

const READER_TIMEOUT_MS = 20_000;
/** The simulated cameras' keyframe interval (GOP 50 at 25 fps). */
const CAMERA_GOP_MS = 2000;
/** The constant push's keyframe interval (GOP 25 at 25 fps). */
const PUSH_GOP_MS = 1000;

/**
 * A random pause before a run. Runs that each end right after a keyframe would otherwise start in
 * lock-step with the camera's GOP and all wait almost a full GOP for the next keyframe; a random
 * phase samples the wait as a VideoTransBegin at an arbitrary moment meets it.
 */
const randomPhase = (periodMs: number) => sleep(Math.random() * periodMs);

export interface Latencies {
  runs: number;
  failures: number;
  medianMs: number;
  worstMs: number;
  /** Every successful run, ms. */
  samples: number[];
  /** For ours: how the output was planned (copy / encoder and size, which stream). */
  plan?: string;
  /** For ours: median time until engine.start() resolved (the API's answer). */
  startMedianMs?: number;
  errors?: string[];
}

export interface FirstFrameResult {
  tiers: Record<string, { warm: Latencies; cold: Latencies }>;
  naive: { copy: Latencies; high1M: Latencies };
  join: { ours: Latencies; naive: Latencies };
}

function summarize(samples: number[], failures: string[], extra: Partial<Latencies> = {}): Latencies {
  return {
    runs: samples.length + failures.length,
    failures: failures.length,
    medianMs: round(median(samples), 0),
    worstMs: round(max(samples), 0),
    samples,
    ...extra,
    ...(failures.length ? { errors: [...new Set(failures)].slice(0, 5) } : {}),
  };
}

let seq = 0;
const streamName = (what: string) => `ff-${what}-${++seq}`;

/** One engine.start → first frame at the server → engine.stop. */
async function oneStart(ctx: BenchContext, rig: EngineRig, camera: StoredCamera, videoType: VideoType): Promise<{ ms: number; startMs: number; plan: string }> {
  const url = ctx.rtmp.url('live', streamName(TIER_OF_VIDEO_TYPE[videoType]));
  const reader = waitFirstFrame(url, { timeoutMs: READER_TIMEOUT_MS });
  try {
    await reader.ready;
    const t0 = Date.now();
    await rig.engine.start(pushOrder(camera, videoType, url, {}));
    const startMs = Date.now() - t0;
    const plan = rig.engine.statusRows().find((r) => r.key === pushKey(camera.record.cameraNum, videoType))?.detail.replace(/ rtmp:\S+/, '') ?? '';
    const at = await reader.firstFrame;
    return { ms: at - t0, startMs, plan };
  } finally {
    await rig.engine.stop(pushKey(camera.record.cameraNum, videoType)).catch(() => undefined);
    await reader.close();
  }
}

async function series(
  ctx: BenchContext,
  label: string,
  n: number,
  before: () => Promise<void>,
  run: () => Promise<{ ms: number; startMs?: number; plan?: string }>,
): Promise<Latencies> {
  const samples: number[] = [];
  const starts: number[] = [];
  const failures: string[] = [];
  let plan: string | undefined;
  for (let i = 0; i < n; i++) {
    await before();
    try {
      const r = await run();
      samples.push(r.ms);
      if (r.startMs !== undefined) starts.push(r.startMs);
      plan ??= r.plan;
    } catch (err) {
      failures.push((err as Error).message.slice(0, 300));
    }
  }
  const out = summarize(samples, failures, { ...(plan ? { plan } : {}), ...(starts.length ? { startMedianMs: round(median(starts), 0) } : {}) });
  ctx.progress(`  ${label}: median ${out.medianMs} ms, worst ${out.worstMs} ms${out.failures ? `, ${out.failures} FAILED (${out.errors?.[0]})` : ''}${plan ? ` [${plan}]` : ''}`);
  if (out.failures) ctx.issue(`first frame ${label}: ${out.failures} of ${out.runs} runs failed: ${out.errors?.join(' / ')}`);
  return out;
}

const TIERS: VideoType[] = [VIDEO_TYPES.low, VIDEO_TYPES.high, VIDEO_TYPES.fourM, VIDEO_TYPES.source];

export async function runFirstFrame(ctx: BenchContext, warmCam: FarmCamera, coldCam: FarmCamera): Promise<FirstFrameResult> {
  // Linger 0: a stopped output closes its pull at once, so "cold" really starts from nothing.
  const rig = await startEngineRig({ hardware: 'off', source_linger_s: 0 });
  try {
    const warm = rig.addCamera('ff-warm', warmCam, 1);
    const cold = rig.addCamera('ff-cold', coldCam);
    const warmNum = warm.record.cameraNum;
    const coldNum = cold.record.cameraNum;

    // Warm: the constant push keeps the sub-stream pulled, a "keeper" copy push the main stream.
    const constUrl = ctx.rtmp.url('live', 'const-warm');
    await rig.engine.start(constantOrder(warm, async () => constUrl, () => ({})));
    await rig.engine.start(pushOrder(warm, VIDEO_TYPES.source, ctx.rtmp.url('live', 'keeper-3'), {}));
    await until('the warm camera constant push running', () => rig.engine.statusRows().some((r) => r.role === 'constant' && r.state === 'running'), 30_000);
    await sleep(2000);

    const tiers: FirstFrameResult['tiers'] = {};
    const warmRes: Record<string, FirstFrameResult['tiers'][string]['warm']> = {};
    for (const vt of TIERS) {
      if (vt === VIDEO_TYPES.source) {
        // The keeper holds this camera's source slot: hand the main pull to a small high-tier keeper
        // first (320x240 10 fps: it decodes the main stream but encodes next to nothing).
        await rig.engine.start(pushOrder(warm, VIDEO_TYPES.high, ctx.rtmp.url('live', 'keeper-1'), { width: 320, height: 240, frameRate: 10, bitRate: 256 }));
        await rig.engine.stop(pushKey(warmNum, VIDEO_TYPES.source));
        const keeper = rig.engine.statusRows().find((r) => r.key === pushKey(warmNum, VIDEO_TYPES.high));
        ctx.progress(`  (main-stream keeper now: ${keeper?.detail.replace(/ rtmp:\S+/, '')})`);
      }
      const warmBefore = async () => {
        await randomPhase(PUSH_GOP_MS);
        const main = rig.engine.sourceStatus(warmNum, 'main')?.state;
        const sub = rig.engine.sourceStatus(warmNum, 'sub')?.state;
        if (main !== 'running' || sub !== 'running') ctx.issue(`warm ${TIER_OF_VIDEO_TYPE[vt]}: a warm pull was not running before a run (main ${main}, sub ${sub})`);
      };
      warmRes[TIER_OF_VIDEO_TYPE[vt]] = await series(ctx, `warm ${TIER_OF_VIDEO_TYPE[vt]}`, ctx.opts.runs, warmBefore, () => oneStart(ctx, rig, warm, vt));
    }

    // A player joining the constant push, while it runs.
    const joinOurs = await series(ctx, 'player joins our constant push', ctx.opts.runs, () => randomPhase(PUSH_GOP_MS), () => join(constUrl));

    const coldRes: Record<string, FirstFrameResult['tiers'][string]['cold']> = {};
    const coldBefore = async () => {
      await until(
        'the cold camera pulls to be closed',
        () =>
          ['main', 'sub'].every((s) => {
            const st = rig.engine.sourceStatus(coldNum, s as 'main' | 'sub')?.state;
            return st === undefined || st === 'idle';
          }) && !engineFfmpeg().some((f) => f.argv.includes(coldCam.main) || f.argv.includes(coldCam.sub)),
        15_000,
        50,
      );
      await randomPhase(CAMERA_GOP_MS);
    };
    for (const vt of TIERS) {
      coldRes[TIER_OF_VIDEO_TYPE[vt]] = await series(ctx, `cold ${TIER_OF_VIDEO_TYPE[vt]}`, ctx.opts.runs, coldBefore, () => oneStart(ctx, rig, cold, vt));
    }
    for (const vt of TIERS) tiers[TIER_OF_VIDEO_TYPE[vt]] = { warm: warmRes[TIER_OF_VIDEO_TYPE[vt]]!, cold: coldRes[TIER_OF_VIDEO_TYPE[vt]]! };

    await rig.close();
    await checkNoEngineFfmpeg(ctx, 'first-frame scenario');

    // Naive: a one-liner spawned at t0, reading the camera's main stream from scratch every time.
    const naiveOnce = (build: (rtsp: string, rtmp: string) => string[]) => async () => {
      const url = ctx.rtmp.url('live', streamName('naive'));
      const reader = waitFirstFrame(url, { timeoutMs: READER_TIMEOUT_MS });
      let proc: ReturnType<typeof startNaive> | undefined;
      try {
        await reader.ready;
        const t0 = Date.now();
        proc = startNaive(build(coldCam.main, url));
        const at = await reader.firstFrame;
        return { ms: at - t0 };
      } finally {
        await proc?.kill(1000);
        await reader.close();
      }
    };
    const copy = await series(ctx, 'naive copy', ctx.opts.baselineRuns, () => randomPhase(CAMERA_GOP_MS), naiveOnce(naiveCopyArgs));
    const high1M = await series(ctx, 'naive 720p 1 Mb/s', ctx.opts.baselineRuns, () => randomPhase(CAMERA_GOP_MS), naiveOnce(naiveHighArgs));

    // A player joining a naive 128 kb/s push (GOP 25, like ours).
    const naiveUrl = ctx.rtmp.url('live', 'naive-join');
    const naivePush = startNaive(naiveLowArgs(coldCam.main, naiveUrl));
    let joinNaive: Latencies;
    try {
      const first = waitFirstFrame(naiveUrl, { timeoutMs: READER_TIMEOUT_MS });
      await first.firstFrame.finally(() => first.close());
      await sleep(2000);
      joinNaive = await series(ctx, 'player joins the naive 128 kb/s push', ctx.opts.baselineRuns, () => randomPhase(PUSH_GOP_MS), () => join(naiveUrl));
    } finally {
      await naivePush.kill(1000);
    }
    return { tiers, naive: { copy, high1M }, join: { ours: joinOurs, naive: joinNaive } };
  } finally {
    await rig.close();
  }
}

/** Reader spawned at t0 on a stream already being published. */
async function join(url: string): Promise<{ ms: number }> {
  const t0 = Date.now();
  const reader = waitFirstFrame(url, { timeoutMs: READER_TIMEOUT_MS });
  try {
    return { ms: (await reader.firstFrame) - t0 };
  } finally {
    await reader.close();
  }
}
