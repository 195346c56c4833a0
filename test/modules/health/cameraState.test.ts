// ReportCameraStatus at every start (issue 15): the first state decided for each camera in a run
// is queued even when it equals the one stored by the previous run; later equal states are not.
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { CameraHealth } from '../../../src/modules/health/cameraHealth.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { addCamera, tempDir } from '../snapshots/helpers.js';
import { fillDatabase } from '../../helpers/fullDb.js';
import { ONLINE } from '../../../src/domain/online.js';

t.test('every camera is reported once at every start, through the outbox, even when nothing changed', async (t) => {
  const dir = tempDir(t, 'vcgw-state-');
  let db = openDb(dir);
  const statusRows = () => new OutboxStore(db).list({ kind: 'camera.status', limit: 1000 });
  const cameras = new CameraStore(db);
  const nums = [addCamera(cameras, 1), addCamera(cameras, 2)].map((c) => c.record.cameraNum);

  /** One run of the daemon's state wiring on the same data dir. */
  const run = () => {
    const outbox = new OutboxStore(db);
    const tracker = new CameraStateTracker({ db, cameras: new CameraStore(db), outbox, fullIntervalMs: 3_600_000, log: silentLogger() });
    return { outbox, health: new CameraHealth(tracker) };
  };

  const first = run();
  for (const n of nums) first.health.setReachable(n, true, 'reachable');
  t.equal(statusRows().length, 2, 'first run: each camera queued once');
  const delivered = first.outbox.list({ pending: true, kind: 'camera.status' });
  first.outbox.delivered(delivered);
  for (const n of nums) first.health.setReachable(n, true, 'reachable');
  t.equal(first.outbox.counts().pending, 0, 'the same state again in the same run: nothing queued');

  // Power cut: the process is gone, the database stays; nothing changed at the cameras.
  db.close();
  db = openDb(dir);
  t.teardown(() => db.close());
  const second = run();
  for (const n of nums) second.health.setReachable(n, true, 'reachable');
  const pending = second.outbox.list({ pending: true, kind: 'camera.status' });
  t.same(
    pending.map((r) => r.payload).sort((a, b) => String((a as { cameraNum: string }).cameraNum).localeCompare((b as { cameraNum: string }).cameraNum)),
    [...nums].sort().map((cameraNum) => ({ cameraNum, online: 1 })),
    'after the restart every camera is queued again with its state',
  );
  for (const n of nums) second.health.setReachable(n, true, 'reachable');
  t.equal(second.outbox.list({ pending: true, kind: 'camera.status' }).length, 2, 'and only once (coalesced per camera)');
});

t.test('a full database (data disk full): states and full reports are kept to try again, nothing thrown', async (t) => {
  const db = openDb(tempDir(t, 'vcgw-state-'));
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const num = addCamera(cameras, 1).record.cameraNum;
  const outbox = new OutboxStore(db);
  const tracker = new CameraStateTracker({ db, cameras, outbox, fullIntervalMs: 3_600_000, log: silentLogger() });
  const roomAgain = fillDatabase(db);
  t.equal(tracker.set(num, ONLINE.online, 'reachable'), false, 'full: not recorded');
  t.doesNotThrow(() => tracker.reportAll(), 'full: the full report does not throw');
  t.equal(tracker.get(num), undefined, 'nothing stored');
  t.equal(outbox.counts().pending, 0, 'nothing queued');
  roomAgain();
  t.equal(tracker.set(num, ONLINE.online, 'reachable'), true, 'room again: the same state is recorded and queued');
  t.equal(tracker.get(num)?.online, ONLINE.online);
  t.same(outbox.list({ pending: true, kind: 'camera.status' }).map((r) => r.payload), [{ cameraNum: num, online: ONLINE.online }]);
});
