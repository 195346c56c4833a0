// The ONVIF benchmark of issue 4: prints figures (no assertions). `npm run bench:onvif`
// Options: --cameras N (default 50), --rounds N (discovery probes, default 10), --calls N (warm PTZ calls, default 100),
// --pulse MS (ptz.pulse_ms, default the config default).
// Everything runs in this one Node process on loopback: the simulated cameras share its event loop with the
// gateway code under test, so the figures are upper bounds of what the gateway alone needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { configSchema } from '../src/config/schema/index.js';
import { silentLogger } from '../src/log.js';
import { PtzService } from '../src/modules/ptz/controller.js';
import { OnvifPtzDriver } from '../src/modules/ptz/onvifDriver.js';
import { connectOnvif, probe, WS_DISCOVERY_GROUP } from '../src/protocols/onvif/index.js';
import { startDiscoveryResponder, startOnvifCamera, type DiscoveryResponder, type OnvifCamera } from '../src/sim/onvif/index.js';
import { sampleCameraEntry, sampleCameraRecordFields } from '../src/sim/sampleCamera.js';
import { CameraStore } from '../src/store/cameras.js';
import { openDb } from '../src/store/db.js';
import { PtzHoldStore } from '../src/store/ptzHolds.js';
import { PtzLogStore } from '../src/store/ptzLog.js';
import type { CameraRecord } from '../src/domain/camera.js';
import { installSignalHandlers, onCleanup, runBenchmark } from './lib/children.js';
import { machineLine, machineMeta } from './lib/proc.js';
import { fmt, max, median, table } from './lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

function parseArgs(argv: string[]): { cameras: number; rounds: number; calls: number; pulseMs: number } {
  const num = (flag: string, dflt: number, min = 1) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isInteger(v) || v < min) throw new Error(`${flag} needs a whole number ≥ ${min}`);
    return v;
  };
  const defaults = configSchema.shape.ptz.parse(undefined);
  return { cameras: num('--cameras', 50), rounds: num('--rounds', 10), calls: num('--calls', 100), pulseMs: num('--pulse', defaults.pulse_ms, 100) };
}

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Dist {
  n: number;
  medianMs: number;
  p95Ms: number;
  worstMs: number;
}

const dist = (xs: readonly number[]): Dist => ({ n: xs.length, medianMs: r1(median(xs)), p95Ms: r1(percentile(xs, 95)), worstMs: r1(max(xs)) });
const r1 = (x: number): number => Math.round(x * 10) / 10;

interface Results {
  meta: Record<string, unknown>;
  discovery: Dist & { found: number[]; probeWindowMs: number };
  details: { concurrentWallMs: number; perCamera: Dist; sequentialWallMs: number; perCameraSequential: Dist };
  ptz: { cold: Dist; warmStart: Dist; warmFullPulse: Dist; pulseMs: number };
}

async function startFleet(n: number): Promise<{ cams: OnvifCamera[]; responders: DiscoveryResponder[] }> {
  const cams: OnvifCamera[] = [];
  const responders: DiscoveryResponder[] = [];
  onCleanup(async () => {
    await Promise.all([...cams.map((c) => c.close()), ...responders.map((r) => r.close())]);
  });
  for (let i = 0; i < n; i++) {
    cams.push(
      await startOnvifCamera({
        password: 'secret',
        ptz: true,
        serial: `SIM${String(i + 1).padStart(6, '0')}`,
        mac: `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
      }),
    );
    // A private port, not 3702: a technician's `vcgw sim camera` on the same box must not answer our probes.
    const port = responders[0]?.port ?? 0;
    responders.push(await startDiscoveryResponder({ port, xaddrs: [cams[i]!.url], scopes: { name: `bench-camera-${i + 1}` } }));
  }
  const joined = responders.filter((r) => r.multicastJoined).length;
  if (joined !== n) throw new Error(`only ${joined} of ${n} responders joined ${WS_DISCOVERY_GROUP} on 127.0.0.1`);
  return { cams, responders };
}

/** One multicast Probe; the time until the n-th distinct device answered. */
async function discoveryRound(port: number, n: number, windowMs: number): Promise<{ ms: number; found: number }> {
  const seen = new Set<string>();
  let allAt = NaN;
  const t0 = performance.now();
  const found = await probe({
    address: WS_DISCOVERY_GROUP,
    port,
    interface: '127.0.0.1',
    timeoutMs: windowMs,
    onFound: (c) => {
      seen.add(c.endpoint);
      if (seen.size === n && Number.isNaN(allAt)) allAt = performance.now() - t0;
    },
  });
  return { ms: allAt, found: found.length };
}

/** What `vcgw cameras add --onvif` reads first: connect (clock, services, profiles, sources) + device info + profiles. */
async function readDetails(cam: OnvifCamera): Promise<number> {
  const t0 = performance.now();
  const dev = await connectOnvif({ url: cam.url, user: 'admin', password: 'secret', timeoutMs: 5000 });
  await dev.info();
  await dev.profiles();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  installSignalHandlers();
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const machine = machineMeta();
  const meta: Record<string, unknown> = {
    ...machine,
    options: o,
  };
  say('vcgw ONVIF benchmark (issue 4)');
  say(machineLine(machine));
  say(`  ${o.cameras} simulated PTZ cameras (ONVIF over HTTP + WS-Discovery responders, no RTSP) in this process, on loopback`);
  say('');

  const { cams, responders } = await startFleet(o.cameras);
  const port = responders[0]!.port;

  say(`discovery: ${o.rounds} multicast probes…`);
  const windowMs = 2000;
  const rounds: Array<{ ms: number; found: number }> = [];
  for (let i = 0; i < o.rounds; i++) rounds.push(await discoveryRound(port, o.cameras, windowMs));
  const complete = rounds.filter((r) => Number.isFinite(r.ms)).map((r) => r.ms);
  if (complete.length < rounds.length) say(`  ${rounds.length - complete.length} probe(s) did not find all ${o.cameras} within ${windowMs} ms`);

  say('details: connect + info + profiles of every camera…');
  await readDetails(cams[0]!); // warm-up: module loading and JIT are not what a registration costs
  const c0 = performance.now();
  const concurrent = await Promise.all(cams.map((c) => readDetails(c)));
  const concurrentWallMs = performance.now() - c0;
  const s0 = performance.now();
  const sequential: number[] = [];
  for (const c of cams) sequential.push(await readDetails(c));
  const sequentialWallMs = performance.now() - s0;

  say(`PTZ: ${o.cameras} cold calls (connect included), then ${o.calls} warm calls, pulse ${o.pulseMs} ms…`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-onvif-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  onCleanup(() => void db.close());
  const cameras = new CameraStore(db);
  const stored = cams.map((c, i) => {
    const record = { ...sampleCameraRecordFields(i + 1), cameraNum: crypto.randomUUID() } as unknown as CameraRecord;
    const id = String(sampleCameraEntry(i + 1)['id']);
    cameras.put({ id, record, access: { onvifUrl: c.url, onvifUser: 'admin', onvifPassword: 'secret' }, source: 'cli' });
    return cameras.find(id)!;
  });
  const driver = new OnvifPtzDriver({ pulseMs: o.pulseMs });
  onCleanup(() => driver.close());
  const ptz = new PtzService({ cameras, ptzLog: new PtzLogStore(db), holds: new PtzHoldStore(db), log: silentLogger(), driverFor: driver.driverFor });
  const call = async (i: number, k: number): Promise<{ start: number; full: number }> => {
    const cam = stored[i % stored.length]!;
    const t0 = performance.now();
    const out = await ptz.control({ kind: 'province' }, cam.record.cameraNum, (['left', 'right', 'up', 'down', 'zoom-wide', 'zoom-tele'] as const)[k % 6]!, 1 + (k % 8));
    const start = performance.now() - t0;
    if (out.code !== 200) throw new Error(`PTZ call ${k} answered ${out.code} ${out.msg}`);
    await driver.settled(cam);
    return { start, full: performance.now() - t0 };
  };
  const cold: number[] = [];
  for (let i = 0; i < stored.length; i++) cold.push((await call(i, i)).start);
  const warmStart: number[] = [];
  const warmFull: number[] = [];
  for (let k = 0; k < o.calls; k++) {
    const r = await call(k, k + 1);
    warmStart.push(r.start);
    warmFull.push(r.full);
  }
  const stillMoving = cams.filter((c) => { const v = c.ptz()!.velocity; return v.x !== 0 || v.y !== 0 || v.zoom !== 0; }).length;
  if (stillMoving) throw new Error(`${stillMoving} cameras still moving after every pulse settled`);

  meta['durationS'] = Math.round((Date.now() - started) / 1000);
  meta['loadavgAtEnd'] = os.loadavg().map((x) => Number(x.toFixed(2)));
  const results: Results = {
    meta,
    discovery: { ...dist(complete), found: rounds.map((r) => r.found), probeWindowMs: windowMs },
    details: { concurrentWallMs: r1(concurrentWallMs), perCamera: dist(concurrent), sequentialWallMs: r1(sequentialWallMs), perCameraSequential: dist(sequential) },
    ptz: { cold: dist(cold), warmStart: dist(warmStart), warmFullPulse: dist(warmFull), pulseMs: o.pulseMs },
  };

  say('');
  say('=== Results ===');
  const ms = (d: Dist) => [fmt(d.medianMs, 1), fmt(d.p95Ms, 1), fmt(d.worstMs, 1)];
  say(
    table([
      ['what', 'n', 'median ms', 'p95 ms', 'worst ms'],
      [`one WS-Discovery probe finds all ${o.cameras}`, String(results.discovery.n), ...ms(results.discovery)],
      [`details, one camera, ${o.cameras} at once`, String(o.cameras), ...ms(results.details.perCamera)],
      ['details, one camera, one at a time', String(o.cameras), ...ms(results.details.perCameraSequential)],
      ['PTZ call, cold (connect + GetProfiles + move)', String(results.ptz.cold.n), ...ms(results.ptz.cold)],
      ['PTZ call, warm: answer (move started)', String(results.ptz.warmStart.n), ...ms(results.ptz.warmStart)],
      [`PTZ call, warm: full pulse (${o.pulseMs} ms + Stop answered)`, String(results.ptz.warmFullPulse.n), ...ms(results.ptz.warmFullPulse)],
    ]),
  );
  say(`  details of all ${o.cameras}: ${fmt(results.details.concurrentWallMs, 0)} ms wall at once, ${fmt(results.details.sequentialWallMs, 0)} ms one at a time`);
  say('  details = connect (GetSystemDateAndTime, GetServices, GetProfiles, GetVideoSources) + GetDeviceInformation + GetProfiles');
  say('  PTZ latency is PtzService.control() (what the province waits for), through OnvifPtzDriver to the simulator over HTTP');
  say('  the simulators answer probes at once; real cameras wait a random 0–500 ms (WS-Discovery APP_MAX_DELAY) before answering');
  say(`Run took ${String(meta['durationS'])} s; load average at end ${(meta['loadavgAtEnd'] as number[]).join(' ')}.`);

  const out = path.join(ROOT, 'bench/results');
  fs.mkdirSync(out, { recursive: true });
  const base = path.join(out, `onvif-${new Date().toISOString().slice(0, 10)}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(`${base}.txt`, `${lines.join('\n')}\n`);
  say(`written to ${path.relative(ROOT, base)}.json and .txt`);
}

await runBenchmark(main);
