// OutboxStore: the durable queue of reports to the province (coalescing is in db.test.ts).
import t from 'tap';
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
