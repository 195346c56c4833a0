// The end of `vcgw run`: a stop that leaves no FFmpeg behind, within the unit's TimeoutStopSec.
import fs from 'node:fs';
import type { Logger } from '../../log.js';

/**
 * Budget of the graceful stop. systemd/vcgw.service has TimeoutStopSec=20: the rest is the
 * margin in which the leftovers are killed and the process exits before systemd's SIGKILL.
 */
export const STOP_BUDGET_MS = 15_000;

/** Direct children of `pid` (from /proc), optionally only those whose command is `comm`. */
export function childPids(pid: number, comm?: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out; // no procfs (not Linux): nothing to look at
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (m && Number(m[2]) === pid && (comm === undefined || m[1] === comm)) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/**
 * Runs the daemon's own stop (which ends its FFmpeg pipelines gracefully); when that overruns
 * the budget, or a child outlived it anyway (a one-off snapshot or probe), the children are
 * killed: nothing the gateway started survives it, even outside systemd's cgroup kill.
 * Resolves true when the graceful stop finished in time and left nothing behind.
 */
export async function stopGracefully(stop: () => Promise<void>, log: Logger, budgetMs = STOP_BUDGET_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => {
    timer = setTimeout(() => resolve('overran'), budgetMs);
  });
  let clean = true;
  try {
    const outcome = await Promise.race([stop().then(() => 'stopped' as const), overran]);
    if (outcome === 'overran') {
      clean = false;
      log.error({ budgetMs }, 'graceful stop overran its budget; killing what is left');
    }
  } catch (err) {
    clean = false;
    log.error({ err: String(err) }, 'graceful stop failed; killing what is left');
  } finally {
    clearTimeout(timer);
  }
  const left = childPids(process.pid);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (left.length > 0) {
    clean = false;
    log.warn({ pids: left }, 'child processes outlived the stop: killed');
  }
  return clean;
}
