// Supervisor against the fake FFmpeg (every failure path) and against the real one.
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import pino from 'pino';
import t, { type Test } from 'tap';
import type { ProgressUpdate } from '../../../src/protocols/ffmpeg/progress.js';
import {
  Supervisor,
  type BackoffInfo,
  type ExitInfo,
  type MiniLogger,
  type SpawnInfo,
  type SupervisorOptions,
  type SupervisorState,
} from '../../../src/protocols/ffmpeg/supervisor.js';

const root = path.resolve(import.meta.dirname, '../../..');
const FAKE = path.join(root, 'test/fixtures/fake-ffmpeg.mjs');
const FFMPEG = '/usr/bin/ffmpeg';
const SETPRIV = '/usr/bin/setpriv';
// Bounds for anything that waits on a process starting: generous, as this 2-core box may be
// running other suites at the same time. Tests of the timers themselves set their own.
const SLOW = 15_000;

// pino loggers must satisfy the protocol-level interface.
const pinoAsMini: MiniLogger = pino({ level: 'silent' });
void pinoAsMini;

interface Entry {
  level: string;
  o: object;
  msg?: string;
}
function memLogger(): MiniLogger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (o: object, msg?: string) => void entries.push({ level, o, ...(msg !== undefined ? { msg } : {}) });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The next `event` whose value satisfies `pred`, or a rejection after `timeoutMs`. */
function once<T>(em: EventEmitter, event: string, timeoutMs: number, pred: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      em.off(event, on);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    function on(v: T) {
      if (!pred(v)) return;
      clearTimeout(timer);
      em.off(event, on);
      resolve(v);
    }
    em.on(event, on);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pids(pidfile: string, role: 'main' | 'grandchild' = 'main'): number[] {
  if (!fs.existsSync(pidfile)) return [];
  return fs
    .readFileSync(pidfile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${role} `))
    .map((l) => Number(l.split(' ')[1]));
}

function killAll(pidfile: string): void {
  for (const pid of [...pids(pidfile), ...pids(pidfile, 'grandchild')]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

type TestT = Test;

interface Made {
  sup: Supervisor;
  log: ReturnType<typeof memLogger>;
  pidfile: string;
  exits: ExitInfo[];
  spawns: SpawnInfo[];
  backoffs: BackoffInfo[];
  states: SupervisorState[];
}

// A private directory per test, so that concurrent runs of this file never share a pidfile.
function tmpdir(t: TestT): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-sup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function make(t: TestT, env: Record<string, string>, extra: Partial<SupervisorOptions> = {}): Made {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-sup-'));
  const pidfile = path.join(dir, 'pids');
  const log = memLogger();
  const sup = new Supervisor({
    name: 'fake',
    command: FAKE,
    args: () => ['-hide_banner', '-progress', 'pipe:3', '-i', 'rtsp://admin:secret@10.0.0.5/ch1'],
    stallMs: SLOW,
    firstFrameMs: SLOW,
    backoffMs: [50, 100, 200],
    stopTimeouts: { q: 5000, term: 3000 },
    log,
    env: { ...process.env, FAKE_FFMPEG_PIDFILE: pidfile, ...env },
    ...extra,
  });
  const m: Made = { sup, log, pidfile, exits: [], spawns: [], backoffs: [], states: [] };
  sup.on('exit', (e: ExitInfo) => m.exits.push(e));
  sup.on('spawn', (s: SpawnInfo) => m.spawns.push(s));
  sup.on('backoff', (b: BackoffInfo) => m.backoffs.push(b));
  sup.on('state', (s: SupervisorState) => m.states.push(s));
  t.teardown(async () => {
    await sup.stop();
    killAll(pidfile);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return m;
}

t.test('start → first frame → running; stop with q', async (t) => {
  const { sup, exits, states, log, pidfile } = make(t, { FAKE_FFMPEG_MODE: 'run' });
  const spawned = once<SpawnInfo>(sup, 'spawn', SLOW);
  const first = once<number>(sup, 'firstFrame', SLOW);
  const progress: ProgressUpdate[] = [];
  sup.on('progress', (p: ProgressUpdate) => progress.push(p));
  sup.start();
  sup.start(); // idempotent
  const s = await spawned;
  t.equal(s.generation, 1);
  t.equal(sup.pid, s.pid);
  const ms = await first;
  t.ok(ms > 0, `first frame after ${ms} ms`);
  t.equal(sup.firstFrameMs, ms);
  t.equal(sup.state, 'running');
  t.ok(sup.startedAt && sup.startedAt <= Date.now());
  await once<ProgressUpdate>(sup, 'progress', SLOW, (p) => p.frame > (progress[0]?.frame ?? 0));
  t.ok(sup.lastProgress && sup.lastProgress.frame > 0, 'frames counted');
  t.ok(sup.lastProgress!.fps > 0);
  t.same(pids(pidfile), [s.pid], 'exactly one child was spawned');

  const before = Date.now();
  await sup.stop();
  const took = Date.now() - before;
  t.ok(took < 5000, `stopped in ${took} ms, before the SIGTERM step`);
  t.equal(exits.length, 1);
  t.match(exits[0], { reason: 'stopped', code: 0, signal: null, generation: 1 }, "code 0: it was 'q' (SIGTERM gives 255)");
  t.ok(exits[0]!.stderrTail.some((l) => l.includes('Exiting with code 0')));
  t.notOk(alive(s.pid), 'child gone');
  t.equal(sup.state, 'stopped');
  t.equal(sup.pid, undefined);
  t.same(states, ['starting', 'running', 'stopping', 'stopped']);
  t.equal(sup.restarts, 0);
  t.equal(sup.lastError, undefined, 'a requested stop is not an error');
  const argvLog = log.entries.find((e) => e.msg === 'ffmpeg argv');
  t.ok(argvLog, 'argv logged');
  t.notMatch(JSON.stringify(argvLog), /secret/, 'argv credentials redacted in the log');
  t.match(JSON.stringify(argvLog), /rtsp:\/\/\*\*\*@10\.0\.0\.5/);
  await sup.stop(); // a second stop is a no-op
  t.equal(exits.length, 1);
});

t.test('start after stop begins a new run; stop before start is harmless', async (t) => {
  const { sup, spawns, exits } = make(t, { FAKE_FFMPEG_MODE: 'run' });
  await sup.stop();
  t.equal(sup.state, 'stopped');
  t.equal(spawns.length, 0);
  const first = once(sup, 'firstFrame', SLOW);
  sup.start();
  await first;
  await sup.stop();
  const again = once(sup, 'firstFrame', SLOW);
  sup.start();
  await again;
  t.equal(spawns.length, 2);
  t.equal(sup.generation, 2);
  t.equal(sup.restarts, 0, 'a start after a stop is not a restart');
  t.same(
    exits.map((e) => e.reason),
    ['stopped'],
  );
  t.equal(sup.state, 'running');
});

t.test('stop escalates to SIGTERM when q is ignored', async (t) => {
  const { sup, exits } = make(t, { FAKE_FFMPEG_MODE: 'ignore-q' }, { stopTimeouts: { q: 300, term: 3000 } });
  const first = once(sup, 'firstFrame', SLOW);
  sup.start();
  await first;
  const pid = sup.pid!;
  const before = Date.now();
  await sup.stop();
  const took = Date.now() - before;
  t.ok(took >= 300, `ended by SIGTERM after ${took} ms`);
  t.match(exits[0], { reason: 'stopped', code: 255, signal: null });
  const tail = exits[0]!.stderrTail.join('\n');
  t.match(tail, /ignoring 'q'/);
  t.match(tail, /received signal 15/);
  t.notOk(alive(pid));
});

t.test('stop escalates to SIGKILL of the group when SIGTERM is ignored; the grandchild dies too', async (t) => {
  const { sup, exits, pidfile, log } = make(t, { FAKE_FFMPEG_MODE: 'ignore-term', FAKE_FFMPEG_GRANDCHILD: '1' }, { stopTimeouts: { q: 200, term: 300 } });
  const first = once(sup, 'firstFrame', SLOW);
  sup.start();
  await first;
  await waitFor(() => pids(pidfile, 'grandchild').length === 1, 3000, 'the grandchild pid');
  const grandchild = pids(pidfile, 'grandchild')[0]!;
  const pid = sup.pid!;
  t.ok(alive(grandchild), 'grandchild running');
  const before = Date.now();
  await sup.stop();
  const took = Date.now() - before;
  t.ok(took >= 500, `q and TERM waited out (${took} ms)`);
  t.match(exits[0], { reason: 'stopped', code: null, signal: 'SIGKILL' });
  t.match(exits[0]!.stderrTail.join('\n'), /ignoring SIGTERM/);
  t.notOk(alive(pid), 'child gone');
  await waitFor(() => !alive(grandchild), 3000, 'the grandchild to die');
  t.pass('grandchild gone');
  t.ok(log.entries.some((e) => e.msg === 'no exit after SIGTERM: SIGKILL'), 'escalation logged');
});

t.test('a stall (progress stops advancing) kills and restarts', async (t) => {
  const { sup, exits, spawns } = make(t, { FAKE_FFMPEG_MODE: 'stall', FAKE_FFMPEG_STALL_AFTER_MS: '300' }, { stallMs: 500 });
  const stalled = once<ExitInfo>(sup, 'exit', SLOW);
  sup.start();
  const e = await stalled;
  t.equal(e.reason, 'stalled');
  t.equal(e.code, 0, "the stalled fake still honoured 'q'");
  t.match(sup.lastError, /^stalled: no progress for 500 ms/);
  const next = await once<SpawnInfo>(sup, 'spawn', SLOW);
  t.equal(next.generation, 2, 'spawned again');
  t.not(next.pid, spawns[0]!.pid);
  t.equal(sup.restarts, 1);
  t.equal(exits.length, 1);
});

t.test('no first frame in time kills and restarts; a slow start within the limit is fine', async (t) => {
  t.test('no frames', async (t) => {
    const { sup } = make(t, { FAKE_FFMPEG_MODE: 'no-frames' }, { firstFrameMs: 1500 });
    const progressed = once<ProgressUpdate>(sup, 'progress', SLOW);
    const exit = once<ExitInfo>(sup, 'exit', SLOW);
    sup.start();
    t.equal((await progressed).frame, 0, 'blocks arrive, but with frame=0');
    const e = await exit;
    t.equal(e.reason, 'no-first-frame');
    t.ok(e.runMs >= 1500, `killed after ${e.runMs} ms`);
    t.match(sup.lastError, /no first frame within 1500 ms/);
    t.equal(sup.firstFrameMs, undefined);
    t.equal((await once<SpawnInfo>(sup, 'spawn', SLOW)).generation, 2);
  });
  t.test('slow start', async (t) => {
    const { sup, exits } = make(t, { FAKE_FFMPEG_MODE: 'slow-start', FAKE_FFMPEG_DELAY_MS: '600' });
    const first = once<number>(sup, 'firstFrame', SLOW);
    sup.start();
    const ms = await first;
    t.ok(ms >= 600, `first frame after ${ms} ms is recorded`);
    t.equal(sup.state, 'running');
    t.equal(exits.length, 0);
  });
});

t.test('repeated failures without a frame back off in steps, the last one repeating', async (t) => {
  const { sup, exits, spawns, backoffs } = make(t, { FAKE_FFMPEG_MODE: 'refuse' }, { backoffMs: [50, 100, 200] });
  const times: Array<{ ev: string; at: number }> = [];
  sup.on('exit', () => times.push({ ev: 'exit', at: Date.now() }));
  sup.on('spawn', () => times.push({ ev: 'spawn', at: Date.now() }));
  const fifth = once<SpawnInfo>(sup, 'spawn', 30_000, (s) => s.generation === 5);
  sup.start();
  await fifth;
  t.same(
    backoffs.slice(0, 4).map((b) => b.delayMs),
    [50, 100, 200, 200],
  );
  t.same(
    backoffs.slice(0, 4).map((b) => b.step),
    [0, 1, 2, 2],
  );
  // Each gap between an exit and the next spawn is at least its step.
  const gaps: number[] = [];
  for (let i = 0; i < times.length - 1; i++) {
    if (times[i]!.ev === 'exit' && times[i + 1]!.ev === 'spawn') gaps.push(times[i + 1]!.at - times[i]!.at);
  }
  t.ok(gaps.length >= 4);
  [50, 100, 200, 200].forEach((min, i) => t.ok(gaps[i]! >= min - 5, `gap ${i} = ${gaps[i]} ms ≥ ${min}`));
  for (const e of exits.slice(0, 4)) t.match(e, { reason: 'exited', code: 1 });
  t.ok(sup.restarts >= 4);
  t.equal(sup.restartsLastHour(), sup.restarts);
  t.match(sup.lastError, /^exited with code 1: .*Connection refused/);
  t.match(sup.lastError, /rtsp:\/\/\*\*\*@10\.0\.0\.5/, 'stderr credentials redacted');
  t.notMatch(sup.lastError, /secret/);
  t.equal(new Set(spawns.map((s) => s.pid)).size, spawns.length, 'a new process each time');
});

t.test('the back-off climbs only on failures repeating without frames within the window', async (t) => {
  t.test('a run that delivered frames restarts at once, then at the first step, however short it was', async (t) => {
    // Default window (30 s): the old rule needed a run healthy for 30 s before it reset.
    const { sup, backoffs } = make(t, { FAKE_FFMPEG_MODE: 'crash', FAKE_FFMPEG_CRASH_AFTER_MS: '300' }, { backoffMs: [50, 100, 200] });
    const third = once(sup, 'backoff', 30_000, () => backoffs.length >= 3);
    sup.start();
    await third;
    t.same(
      backoffs.slice(0, 3).map((b) => b.delayMs),
      [0, 50, 50],
    );
  });
  t.test('failures without frames further apart than the window start over', async (t) => {
    const { sup, backoffs } = make(t, { FAKE_FFMPEG_MODE: 'refuse' }, { backoffMs: [50, 100, 200], repeatWindowMs: 0 });
    const third = once(sup, 'backoff', 30_000, () => backoffs.length >= 3);
    sup.start();
    await third;
    t.same(
      backoffs.slice(0, 3).map((b) => b.delayMs),
      [50, 50, 50],
    );
  });
  t.test('failures without frames within the window climb', async (t) => {
    const { sup, backoffs } = make(t, { FAKE_FFMPEG_MODE: 'refuse' }, { backoffMs: [50, 100, 200], repeatWindowMs: 60_000 });
    const third = once(sup, 'backoff', 30_000, () => backoffs.length >= 3);
    sup.start();
    await third;
    t.same(
      backoffs.slice(0, 3).map((b) => b.delayMs),
      [50, 100, 200],
    );
  });
});

t.test('restart() stops the child and spawns again at once, without a back-off step', async (t) => {
  const { sup, exits, backoffs, spawns } = make(t, { FAKE_FFMPEG_MODE: 'run' }, { backoffMs: [5000] });
  const first = once(sup, 'firstFrame', SLOW);
  sup.start();
  await first;
  const oldPid = sup.pid!;
  const exitSeen = once<ExitInfo>(sup, 'exit', SLOW);
  const before = Date.now();
  await sup.restart('camera URL changed');
  const e = await exitSeen;
  t.match(e, { reason: 'restart-requested', detail: 'camera URL changed', code: 0 });
  t.equal(backoffs.length, 0, 'no back-off step');
  t.ok(Date.now() - before < 5000, 'no 5 s back-off delay');
  t.equal(spawns.length, 2);
  t.equal(sup.generation, 2);
  t.not(sup.pid, oldPid);
  t.notOk(alive(oldPid));
  t.equal(sup.restarts, 1);
  await once(sup, 'firstFrame', SLOW);
  t.equal(sup.state, 'running');
  t.equal(sup.lastError, undefined, 'a requested restart is not an error');
  t.equal(exits.length, 1);
});

t.test('restart() during back-off spawns at once', async (t) => {
  const { sup, backoffs } = make(t, { FAKE_FFMPEG_MODE: 'crash' }, { backoffMs: [60_000] });
  const inBackoff = once(sup, 'backoff', SLOW);
  sup.start();
  await inBackoff;
  t.equal(sup.state, 'backoff');
  const spawned = once<SpawnInfo>(sup, 'spawn', SLOW);
  await sup.restart('operator');
  t.equal((await spawned).generation, 2, 'the 60 s back-off was cut short');
  t.equal(backoffs.length, 1);
});

t.test('args() that throws or rejects is a failed start with back-off', async (t) => {
  let calls = 0;
  const { sup, exits, backoffs, spawns } = make(
    t,
    { FAKE_FFMPEG_MODE: 'run' },
    {
      backoffMs: [50, 100],
      args: () => {
        calls++;
        if (calls === 1) throw new Error('push URL refresh failed: 503');
        if (calls === 2) return Promise.reject(new Error('still 503'));
        return Promise.resolve(['-progress', 'pipe:3']);
      },
    },
  );
  const first = once(sup, 'firstFrame', SLOW);
  sup.start();
  await first;
  t.equal(calls, 3);
  t.same(
    exits.map((e) => e.reason),
    ['spawn-error', 'spawn-error'],
  );
  t.match(exits[0]!.detail, /push URL refresh failed: 503/);
  t.same(
    backoffs.map((b) => b.delayMs),
    [50, 100],
  );
  t.match(sup.lastError, /could not start: args\(\): still 503/);
  t.equal(spawns.length, 1);
  t.equal(spawns[0]!.generation, 3);
});

t.test('argv without -progress pipe:3, a missing binary, a hanging args()', async (t) => {
  t.test('no -progress', async (t) => {
    const { sup } = make(t, {}, { args: () => ['-i', 'x'] });
    const e = once<ExitInfo>(sup, 'exit', SLOW);
    sup.start();
    t.match(await e, { reason: 'spawn-error', detail: /-progress pipe:3/ });
  });
  t.test('ENOENT', async (t) => {
    const { sup, spawns } = make(t, {}, { command: '/nonexistent/ffmpeg' });
    const e = once<ExitInfo>(sup, 'exit', SLOW);
    sup.start();
    t.match(await e, { reason: 'spawn-error', detail: /ENOENT/ });
    t.equal(spawns.length, 0);
    t.match(sup.lastError, /could not start: cannot run \/nonexistent\/ffmpeg/);
  });
  t.test('args() never settles', async (t) => {
    const { sup } = make(t, {}, { firstFrameMs: 300, args: () => new Promise<string[]>(() => {}) });
    const e = once<ExitInfo>(sup, 'exit', SLOW);
    sup.start();
    t.match(await e, { reason: 'spawn-error', detail: /did not settle within 300 ms/ });
    const before = Date.now();
    await sup.stop();
    t.ok(Date.now() - before < 1000, 'stop does not wait for a hanging args()');
  });
});

t.test('never two live children, whatever the order of start/restart/stop', async (t) => {
  // ignore-q makes each termination last (q then SIGTERM), widening any overlap window.
  const { sup, spawns, pidfile } = make(t, { FAKE_FFMPEG_MODE: 'ignore-q' }, { stopTimeouts: { q: 80, term: 1000 }, backoffMs: [20] });
  const violations: string[] = [];
  const spawnedPids: number[] = [];
  sup.on('spawn', (s: SpawnInfo) => {
    const others = [...spawnedPids, ...pids(pidfile)].filter((p) => p !== s.pid && alive(p));
    if (others.length > 0) violations.push(`spawned ${s.pid} while ${[...new Set(others)].join(',')} alive`);
    spawnedPids.push(s.pid);
  });
  let firstFrames = 0;
  sup.on('firstFrame', () => firstFrames++);
  let maxAlive = 0;
  const sampler = setInterval(() => {
    maxAlive = Math.max(maxAlive, spawnedPids.filter(alive).length);
  }, 5);
  t.teardown(() => clearInterval(sampler));

  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ops: Array<Promise<void>> = [];
  for (let i = 0; i < 40; i++) {
    if (i === 20) {
      // Mid-burst, a child that is really running gets caught by the rest of the burst.
      const running = once(sup, 'firstFrame', SLOW);
      sup.start();
      await running;
    }
    const r = rand();
    if (r < 0.4) sup.start();
    else if (r < 0.75) ops.push(sup.restart(`burst ${i}`));
    else ops.push(sup.stop());
    // Mostly back to back; now and then long enough for a child to reach its first frame.
    const pause = rand();
    if (pause < 0.15) await new Promise((res) => setTimeout(res, 300 + Math.floor(rand() * 300)));
    else if (pause < 0.6) await new Promise((res) => setTimeout(res, Math.floor(rand() * 40)));
  }
  sup.start();
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(ops),
    new Promise((_, rej) => (guard = setTimeout(() => rej(new Error('burst operations did not settle')), 20_000))),
  ]);
  clearTimeout(guard);
  await sup.stop();
  clearInterval(sampler);
  t.same(violations, []);
  t.ok(maxAlive <= 1, `at most one child alive at any sample (max ${maxAlive})`);
  t.ok(spawns.length >= 3, `${spawns.length} children over the burst`);
  t.ok(firstFrames >= 1, `${firstFrames} of them reached their first frame before being stopped`);
  t.same(spawnedPids.filter(alive), [], 'every spawned child is gone');
  t.same(pids(pidfile).filter(alive), [], 'none left after stop');
  t.equal(sup.state, 'stopped');
});

t.test('data in on fd 4, data out on stdout; EPIPE never throws; end of input is a graceful stop', async (t) => {
  const { sup, exits } = make(
    t,
    { FAKE_FFMPEG_MODE: 'ignore-q' },
    { dataIn: true, stdout: 'pipe', args: () => ['-i', 'pipe:4', '-progress', 'pipe:3'], stopTimeouts: { q: 8000, term: 3000 } },
  );
  const spawned = once<SpawnInfo>(sup, 'spawn', SLOW);
  sup.start();
  const s = await spawned;
  t.ok(s.dataIn && s.stdout, 'both pipes handed out');
  const stdout = s.stdout as Readable;
  const dataIn = s.dataIn as Writable;
  let echoed = '';
  stdout.on('data', (c: Buffer) => (echoed += c.toString()));
  dataIn.write('hello ');
  dataIn.write('fake ffmpeg');
  await waitFor(() => echoed === 'hello fake ffmpeg', SLOW, 'the echo');
  t.equal(echoed, 'hello fake ffmpeg');

  const before = Date.now();
  await sup.stop();
  t.ok(Date.now() - before < 8000, "ended by end of input although it ignores 'q'");
  t.match(exits[0], { reason: 'stopped', code: 0 });
  // The child is gone: writing must not throw, and the error event is handled.
  t.doesNotThrow(() => dataIn.write('late bytes'));
  await new Promise((r) => setImmediate(r));
});

t.test('children die with a SIGKILLed parent when setpriv --pdeathsig is used', async (t) => {
  const dir = tmpdir(t);
  const script = path.join(dir, 'parent.mts');
  fs.writeFileSync(
    script,
    `import { Supervisor } from ${JSON.stringify(path.join(root, 'src/protocols/ffmpeg/supervisor.ts'))};
const log = { debug() {}, info() {}, warn() {}, error() {} };
const helper = process.env.HELPER || undefined;
const sup = new Supervisor({ name: 'orphan', command: ${JSON.stringify(FAKE)}, args: () => ['-progress', 'pipe:3'],
  stallMs: 10000, firstFrameMs: 10000, backoffMs: [1000], log, ...(helper ? { deathSignalHelper: helper } : {}) });
sup.on('spawn', (i) => process.stdout.write('pid ' + i.pid + '\\n'));
sup.start();
`,
  );
  async function runParent(helper: string): Promise<{ childPid: number; parentGone: Promise<void>; kill: () => void }> {
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HELPER: helper } });
    const parentGone = new Promise<void>((r) => parent.once('exit', () => r()));
    t.teardown(() => {
      parent.kill('SIGKILL');
    });
    let out = '';
    const childPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('parent did not report a child pid')), 15_000);
      parent.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /pid (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    t.teardown(() => {
      try {
        process.kill(-childPid, 'SIGKILL');
      } catch {
        // gone
      }
    });
    return { childPid, parentGone, kill: () => parent.kill('SIGKILL') };
  }

  const withHelper = await runParent(SETPRIV);
  t.ok(alive(withHelper.childPid), 'child running under setpriv (same pid: setpriv execs)');
  withHelper.kill();
  await withHelper.parentGone;
  await waitFor(() => !alive(withHelper.childPid), 5000, 'the child of the killed parent to die');
  t.pass('child died with its parent');

  // Control: without the helper the same child outlives its parent, so the test above can fail.
  const without = await runParent('');
  without.kill();
  await without.parentGone;
  const deadline = Date.now() + 500;
  let survived = true;
  while (Date.now() < deadline) {
    if (!alive(without.childPid)) survived = false;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(survived, 'without --pdeathsig the child is orphaned (killed by teardown)');
});

t.test('real ffmpeg: reaches running with rising frames, stop() via q ends it', async (t) => {
  const log = memLogger();
  const sup = new Supervisor({
    name: 'real',
    command: FFMPEG,
    args: () => [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostats',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=352x288:rate=25',
      '-t',
      '10',
      '-progress',
      'pipe:3',
      '-stats_period',
      '0.5',
      '-f',
      'null',
      '-',
    ],
    stallMs: SLOW,
    firstFrameMs: SLOW,
    stopTimeouts: { q: 5000, term: 3000 },
    backoffMs: [1000],
    log,
  });
  t.teardown(() => sup.stop());
  const frames: number[] = [];
  sup.on('progress', (p: ProgressUpdate) => frames.push(p.frame));
  const exits: ExitInfo[] = [];
  sup.on('exit', (e: ExitInfo) => exits.push(e));
  const first = once<number>(sup, 'firstFrame', SLOW);
  sup.start();
  const ms = await first;
  t.equal(sup.state, 'running');
  t.ok(ms > 0, `first frame after ${ms} ms`);
  await once<ProgressUpdate>(sup, 'progress', SLOW, () => frames.length >= 3);
  t.ok(frames[2]! > frames[0]!, `frames rise: ${frames.slice(0, 3).join(' → ')}`);
  t.ok(sup.lastProgress!.outTimeUs! > 0);
  const pid = sup.pid!;
  const before = Date.now();
  await sup.stop();
  const took = Date.now() - before;
  t.ok(took < 5000, `ended in ${took} ms`);
  t.match(exits[0], { reason: 'stopped', code: 0, signal: null }, "code 0: by 'q' (SIGTERM gives 255)");
  t.notOk(alive(pid));
});
