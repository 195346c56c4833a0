// CPU used by groups of processes over a window, in cores (CPU seconds / wall seconds), sampled
// often enough that a process ending mid-window loses at most one sampling interval.
import { boxTicks, cmdline, CLK_TCK, listProcs, type ProcEntry } from './proc.js';

/** Names the group a process is charged to, or undefined to ignore it. */
export type Classifier = (p: ProcEntry, argv: () => string[], procs: Map<number, ProcEntry>) => string | undefined;

export interface CpuReport {
  wallS: number;
  /** Cores used per group. */
  cores: Record<string, number>;
  /** Processes seen per group. */
  processes: Record<string, number>;
  /** Processes of the group that ended during the window (restarts, crashes). */
  ended: Record<string, number>;
  /** The whole box (every process, ours or not), in cores. */
  boxCores: number;
}

interface Tracked {
  group: string;
  first: number;
  last: number;
  gone: boolean;
}

export class CpuMeter {
  private readonly tracked = new Map<number, Tracked>();
  private readonly argvCache = new Map<number, { comm: string; argv: string[] }>();
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private box0 = { busy: 0, total: 0 };

  constructor(
    private readonly classify: Classifier,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.t0 = performance.now();
    this.box0 = boxTicks();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
  }

  stop(): CpuReport {
    this.sample(false);
    clearInterval(this.timer);
    const wallS = (performance.now() - this.t0) / 1000;
    const box1 = boxTicks();
    const cores: Record<string, number> = {};
    const processes: Record<string, number> = {};
    const ended: Record<string, number> = {};
    for (const t of this.tracked.values()) {
      cores[t.group] = (cores[t.group] ?? 0) + (t.last - t.first) / CLK_TCK / wallS;
      processes[t.group] = (processes[t.group] ?? 0) + 1;
      if (t.gone) ended[t.group] = (ended[t.group] ?? 0) + 1;
    }
    return { wallS, cores, processes, ended, boxCores: (box1.busy - this.box0.busy) / CLK_TCK / wallS };
  }

  private sample(initial: boolean): void {
    const procs = listProcs();
    for (const [pid, t] of this.tracked) if (!procs.has(pid)) t.gone = true;
    for (const p of procs.values()) {
      const argv = () => {
        const c = this.argvCache.get(p.pid);
        // exec (setpriv → ffmpeg) changes comm and argv under the same pid.
        if (c && c.comm === p.comm) return c.argv;
        const fresh = cmdline(p.pid);
        this.argvCache.set(p.pid, { comm: p.comm, argv: fresh });
        return fresh;
      };
      const t = this.tracked.get(p.pid);
      if (t) {
        if (!t.gone) t.last = p.ticks;
        continue;
      }
      const group = this.classify(p, argv, procs);
      if (!group) continue;
      // A process first seen after the start was born inside the window: all its ticks count.
      this.tracked.set(p.pid, { group, first: initial ? p.ticks : 0, last: p.ticks, gone: false });
    }
  }
}
