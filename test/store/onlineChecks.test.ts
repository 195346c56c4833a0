// OnlineCheckStore: each camera's state at each half-hourly online check.
import t from 'tap';
import { ONLINE } from '../../src/domain/online.js';
import { OnlineCheckStore } from '../../src/store/onlineChecks.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('a check is taken once per slot; between() is half-open; prune drops older checks', async (t) => {
  const checks = new OnlineCheckStore(tempDb(t));
  checks.record(1000, [
    { cameraNum: NUM_B, online: ONLINE.offline, reason: 'unreachable' },
    { cameraNum: NUM_A, online: ONLINE.online, reason: 'reachable' },
  ]);
  checks.record(1000, [{ cameraNum: NUM_A, online: ONLINE.offline, reason: 'retaken after a restart' }]);
  checks.record(2000, [{ cameraNum: NUM_A, online: ONLINE.fault, reason: 'frozen' }]);
  t.same(
    checks.between(1000, 2000),
    [
      { checkAt: 1000, cameraNum: NUM_A, online: ONLINE.online, reason: 'reachable' },
      { checkAt: 1000, cameraNum: NUM_B, online: ONLINE.offline, reason: 'unreachable' },
    ],
    'the first record of a slot stays; the end of the range is excluded',
  );
  t.equal(checks.between(0, 3000).length, 3);
  checks.prune(2000);
  t.same(checks.between(0, 3000).map((r) => r.checkAt), [2000]);
});
