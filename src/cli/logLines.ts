// Reading the daemon's log back: pino JSON lines from the journal (`journalctl -u vcgw -o cat`)
// or from gateway.log_file, filtered by time, camera and output.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

export type LogEntry = Record<string, unknown> & { time?: number; level?: number; msg?: string };

export interface LogFilter {
  /** ms since epoch; entries before it are left out. */
  since?: number;
  /** Camera ids and numbers that match the `camera` or `cameraNum` field. */
  cameras?: ReadonlySet<string>;
  /** Matches the `output`, `role` or `videoType` field. */
  output?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '12h', '30m', '2d', '90s' before `now`, or an ISO date/time; undefined when it is neither. */
export function parseSince(v: string, now: number): number | undefined {
  const rel = /^(\d+)([smhd])$/.exec(v);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : at;
}

export function matches(e: LogEntry | undefined, f: LogFilter): boolean {
  const filtered = f.since !== undefined || f.cameras !== undefined || f.output !== undefined;
  if (e === undefined) return !filtered; // a line that is not JSON (a crash trace) shows only unfiltered
  if (f.since !== undefined && (typeof e.time !== 'number' || e.time < f.since)) return false;
  if (f.cameras && ![e['camera'], e['cameraNum']].some((v) => typeof v === 'string' && f.cameras!.has(v))) return false;
  if (f.output !== undefined && ![e['output'], e['role'], e['videoType']].some((v) => v !== undefined && String(v) === f.output)) return false;
  return true;
}

export function parseLine(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Lines of a log file (a missing file is an error naming it). */
export function fileLines(file: string): AsyncIterable<string> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  return readline.createInterface({ input: stream, crlfDelay: Infinity });
}

/**
 * Lines of the vcgw unit's journal since `since`, from this system's journal or the journal files
 * in `directory` (journalctl --directory); rejects when journalctl cannot run.
 */
export async function* journalLines(unit: string, since: number | undefined, directory?: string): AsyncIterable<string> {
  const args = [
    '-u',
    unit,
    '-o',
    'cat',
    '--no-pager',
    '--quiet',
    ...(since === undefined ? [] : ['--since', `@${Math.floor(since / 1000)}`]),
    ...(directory === undefined ? [] : ['--directory', directory]),
  ];
  const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  for await (const line of readline.createInterface({ input: child.stdout as Readable, crlfDelay: Infinity })) yield line;
  const code = await exited;
  if (code !== 0) throw new Error(`journalctl ${args.join(' ')}: exit ${code}${stderr ? `: ${stderr.trim()}` : ''}`);
}
