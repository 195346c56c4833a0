import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../../src/log.js';
import { ClockSync } from '../../../src/modules/cameras/clockSync.js';
import { CameraService } from '../../../src/modules/cameras/service.js';
import { sampleCameraEntry } from '../../../src/sim/sampleCamera.js';
import { startOnvifCamera, type OnvifCamera, type OnvifCameraOptions } from '../../../src/sim/onvif/index.js';
import { freePort } from '../../../src/sim/ports.js';
import { CameraClockStore } from '../../../src/store/cameraClock.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../../helpers/cli.js';
import { until } from '../../helpers/media.js';

const TOLERANCE_MS = 2000;

function setup(t: Test): { dir: string; dataDir: string; db: Db; svc: CameraService; clock: CameraClockStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-clock-'));
  const dataDir = path.join(dir, 'data');
  const db = openDb(dataDir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, dataDir, db, svc: new CameraService({ db }), clock: new CameraClockStore(db) };
}

async function sim(t: Test, o: OnvifCameraOptions): Promise<OnvifCamera> {
  const cam = await startOnvifCamera({ user: 'admin', password: 'secret', ...o });
  t.teardown(() => cam.close());
  return cam;
}

function addCamera(svc: CameraService, i: number, onvif: { url: string; password?: string }): string {
  const cam = svc.add(sampleCameraEntry(i, { onvifUrl: onvif.url, onvifUser: 'admin', onvifPassword: onvif.password ?? 'secret' }), 'cli');
  return cam.record.cameraNum;
}

function clockSync(t: Test, s: ReturnType<typeof setup>, o: { intervalMs?: number; reconcileMs?: number } = {}): ClockSync {
  const sync = new ClockSync({
    cameras: s.svc.cameras,
    clock: s.clock,
    intervalMs: o.intervalMs ?? 3_600_000,
    reconcileMs: o.reconcileMs,
    timeoutMs: 2000,
    log: silentLogger(),
  });
  t.teardown(() => sync.stop());
  return sync;
}

const near = (actual: number | null | undefined, expected: number): boolean => actual != null && Math.abs(actual - expected) <= TOLERANCE_MS;

t.test('syncAll sets every ONVIF clock, records drift and failures, and cameras show reports them', async (t) => {
  const s = setup(t);
  const ahead = await sim(t, { clockOffsetMs: 90_000, timeZone: 'UTC0' });
  const behind = await sim(t, { clockOffsetMs: -30_000 });
  const locked = await sim(t, { clockOffsetMs: 45_000 });
  const closedPort = await freePort();
  const aheadNum = addCamera(s.svc, 1, { url: ahead.url });
  const behindNum = addCamera(s.svc, 2, { url: behind.url });
  const lockedNum = addCamera(s.svc, 3, { url: locked.url, password: 'wrong' });
  const goneNum = addCamera(s.svc, 4, { url: `http://127.0.0.1:${closedPort}/onvif/device_service` });
  const noOnvif = s.svc.add(sampleCameraEntry(5), 'cli');

  const before = Date.now();
  const results = await clockSync(t, s).syncAll();
  t.equal(results.length, 4, 'only cameras with an ONVIF address are tried');

  for (const [name, cam, num, drift] of [['ahead', ahead, aheadNum, 90_000], ['behind', behind, behindNum, -30_000]] as const) {
    t.ok(near(cam.clockOffsetMs, 0), `${name}: simulator clock now off by ${cam.clockOffsetMs} ms`);
    t.equal(cam.timeZone, 'CST-8', `${name}: Beijing time zone set`);
    const set = cam.calls().find((c) => c.action === 'SetSystemDateAndTime' && c.ok);
    t.match(set?.body, { DateTimeType: 'Manual', TimeZone: { TZ: 'CST-8' } }, `${name}: SetSystemDateAndTime sent`);
    const row = s.clock.get(num);
    t.ok(near(row?.driftMs, drift), `${name}: drift recorded ${row?.driftMs} ms, expected ${drift}`);
    t.equal(row?.error, null);
    t.ok(row !== undefined && row.syncedAt !== null && row.syncedAt >= before);
  }

  t.equal(locked.clockOffsetMs, 45_000, 'a camera refusing the password keeps its clock');
  t.notOk(locked.calls().some((c) => c.action === 'SetSystemDateAndTime' && c.ok));
  const lockedRow = s.clock.get(lockedNum);
  t.match(lockedRow, { syncedAt: null, driftMs: null, error: /\(auth\)$/ }, `wrong password: ${lockedRow?.error}`);
  const goneRow = s.clock.get(goneNum);
  t.match(goneRow, { syncedAt: null, error: new RegExp(`127\\.0\\.0\\.1:${closedPort}.*\\(unreachable\\)$`) }, `closed port: ${goneRow?.error}`);
  t.equal(s.clock.get(noOnvif.record.cameraNum), undefined);

  // A later failure keeps the last good sync beside the new error.
  await ahead.close();
  await clockSync(t, s).syncOne(s.svc.get('cam-1'));
  t.match(s.clock.get(aheadNum), { driftMs: Number, error: /\(unreachable\)$/ });

  const run = cliRunner(writeMinimalConfig(s.dir, [], s.dataDir));
  const show = async (...args: string[]) => {
    const r = await run('cameras', 'show', ...args);
    t.equal(r.code, 0, r.err);
    return r.out;
  };
  t.match(await show('cam-2'), /^clock +synced \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\), drift before -(29|30|31)\.\d s$/m);
  t.match(await show('cam-1'), /^clock +last attempt .* failed: .*\(unreachable\); last synced .*, drift before \+(89|90|91)\.\d s$/m);
  t.match(await show('cam-3'), /^clock +last attempt .* failed: .*\(auth\)$/m);
  t.match(await show('cam-5'), /^clock +never synced \(no ONVIF address\)$/m);
  const json = JSON.parse(await show('cam-2', '--json')) as { clock: { state: string; driftMs: number; error: null } };
  t.match(json.clock, { state: 'synced', error: null });
  t.ok(near(json.clock.driftMs, -30_000), JSON.stringify(json.clock));
});

t.test('a camera registered after start is synced by the reconcile', async (t) => {
  const s = setup(t);
  const first = await sim(t, { clockOffsetMs: 10_000 });
  const firstNum = addCamera(s.svc, 1, { url: first.url });
  const sync = clockSync(t, s, { reconcileMs: 100 });
  sync.start();
  await until('the start-up sync', () => s.clock.get(firstNum) !== undefined, 10_000);

  const late = await sim(t, { clockOffsetMs: -120_000 });
  const lateNum = addCamera(s.svc, 2, { url: late.url });
  await until('the new camera to be synced', () => s.clock.get(lateNum) !== undefined, 10_000);
  t.ok(near(s.clock.get(lateNum)?.driftMs, -120_000), `drift ${s.clock.get(lateNum)?.driftMs}`);
  t.ok(near(late.clockOffsetMs, 0));
  const setCalls = () => first.calls().filter((c) => c.action === 'SetSystemDateAndTime').length;
  t.equal(setCalls(), 1, 'the reconcile leaves cameras already synced alone');

  // A changed ONVIF address counts as a new registration.
  const moved = await sim(t, { clockOffsetMs: 5_000 });
  s.svc.edit('cam-1', { onvifUrl: moved.url });
  await until('the re-addressed camera to be synced', () => moved.calls().some((c) => c.action === 'SetSystemDateAndTime' && c.ok), 10_000);
  await until('its drift to be stored', () => near(s.clock.get(firstNum)?.driftMs, 5_000), 5000);
  t.ok(near(moved.clockOffsetMs, 0), `re-addressed camera off by ${moved.clockOffsetMs} ms`);
  await sync.stop();
  const calls = moved.calls().length;
  s.svc.add(sampleCameraEntry(3, { onvifUrl: moved.url, onvifUser: 'admin', onvifPassword: 'secret' }), 'cli');
  // An absence can only be shown over a window: three reconcile periods.
  await new Promise((r) => setTimeout(r, 300));
  t.equal(moved.calls().length, calls, 'no sync after stop');
});
