import fs from 'node:fs';
import { getKv, setKv, type Db } from './db.js';

/** A process, told apart from a later one given the same pid by its start time (/proc/PID/stat field 22). */
interface ProcessId {
  pid: number;
  startTicks: string;
}

const KEY = 'daemon.process';

function startTicks(pid: number): string | undefined {
  try {
    // Field 2 (comm) may hold spaces and parentheses: count from the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Which process runs the daemon on this data directory, so that a CLI command can tell whether
 * the daemon is up without guessing from a port (another gateway, or a test, may hold the port).
 * A daemon killed without a stop leaves its record, which is recognised as dead by pid and start time.
 */
export class DaemonPresence {
  constructor(private readonly db: Db) {}

  /** Called by the daemon at start; returns the release for its stop. */
  claim(pid = process.pid): () => void {
    const me: ProcessId = { pid, startTicks: startTicks(pid) ?? '' };
    setKv(this.db, KEY, JSON.stringify(me));
    return () => {
      if (this.running() === pid) setKv(this.db, KEY, '{}');
    };
  }

  /** The daemon's pid when it runs now, else undefined. */
  running(): number | undefined {
    const value = getKv(this.db, KEY);
    if (value === undefined) return undefined;
    const recorded = JSON.parse(value) as Partial<ProcessId>;
    if (recorded.pid === undefined || recorded.startTicks === undefined) return undefined;
    return startTicks(recorded.pid) === recorded.startTicks ? recorded.pid : undefined;
  }
}
