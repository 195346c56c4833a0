// PtzHoldStore: a local operator's hold on a camera's PTZ, until it expires.
import t from 'tap';
import { PtzHoldStore } from '../../src/store/ptzHolds.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('a hold is active until its end, then gone; a new hold replaces the old one', async (t) => {
  const db = tempDb(t);
  const holds = new PtzHoldStore(db);
  holds.set(NUM_A, { user: 'zhang', until: 1000 });
  holds.set(NUM_A, { user: 'li', until: 2000 });
  t.same(holds.active(NUM_A, 1500), { user: 'li', until: 2000 }, 'the later hold replaced the first');
  t.equal(holds.active(NUM_A, 2000), undefined, 'expired at its end');
  t.equal((db.prepare('SELECT COUNT(*) AS n FROM ptz_holds').get() as { n: number }).n, 0, 'the expired hold was removed');
  t.equal(holds.active(NUM_B, 0), undefined, 'no hold on another camera');
});
