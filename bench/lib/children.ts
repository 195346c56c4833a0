// Child processes of the benchmark and their cleanup: every child is spawned in its own process
// group with a parent-death signal, and registered so that Ctrl-C or a crash tears it down.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';

const DEATH_SIGNAL_HELPER = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => {
  try {
    fs.accessSync(f, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

export interface Child {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  kill(graceMs?: number): Promise<void>;
}

type Closer = () => Promise<void> | void;
const closers = new Set<Closer>();

/** Registers cleanup to run on exit, Ctrl-C or a crash; returns the function that unregisters it. */
export function onCleanup(fn: Closer): () => void {
  closers.add(fn);
  return () => closers.delete(fn);
}

/** Runs every registered cleanup, newest first, each bounded so one stuck closer cannot hang exit. */
export async function cleanupAll(): Promise<void> {
  const list = [...closers].reverse();
  closers.clear();
  for (const fn of list) {
    await Promise.race([Promise.resolve().then(fn).catch(() => undefined), new Promise((r) => setTimeout(r, 8000))]);
  }
}

let handlersInstalled = false;
/** Ctrl-C / SIGTERM: clean up, then exit 130 / 143. */
export function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: stopping every child…\n`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

export function spawnChild(
  command: string,
  args: readonly string[],
  opts: { stdio?: StdioOptions; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Child {
  const argv = DEATH_SIGNAL_HELPER ? ['--pdeathsig', 'SIGKILL', '--', command, ...args] : [...args];
  const child = spawn(DEATH_SIGNAL_HELPER ?? command, argv, {
    detached: true,
    stdio: opts.stdio ?? ['ignore', 'ignore', 'ignore'],
    cwd: opts.cwd,
    env: opts.env ?? process.env,
  });
  for (const s of child.stdio) s?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const kill = async (graceMs = 2000): Promise<void> => {
    const group = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is gone already
      }
    };
    if (child.exitCode === null && child.signalCode === null) {
      group(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => group('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    group('SIGKILL');
  };
  const unregister = onCleanup(() => kill(1000));
  void exited.then(unregister);
  return { child, pid: child.pid ?? -1, exited, kill };
}

/** Splits a stream into lines and hands each one over. */
export function onLines(stream: NodeJS.ReadableStream | null | undefined, fn: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    pending += s;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) fn(l);
  });
}

/** A bounded memory of the last lines of a child's stderr, for error messages. */
export class Ring {
  private readonly lines: string[] = [];
  constructor(private readonly size = 30) {}
  push(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  tail(n = 5): string {
    return this.lines.slice(-n).join(' | ');
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs a benchmark's main, cleans up its children either way, and exits with its outcome. */
export async function runBenchmark(main: () => Promise<void>): Promise<never> {
  try {
    await main();
    await cleanupAll();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    await cleanupAll();
    process.exit(1);
  }
}
