// What every part of the media benchmark shares: the camera farm, the RTMP server, the process
// classifier for CPU accounting, progress output and the list of engine misbehaviours seen.
import type { RtmpServer } from '../../src/sim/rtmp/index.js';
import type { CameraFarm } from './cameraFarm.js';
import type { Classifier } from './cpuMeter.js';
import { until } from './children.js';
import { ffmpegBelow, type ProcEntry } from './proc.js';

export interface BenchOptions {
  /** Steady-state measurement window of the constant-push scenarios, seconds. */
  windowS: number;
  warmupS: number;
  /** Runs per first-frame measurement of ours / of the naive baseline. */
  runs: number;
  baselineRuns: number;
  /** Per-output CPU window, seconds. */
  outputWindowS: number;
}

export interface BenchContext {
  opts: BenchOptions;
  farm: CameraFarm;
  rtmp: RtmpServer;
  /** Charges processes to: gateway node, ffmpeg pull, ffmpeg push, ffmpeg naive, ffmpeg reader, cameras, nginx. */
  classify: Classifier;
  progress(msg: string): void;
  /** Misbehaviour of the engine seen while measuring (restarts, failures, leaked processes). */
  issue(msg: string): void;
}

/** True when `root` is an ancestor of `p`. */
export function isBelow(p: ProcEntry, root: number | undefined, procs: Map<number, ProcEntry>): boolean {
  if (root === undefined) return false;
  let cur: ProcEntry | undefined = p;
  for (let depth = 0; cur && depth < 64; depth++) {
    if (cur.ppid === root) return true;
    cur = procs.get(cur.ppid);
  }
  return false;
}

/** Which kind of FFmpeg an argv is: our pull (RTSP → TS on stdout), our push (TS on fd 4), … */
export function ffmpegKind(argv: readonly string[]): 'pull' | 'push' | 'naive' | 'reader' | 'other' {
  if (argv.includes('pipe:4')) return 'push';
  if (argv.includes('mpegts') && argv.includes('pipe:1')) return 'pull';
  if (argv.includes('rawvideo')) return 'reader';
  if (argv.includes('flv')) return 'naive';
  return 'other';
}

export function makeClassifier(farmPid: () => number | undefined, nginxPid: () => number | undefined): Classifier {
  return (p, argv, procs) => {
    if (p.pid === process.pid) return 'gateway node';
    const farm = farmPid();
    if (p.pid === farm || isBelow(p, farm, procs)) return 'cameras';
    const nginx = nginxPid();
    if (p.pid === nginx || isBelow(p, nginx, procs)) return 'nginx';
    if (p.comm === 'ffmpeg' && isBelow(p, process.pid, procs)) return `ffmpeg ${ffmpegKind(argv())}`;
    return undefined;
  };
}

/** Our FFmpeg processes still running (readers and the naive baseline excluded). */
export function engineFfmpeg(root = process.pid): Array<{ pid: number; argv: string[] }> {
  return ffmpegBelow(root).filter((f) => ['pull', 'push'].includes(ffmpegKind(f.argv)));
}

/** After engine.close(), none of its FFmpeg processes may be left. */
export async function checkNoEngineFfmpeg(ctx: BenchContext, where: string): Promise<void> {
  try {
    await until('engine FFmpeg processes to exit', () => engineFfmpeg().length === 0, 10_000, 200);
  } catch {
    const left = engineFfmpeg();
    ctx.issue(`${where}: ${left.length} engine FFmpeg process(es) still running 10 s after engine.close(): ${left.map((f) => f.pid).join(', ')}`);
  }
}
