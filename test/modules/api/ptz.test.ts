// PtzService and PtzLogStore: priority, hasControl, driver errors, the audit log (CONTRACT §4, §6.3).
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import type { PtzAction } from '../../../src/domain/ptz.js';
import { PtzService, type PtzDriver } from '../../../src/modules/ptz/controller.js';
import { beijingDateTime as beijingTime } from '../../../src/protocols/province/reports.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { addCamera, tempDir } from './helpers.js';

function setup(t: { teardown(fn: () => unknown): void }, driver: PtzDriver | undefined, extra: { driverTimeoutMs?: number } = {}) {
  const db = openDb(tempDir(t, 'vcgw-ptz-'));
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const ptzLog = new PtzLogStore(db);
  const clock = { now: Date.UTC(2024, 4, 1, 2, 0, 0) };
  const ptz = new PtzService({
    cameras,
    ptzLog,
    holds: new PtzHoldStore(db),
    log: silentLogger(),
    ...(driver && { driverFor: () => driver }),
    holdMs: 60_000,
    now: () => clock.now,
    ...extra,
  });
  return { cameras, ptzLog, ptz, clock };
}

t.test('local hold outranks the province; hasControl binds only the province', async (t) => {
  const moves: string[] = [];
  const s = setup(t, { move: async (cam, action, step) => void moves.push(`${cam.record.cameraName} ${action} ${step}`) });
  const dome = addCamera(s.cameras, { cameraName: 'dome' });
  const fixed = addCamera(s.cameras, { cameraName: 'fixed', hasControl: 0 });

  t.same(await s.ptz.control({ kind: 'local', user: 'li' }, dome.cameraNum, 'zoom-wide', 2), { code: 200, msg: '成功' });
  t.same(s.ptz.holdOf(dome.cameraNum), { user: 'li', until: s.clock.now + 60_000 });
  t.same(await s.ptz.control({ kind: 'province' }, dome.cameraNum, 'left', 1), {
    code: 403,
    msg: 'dome is held by local operator li until 2024-05-01 10:01:00 (Beijing time)',
  });
  s.clock.now += 60_000;
  t.equal(s.ptz.holdOf(dome.cameraNum), undefined);
  t.equal((await s.ptz.control({ kind: 'province' }, dome.cameraNum, 'left', 1)).code, 200);

  t.same(await s.ptz.control({ kind: 'province' }, fixed.cameraNum, 'left', 1), { code: 403, msg: 'PTZ not allowed for this camera (hasControl=0)' });
  t.equal((await s.ptz.control({ kind: 'local', user: 'li' }, fixed.cameraNum, 'left', 1)).code, 200, 'the section may still move it');
  t.same(moves, ['dome zoom-wide 2', 'dome left 1', 'fixed left 1']);
});

t.test('errors are outcomes, and every attempt is logged', async (t) => {
  const s = setup(t, { move: () => new Promise<void>(() => undefined) }, { driverTimeoutMs: 50 });
  const cam = addCamera(s.cameras);
  t.same(await s.ptz.control({ kind: 'province' }, cam.cameraNum, 'up', 1), { code: 500, msg: 'PTZ failed: camera did not answer within 50 ms' });
  t.match(await s.ptz.control({ kind: 'province' }, 'aef89ecc-4cc6-4a6d-80fd-283196105b0b', 'up', 1), { code: 404 });
  t.match(await s.ptz.control({ kind: 'province' }, cam.cameraNum, 'spin' as PtzAction, 1), { code: 400, msg: 'action: must be 1–12' });
  t.match(await s.ptz.control({ kind: 'province' }, cam.cameraNum, 'left', 9), { code: 400, msg: 'step: must be 1–8' });

  const none = setup(t, undefined);
  const c2 = addCamera(none.cameras);
  t.same(await none.ptz.control({ kind: 'province' }, c2.cameraNum, 'left', 1), { code: 500, msg: 'no PTZ driver for this camera: it has no ONVIF address (onvifUrl)' });

  const rows = s.ptzLog.query();
  t.same(rows.map((r) => r.code), [400, 400, 404, 500]);
  t.ok(rows.every((r) => r.actor === 'province' && r.at === s.clock.now));
  t.ok(rows[3]!.latencyMs >= 45, `latency recorded (${rows[3]!.latencyMs} ms)`);
  t.equal(rows[3]!.message, 'PTZ failed: camera did not answer within 50 ms');
});

t.test('PtzLogStore query and prune', async (t) => {
  const s = setup(t, undefined);
  const base = 1_700_000_000_000;
  const entry = (at: number, cameraNum: string) => ({ at, cameraNum, actor: 'province', action: 1, step: 1, code: 200, message: 'ok', latencyMs: 3.6 });
  s.ptzLog.append(entry(base, 'a'));
  s.ptzLog.append(entry(base + 1000, 'b'));
  s.ptzLog.append(entry(base + 2000, 'a'));
  t.same(s.ptzLog.query({ cameraNum: 'a' }).map((r) => r.at), [base + 2000, base]);
  t.same(s.ptzLog.query({ since: base + 1000 }).map((r) => r.cameraNum), ['a', 'b']);
  t.equal(s.ptzLog.query({ limit: 1 }).length, 1);
  t.equal(s.ptzLog.query()[0]!.latencyMs, 4);
  t.equal(s.ptzLog.prune(1500, base + 2000), 1, 'older than 1.5 s');
  t.same(s.ptzLog.query().map((r) => r.at), [base + 2000, base + 1000]);
});

t.test('beijingTime', async (t) => {
  t.equal(beijingTime(Date.UTC(2023, 8, 20, 1, 20, 23)), '2023-09-20 09:20:23');
});
