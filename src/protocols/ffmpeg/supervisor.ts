// One Supervisor owns one FFmpeg process's whole life: spawn, health by progress, graceful
// stop, restart with back-off (ARCHITECTURE §2–§4, §6). The anti-patterns it exists to avoid
// are zombie or duplicate children and waiting forever for a graceful exit (go2rtc #814 #894,
// scrypted #2090, frigate #401 #8869).
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter, parseProgressStream, progressAdvanced, type ProgressUpdate } from './progress.js';
import { StderrRing, redactArgs } from './stderrRing.js';

/** The part of a pino logger the protocol layer uses. */
export interface MiniLogger {
  debug(o: object, msg?: string): void;
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface SupervisorOptions {
  name: string;
  /** The ffmpeg binary. */
  command: string;
  /** Called before every spawn (a push URL may have to be refreshed); must contain `-progress pipe:3`. */
  args: () => string[] | Promise<string[]>;
  /** 'pipe' for a source whose data comes out on stdout (the caller must consume it). */
  stdout?: 'pipe' | 'ignore';
  /** fd 4 is a writable pipe (the argv reads `-i pipe:4`). */
  dataIn?: boolean;
  /** No progress advance (frame, total_size or out_time) for this long → kill and restart. */
  stallMs: number;
  /** No frame > 0 this long after spawn → kill and restart. Also bounds `args()`. */
  firstFrameMs: number;
  /** Delays between restarts, in steps; the last one repeats. */
  backoffMs: number[];
  /**
   * Only failures that repeat within this window climb the back-off steps; a failure longer than
   * this after the previous one starts again at the first step (default 30000). A run that
   * delivered frames always restarts at the first step: its output worked until it failed.
   */
  repeatWindowMs?: number;
  /** After 'q' wait `q` ms, then SIGTERM the group, wait `term` ms, then SIGKILL (default 2000/2000). */
  stopTimeouts?: { q: number; term: number };
  /** setpriv path: children get PR_SET_PDEATHSIG=SIGKILL so they die with the daemon, even on kill -9. */
  deathSignalHelper?: string;
  stderrLines?: number;
  log: MiniLogger;
  env?: NodeJS.ProcessEnv;
}

export type SupervisorState = 'idle' | 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped';

export type ExitReason = 'exited' | 'stalled' | 'no-first-frame' | 'spawn-error' | 'stopped' | 'restart-requested';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  reason: ExitReason;
  /** The restart reason, or why the spawn failed. */
  detail?: string;
  runMs: number;
  stderrTail: string[];
  generation: number;
}

export interface SpawnInfo {
  pid: number;
  generation: number;
  stdout?: Readable;
  dataIn?: Writable;
}

export interface BackoffInfo {
  delayMs: number;
  /** 0-based index into backoffMs (capped at its last entry). */
  step: number;
}

/** One child process and everything that belongs to it alone. */
interface Run {
  gen: number;
  child: ChildProcess;
  pid: number;
  spawnedAt: number;
  ring: StderrRing;
  exited: boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  killReason?: ExitReason;
  detail?: string;
  terminating?: Promise<void>;
  firstFrameAt?: number;
  lastAdvanceAt?: number;
  prevProgress?: ProgressUpdate;
  firstFrameTimer?: NodeJS.Timeout;
  stallTimer?: NodeJS.Timeout;
  dataIn?: Writable;
}

/** From start() to the end of its loop; a later start() gets a new one. */
interface Activation {
  stopRequested: boolean;
  skipBackoff: boolean;
  stopSignal: Promise<void>;
  signalStop: () => void;
  wake?: () => void;
  done?: Promise<void>;
}

const HOUR_MS = 3_600_000;
const STREAM_DRAIN_MS = 500;

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let resolveFn: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    resolveFn = resolve;
    timer = setTimeout(resolve, ms);
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      resolveFn();
    },
  };
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Supervisor extends EventEmitter {
  private readonly opts: SupervisorOptions;
  private readonly stopTimeouts: { q: number; term: number };
  private readonly repeatWindowMs: number;
  private act?: Activation;
  private pendingStart = false;
  private run?: Run;
  private spawnWaiters: Array<() => void> = [];
  private restartTimes: number[] = [];
  private lastRing?: StderrRing;

  private _state: SupervisorState = 'idle';
  private _generation = 0;
  private _restarts = 0;
  private _lastError?: string;
  private _lastProgress?: ProgressUpdate;
  private _firstFrameMs?: number;
  private _startedAt?: number;

  constructor(opts: SupervisorOptions) {
    super();
    if (opts.backoffMs.length === 0) throw new RangeError(`${opts.name}: backoffMs needs at least one step`);
    this.opts = opts;
    this.stopTimeouts = opts.stopTimeouts ?? { q: 2000, term: 2000 };
    this.repeatWindowMs = opts.repeatWindowMs ?? 30_000;
  }

  get state(): SupervisorState {
    return this._state;
  }
  get pid(): number | undefined {
    return this.run && !this.run.exited ? this.run.pid : undefined;
  }
  get generation(): number {
    return this._generation;
  }
  get restarts(): number {
    return this._restarts;
  }
  get lastError(): string | undefined {
    return this._lastError;
  }
  get lastProgress(): ProgressUpdate | undefined {
    return this._lastProgress;
  }
  /** Time from spawn to the first frame of the current (or last) run. */
  get firstFrameMs(): number | undefined {
    return this._firstFrameMs;
  }
  /** Epoch ms of the current (or last) spawn. */
  get startedAt(): number | undefined {
    return this._startedAt;
  }

  restartsLastHour(): number {
    this.pruneRestarts(Date.now());
    return this.restartTimes.length;
  }

  /** The stderr ring of the current or last run, redacted, oldest first. */
  stderrTail(): string[] {
    return this.lastRing?.lines() ?? [];
  }

  start(): void {
    if (this.act && !this.act.stopRequested) return;
    if (this.act) {
      // Still stopping: start again once the old child is gone, never alongside it.
      this.pendingStart = true;
      return;
    }
    this.launch();
  }

  async stop(): Promise<void> {
    this.pendingStart = false;
    const act = this.act;
    if (!act) {
      this.setState('stopped');
      return;
    }
    act.stopRequested = true;
    act.signalStop();
    act.wake?.();
    const run = this.run;
    if (run && !run.exited) void this.terminate(run, 'stopped');
    await act.done;
  }

  /** Stops the current child (same escalation as stop) and spawns again without a back-off delay. */
  async restart(reason: string): Promise<void> {
    this.opts.log.info({ ffmpeg: this.opts.name, reason }, 'restart requested');
    const attempted = new Promise<void>((resolve) => this.spawnWaiters.push(resolve));
    const act = this.act;
    if (!act || act.stopRequested) {
      this.start();
      return attempted;
    }
    act.skipBackoff = true;
    act.wake?.();
    const run = this.run;
    if (run && !run.exited) {
      // A kill already under way (stall, stop) keeps its own reason.
      if (run.killReason === undefined) run.detail = reason;
      void this.terminate(run, 'restart-requested');
    }
    return attempted;
  }

  private launch(): void {
    let signalStop: () => void = () => {};
    const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
    const act: Activation = { stopRequested: false, skipBackoff: false, stopSignal, signalStop };
    this.act = act;
    act.done = this.loop(act)
      .catch((err: unknown) => {
        // A bug here must not leave a child unsupervised.
        this.opts.log.error({ ffmpeg: this.opts.name, err: errorMessage(err) }, 'supervisor loop failed');
        if (this.run && !this.run.exited) signalGroup(this.run.pid, 'SIGKILL');
        this.setState('stopped');
      })
      .finally(() => {
        if (this.act === act) this.act = undefined;
        if (this.pendingStart) {
          this.pendingStart = false;
          this.launch();
        } else {
          this.resolveSpawnWaiters();
        }
      });
  }

  private async loop(act: Activation): Promise<void> {
    let step = 0;
    let lastFailureAt = -Infinity;
    let attempts = 0;
    while (!act.stopRequested) {
      if (attempts++ > 0) this.countRestart();
      const gen = ++this._generation;
      this.setState('starting');
      const outcome = await this.runOnce(act, gen);
      if (!outcome) break;
      this.safeEmit('exit', outcome.info);
      if (act.stopRequested) break;
      if (act.skipBackoff) {
        act.skipBackoff = false;
        continue;
      }
      const failedAt = Date.now();
      if (outcome.deliveredFrames || failedAt - lastFailureAt > this.repeatWindowMs) step = 0;
      lastFailureAt = failedAt;
      const index = Math.min(step, this.opts.backoffMs.length - 1);
      const delayMs = this.opts.backoffMs[index] ?? 0;
      step++;
      this.setState('backoff');
      this.safeEmit('backoff', { delayMs, step: index } satisfies BackoffInfo);
      const d = delay(delayMs);
      act.wake = d.cancel;
      await d.promise;
      act.wake = undefined;
      act.skipBackoff = false;
    }
    this.setState('stopped');
  }

  /** One spawn attempt up to the child's exit; undefined when stop came before the spawn. */
  private async runOnce(act: Activation, gen: number): Promise<{ info: ExitInfo; deliveredFrames: boolean } | undefined> {
    const attemptAt = Date.now();
    let args: string[];
    try {
      args = await this.resolveArgs(act);
    } catch (err) {
      if (act.stopRequested) return undefined;
      return this.spawnFailed(gen, attemptAt, `args(): ${errorMessage(err)}`);
    }
    if (act.stopRequested) return undefined;

    const helper = this.opts.deathSignalHelper;
    const command = helper ?? this.opts.command;
    const argv = helper ? ['--pdeathsig', 'SIGKILL', '--', this.opts.command, ...args] : args;
    let child: ChildProcess;
    try {
      child = spawn(command, argv, {
        detached: true,
        env: this.opts.env ?? process.env,
        stdio: ['pipe', this.opts.stdout ?? 'ignore', 'pipe', 'pipe', this.opts.dataIn ? 'pipe' : 'ignore'],
      });
    } catch (err) {
      return this.spawnFailed(gen, attemptAt, errorMessage(err));
    }
    // Before the first await: a fast child must not exit unseen, and EPIPE must never throw.
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const ignoreStreamError = (what: string) => (err: Error) =>
      this.opts.log.debug({ ffmpeg: this.opts.name, err: err.message }, `${what} pipe error`);
    child.stdin?.on('error', ignoreStreamError('stdin'));
    child.stdout?.on('error', ignoreStreamError('stdout'));
    const dataIn = this.opts.dataIn ? (child.stdio[4] as Writable | null) ?? undefined : undefined;
    dataIn?.on('error', ignoreStreamError('data-in'));
    const started = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    child.on('error', (err) => this.opts.log.warn({ ffmpeg: this.opts.name, err: err.message }, 'child process error'));
    if (started || child.pid === undefined) {
      for (const s of child.stdio) s?.destroy();
      return this.spawnFailed(gen, attemptAt, `cannot run ${command}: ${started?.message ?? 'no pid'}`);
    }

    const run: Run = {
      gen,
      child,
      pid: child.pid,
      spawnedAt: Date.now(),
      ring: new StderrRing(this.opts.stderrLines ?? 100),
      exited: false,
      exit,
      ...(dataIn ? { dataIn } : {}),
    };
    void exit.then(() => {
      run.exited = true;
      clearTimeout(run.firstFrameTimer);
      clearTimeout(run.stallTimer);
    });
    this.run = run;
    this.lastRing = run.ring;
    this._startedAt = run.spawnedAt;
    this._firstFrameMs = undefined;

    const stderr = child.stderr as Readable;
    const progress = child.stdio[3] as Readable;
    const splitter = new LineSplitter((line) => run.ring.push(line));
    stderr.on('data', (c: Buffer) => splitter.push(c));
    stderr.on('error', ignoreStreamError('stderr'));
    progress.on('error', ignoreStreamError('progress'));
    const detachProgress = parseProgressStream(progress, (u) => this.onProgress(run, u));

    run.firstFrameTimer = setTimeout(() => {
      if (run.firstFrameAt === undefined && !run.exited) {
        this.opts.log.warn({ ffmpeg: this.opts.name, pid: run.pid, ms: this.opts.firstFrameMs }, 'no first frame in time');
        void this.terminate(run, 'no-first-frame');
      }
    }, this.opts.firstFrameMs);

    this.opts.log.info({ ffmpeg: this.opts.name, pid: run.pid, generation: gen }, 'ffmpeg spawned');
    this.opts.log.debug({ ffmpeg: this.opts.name, argv: redactArgs([command, ...argv]) }, 'ffmpeg argv');
    this.spawned();
    const spawnInfo: SpawnInfo = { pid: run.pid, generation: gen };
    if (this.opts.stdout === 'pipe' && child.stdout) spawnInfo.stdout = child.stdout;
    if (dataIn) spawnInfo.dataIn = dataIn;
    this.safeEmit('spawn', spawnInfo);
    // stop() may have come while 'spawn' listeners ran.
    if (act.stopRequested) void this.terminate(run, 'stopped');

    const { code, signal } = await exit;
    const exitedAt = Date.now();
    // Whatever the child left in its group (helpers, a stuck grandchild) goes with it.
    signalGroup(run.pid, 'SIGKILL');
    await Promise.all([drained(stderr, STREAM_DRAIN_MS), drained(progress, STREAM_DRAIN_MS)]);
    splitter.end();
    detachProgress();
    stderr.destroy();
    progress.destroy();

    const reason: ExitReason = run.killReason ?? (act.stopRequested ? 'stopped' : 'exited');
    const info: ExitInfo = {
      code,
      signal,
      reason,
      ...(run.detail ? { detail: run.detail } : {}),
      runMs: exitedAt - run.spawnedAt,
      stderrTail: run.ring.lines(),
      generation: gen,
    };
    if (reason !== 'stopped' && reason !== 'restart-requested') {
      this._lastError = this.describe(info, run.ring.errorLines());
      this.opts.log.warn(
        { ffmpeg: this.opts.name, pid: run.pid, code, signal, reason, runMs: info.runMs, stderr: run.ring.errorLines() },
        'ffmpeg ended',
      );
    } else {
      this.opts.log.info({ ffmpeg: this.opts.name, pid: run.pid, code, signal, reason, runMs: info.runMs }, 'ffmpeg ended');
    }
    return { info, deliveredFrames: run.firstFrameAt !== undefined };
  }

  // args() may fetch a fresh push URL: bounded, and abandoned when stop() comes meanwhile.
  private async resolveArgs(act: Activation): Promise<string[]> {
    const pending = Promise.resolve().then(() => this.opts.args());
    pending.catch(() => {});
    const timeout = delay(this.opts.firstFrameMs);
    try {
      const args = await Promise.race([
        pending,
        act.stopSignal.then(() => [] as string[]),
        timeout.promise.then(() => {
          throw new Error(`did not settle within ${this.opts.firstFrameMs} ms`);
        }),
      ]);
      if (act.stopRequested) return [];
      if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new Error('did not return a string[]');
      const p = args.indexOf('-progress');
      if (p === -1 || args[p + 1] !== 'pipe:3') throw new Error('argv must contain `-progress pipe:3` (health is read from it)');
      return args;
    } finally {
      timeout.cancel();
    }
  }

  private spawnFailed(gen: number, attemptAt: number, detail: string): { info: ExitInfo; deliveredFrames: boolean } {
    this.spawned();
    const info: ExitInfo = {
      code: null,
      signal: null,
      reason: 'spawn-error',
      detail,
      runMs: Date.now() - attemptAt,
      stderrTail: [],
      generation: gen,
    };
    this._lastError = this.describe(info, []);
    this.opts.log.error({ ffmpeg: this.opts.name, generation: gen, err: detail }, 'ffmpeg did not start');
    return { info, deliveredFrames: false };
  }

  private onProgress(run: Run, u: ProgressUpdate): void {
    if (run.gen !== this._generation || run.exited) return;
    const now = Date.now();
    const advanced = progressAdvanced(run.prevProgress, u);
    run.prevProgress = u;
    this._lastProgress = u;
    this.safeEmit('progress', u);
    if (advanced) {
      run.lastAdvanceAt = now;
      if (run.firstFrameAt !== undefined) this.armStall(run);
    }
    if (run.firstFrameAt === undefined && u.frame > 0) {
      run.firstFrameAt = now;
      run.lastAdvanceAt = now;
      clearTimeout(run.firstFrameTimer);
      this._firstFrameMs = now - run.spawnedAt;
      this.armStall(run);
      if (!run.terminating) this.setState('running');
      this.safeEmit('firstFrame', this._firstFrameMs);
    }
  }

  private armStall(run: Run): void {
    clearTimeout(run.stallTimer);
    run.stallTimer = setTimeout(() => {
      if (run.exited) return;
      this.opts.log.warn({ ffmpeg: this.opts.name, pid: run.pid, ms: this.opts.stallMs, last: run.prevProgress }, 'ffmpeg stalled');
      void this.terminate(run, 'stalled');
    }, this.opts.stallMs);
  }

  /** q on stdin → SIGTERM to the group → SIGKILL to the group, each after its timeout. */
  private terminate(run: Run, reason: ExitReason): Promise<void> {
    run.killReason ??= reason;
    if (run.exited) return Promise.resolve();
    if (run.terminating) return run.terminating;
    clearTimeout(run.firstFrameTimer);
    clearTimeout(run.stallTimer);
    this.setState('stopping');
    const exitedWithin = async (ms: number): Promise<boolean> => {
      const d = delay(ms);
      const done = await Promise.race([run.exit.then(() => true), d.promise.then(() => false)]);
      d.cancel();
      return done;
    };
    run.terminating = (async () => {
      const { q, term } = this.stopTimeouts;
      const stdin = run.child.stdin;
      if (stdin && stdin.writable) stdin.write('q');
      // With `-i pipe:N` FFmpeg ignores keys on stdin; end of input is its graceful stop there.
      if (run.dataIn && run.dataIn.writable) run.dataIn.end();
      if (await exitedWithin(q)) return;
      this.opts.log.warn({ ffmpeg: this.opts.name, pid: run.pid, afterMs: q }, "no exit after 'q': SIGTERM");
      signalGroup(run.pid, 'SIGTERM');
      if (await exitedWithin(term)) return;
      this.opts.log.warn({ ffmpeg: this.opts.name, pid: run.pid, afterMs: term }, 'no exit after SIGTERM: SIGKILL');
      signalGroup(run.pid, 'SIGKILL');
      await run.exit;
    })();
    return run.terminating;
  }

  private describe(info: ExitInfo, errorLines: string[]): string {
    let what: string;
    switch (info.reason) {
      case 'stalled':
        what = `stalled: no progress for ${this.opts.stallMs} ms`;
        break;
      case 'no-first-frame':
        what = `no first frame within ${this.opts.firstFrameMs} ms`;
        break;
      case 'spawn-error':
        what = `could not start: ${info.detail ?? 'unknown error'}`;
        break;
      default:
        what = info.signal ? `exited on ${info.signal}` : `exited with code ${info.code}`;
    }
    return errorLines.length > 0 ? `${what}: ${errorLines.join(' | ')}` : what;
  }

  private spawned(): void {
    const waiters = this.spawnWaiters;
    this.spawnWaiters = [];
    for (const w of waiters) w();
    if (this.act) this.act.skipBackoff = false;
  }

  private resolveSpawnWaiters(): void {
    const waiters = this.spawnWaiters;
    this.spawnWaiters = [];
    for (const w of waiters) w();
  }

  private countRestart(): void {
    const now = Date.now();
    this._restarts++;
    this.restartTimes.push(now);
    this.pruneRestarts(now);
  }

  private pruneRestarts(now: number): void {
    while (this.restartTimes.length > 0 && (this.restartTimes[0] ?? 0) <= now - HOUR_MS) this.restartTimes.shift();
  }

  private setState(s: SupervisorState): void {
    if (s === this._state) return;
    this._state = s;
    this.safeEmit('state', s);
  }

  // A throwing listener must not break the restart loop.
  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.opts.log.error({ ffmpeg: this.opts.name, event, err: errorMessage(err) }, 'supervisor listener threw');
    }
  }
}

function drained(stream: Readable, ms: number): Promise<void> {
  if (stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    }
    stream.once('end', done);
    stream.once('close', done);
  });
}
