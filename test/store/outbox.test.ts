// OutboxStore: the durable queue of reports to the uplinks (coalescing is in db.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { silentLogger } from '../../src/log.js';
import { OutboxDispatcher } from '../../src/modules/uplinks/province/outboxDispatcher.js';
import { CameraStore } from '../../src/store/cameras.js';
import { DB_FILE, openDb } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { tempDb } from './helpers.js';

t.test('a failed row waits out its back-off, counts as failing, and is due again after resumeNow', async (t) => {
  const outbox = new OutboxStore(tempDb(t));
  outbox.enqueue('camera.status', { n: 1 }, undefined, 100);
  outbox.enqueue('camera.status', { n: 2 }, undefined, 110);
  const [first, second] = outbox.due('camera.status', 10, 200);
  t.same([first?.payload, second?.payload], [{ n: 1 }, { n: 2 }], 'oldest first');
  outbox.failed([first!], 'province unreachable', (attempts) => attempts * 1000, 200);
  t.same(outbox.due('camera.status', 10, 300).map((i) => i.payload), [{ n: 2 }], 'the failed row waits');
  t.same(outbox.counts(), { pending: 2, delivered: 0, failing: 1 });
  t.equal(outbox.nextDueAt(), 110);
  t.equal(outbox.resumeNow(300), 1, 'one row was waiting');
  const again = outbox.due('camera.status', 10, 300);
  t.same([again[0]?.attempts, again[0]?.lastError], [1, 'province unreachable']);
});

t.test('delivered rows leave the pending set and are pruned after the kept age', async (t) => {
  const outbox = new OutboxStore(tempDb(t));
  outbox.enqueue('camera.status', { n: 1 }, undefined, 100);
  outbox.enqueue('snapshot', { n: 2 }, undefined, 100);
  outbox.delivered(outbox.due('camera.status', 10, 100), 1000);
  t.same(outbox.counts(), { pending: 1, delivered: 1, failing: 0 });
  t.equal(outbox.oldestPending(['camera.status', 'snapshot'])?.kind, 'snapshot', 'the first kind with a pending row');
  t.equal(outbox.oldestPendingAt(), 100);
  t.same(outbox.list({ pending: true }).map((i) => i.kind), ['snapshot']);
  t.equal(outbox.pruneDelivered(500, 1400), 0, 'delivered 400 ms ago: kept');
  t.equal(outbox.pruneDelivered(500, 1600), 1, 'delivered 600 ms ago: pruned');
  t.equal(outbox.list().length, 1);
});

t.test('each row names its destination; the province dispatcher claims only the province rows', async (t) => {
  const db = tempDb(t);
  const outbox = new OutboxStore(db);
  outbox.enqueue('snapshot', { n: 1 }, undefined, 100);
  outbox.enqueue('snapshot', { n: 2 }, undefined, 100, 'upper:platform-a');
  outbox.enqueue('camera.status', { n: 3 }, 'camera.status:x', 100, 'upper:platform-a');
  outbox.enqueue('camera.status', { n: 4 }, 'camera.status:x', 100);
  t.same(
    outbox.list().map((i) => [i.kind, i.destination, i.payload]).reverse(),
    [
      ['snapshot', 'province', { n: 1 }],
      ['snapshot', 'upper:platform-a', { n: 2 }],
      ['camera.status', 'upper:platform-a', { n: 3 }],
      ['camera.status', 'province', { n: 4 }],
    ],
    'the default is the kind destination; one coalesce key keeps one pending row per destination',
  );
  t.same(outbox.due('snapshot', 10, 200, 'upper:platform-a').map((i) => i.payload), [{ n: 2 }], 'the other uplink claims its own row');

  const paths: string[] = [];
  const bodies: unknown[] = [];
  const dispatcher = new OutboxDispatcher({
    outbox,
    cameras: new CameraStore(db),
    call: async (path, body) => {
      paths.push(path);
      bodies.push(body);
      return { code: 200, msg: 'ok' };
    },
    backoffS: [1],
    batchMax: 100,
    analyseKey: 'k',
    orgId: 'o',
    probeMs: 1000,
    now: () => 200,
    log: silentLogger(),
  });
  t.same(await dispatcher.drain(), { sent: 2, failed: 0 }, 'both province rows done (its status row names an unknown camera: dropped, not sent)');
  t.same(paths, ['/service/video.ReportSnapshot'], 'one call to the province');
  t.same(bodies, [[{ n: 1 }]], 'carrying the province row only');
  t.same(
    outbox.list({ pending: true }).map((i) => [i.destination, i.payload]).reverse(),
    [
      ['upper:platform-a', { n: 2 }],
      ['upper:platform-a', { n: 3 }],
    ],
    'the other destination rows are still pending, untouched',
  );
  outbox.failed(outbox.due('snapshot', 10, 200, 'upper:platform-a'), 'down', () => 5000, 200);
  t.equal(outbox.nextDueAt('province'), undefined, 'nothing pending for the province');
  t.equal(outbox.resumeNow(300, 'province'), 0, 'resuming the province does not touch the other uplink rows');
});

t.test('a row queued before destinations existed migrates as a province row', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN destination'));
  const old = new Database(path.join(dir, DB_FILE));
  for (const m of MIGRATIONS.slice(0, before)) old.exec(m);
  old.pragma(`user_version = ${before}`);
  old.prepare('INSERT INTO outbox (kind, coalesce_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)').run('camera.status', 'camera.status:x', '{"n":1}', 100, 100);
  old.close();

  const db = openDb(dir);
  t.teardown(() => db.close());
  const outbox = new OutboxStore(db);
  t.same(outbox.due('camera.status', 10, 200, 'province').map((i) => [i.destination, i.payload]), [['province', { n: 1 }]], 'the old row is the province one');
  outbox.enqueue('camera.status', { n: 2 }, 'camera.status:x', 150);
  t.same(outbox.list({ pending: true }).map((i) => i.payload), [{ n: 2 }], 'and still coalesces with new province rows');
});
