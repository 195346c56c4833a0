// Process accounting from /proc (Linux only): CPU ticks, RSS and process trees, so a benchmark can
// charge CPU to the processes that really spent it instead of to the whole box.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of utime/stime (sysconf _SC_CLK_TCK; 100 on every Linux we target). */
export const CLK_TCK: number = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

export interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Parses one /proc/<pid>/stat line; comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(line: string): ProcEntry | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { pid, ppid, comm: line.slice(open + 1, close), ticks: utime + stime };
}

export function readProc(pid: number): ProcEntry | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process on the box, by pid. */
export function listProcs(): Map<number, ProcEntry> {
  const out = new Map<number, ProcEntry>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const e = readProc(Number(name));
    if (e) out.set(e.pid, e);
  }
  return out;
}

/** Pids below `root` (not `root` itself), children before grandchildren. */
export function descendants(root: number, procs: Map<number, ProcEntry> = listProcs()): number[] {
  const kids = new Map<number, number[]>();
  for (const p of procs.values()) {
    const list = kids.get(p.ppid);
    if (list) list.push(p.pid);
    else kids.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const queue = [...(kids.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(kids.get(pid) ?? []));
  }
  return out;
}

export function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** VmRSS in KiB; undefined once the process is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Memory of a process in KiB: RSS (counts shared libraries in full), RssAnon (its private heap and
 * stacks) and PSS (shared pages split among the processes mapping them: what one more costs).
 */
export function memKb(pid: number): { rss: number; anon: number; pss: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
    let pss = NaN;
    try {
      pss = field(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // smaps_rollup needs Linux ≥ 4.14 and ptrace access: PSS stays unknown
    }
    return { rss: field(status, 'VmRSS'), anon: field(status, 'RssAnon'), pss };
  } catch {
    return undefined;
  }
}

/** FFmpeg processes below `root`, with their argv. */
export function ffmpegBelow(root: number): Array<{ pid: number; argv: string[] }> {
  const procs = listProcs();
  return descendants(root, procs)
    .filter((pid) => procs.get(pid)?.comm === 'ffmpeg')
    .map((pid) => ({ pid, argv: cmdline(pid) }));
}

/** Busy and total jiffies of the whole box (first line of /proc/stat). */
export function boxTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where and when a benchmark ran, as every results file starts. */
export interface MachineMeta {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  loadavgAtStart: number[];
}

export function machineMeta(): MachineMeta {
  return {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    node: process.version,
    loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** The line under a benchmark's title. */
export function machineLine(m: MachineMeta): string {
  return `  CPU: ${m.cpu}, ${m.cores} cores; Node ${m.node}; load average at start ${m.loadavgAtStart.join(' ')}`;
}
