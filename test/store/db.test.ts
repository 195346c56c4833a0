import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openDb } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { OutboxStore } from '../../src/store/outbox.js';

t.test('migrations run once and WAL is on', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-db-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  t.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const again = openDb(dir);
  t.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
  again.close();
});

t.test('outbox coalesces by key and keeps a payload replaced in flight', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-db-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  const outbox = new OutboxStore(db);
  outbox.enqueue('camera.status', { online: 1 }, 'status:a', 1000);
  outbox.enqueue('camera.status', { online: 0 }, 'status:a', 1001);
  outbox.enqueue('snapshot', { n: 1 }, undefined, 1002);
  outbox.enqueue('snapshot', { n: 2 }, undefined, 1003);
  const status = outbox.due('camera.status', 10, 2000);
  t.equal(status.length, 1);
  t.same(status[0]!.payload, { online: 0 });
  t.equal(outbox.due('snapshot', 10, 2000).length, 2, 'events are never coalesced');
  // a newer state arrives while the first is being sent
  outbox.enqueue('camera.status', { online: 2 }, 'status:a', 1500);
  outbox.delivered(status, 2000);
  const still = outbox.due('camera.status', 10, 2000);
  t.equal(still.length, 1, 'the replaced payload is still pending');
  t.same(still[0]!.payload, { online: 2 });
  outbox.failed(still, 'down', () => 5000, 2000);
  t.equal(outbox.due('camera.status', 10, 3000).length, 0, 'backed off');
  t.equal(outbox.due('camera.status', 10, 7000).length, 1);
  db.close();
});
