// CameraClockStore: the last clock sync of each camera, kept across a failed attempt.
import t from 'tap';
import { CameraClockStore } from '../../src/store/cameraClock.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('a failure keeps the last good sync and its drift; a later success clears the error', async (t) => {
  const clocks = new CameraClockStore(tempDb(t));
  t.equal(clocks.get(NUM_A), undefined, 'nothing before the first attempt');
  clocks.record(NUM_A, { at: 1000, driftMs: 1234.6 });
  t.same(clocks.get(NUM_A), { syncedAt: 1000, driftMs: 1235, error: null, attemptedAt: 1000 }, 'drift rounded to ms');
  clocks.recordError(NUM_A, 2000, 'ONVIF: unreachable');
  t.same(clocks.get(NUM_A), { syncedAt: 1000, driftMs: 1235, error: 'ONVIF: unreachable', attemptedAt: 2000 });
  clocks.record(NUM_A, { at: 3000, driftMs: -5 });
  t.same(clocks.get(NUM_A), { syncedAt: 3000, driftMs: -5, error: null, attemptedAt: 3000 });
});

t.test('a camera that only ever failed has no sync time; attempted() lists every camera tried', async (t) => {
  const clocks = new CameraClockStore(tempDb(t));
  clocks.recordError(NUM_B, 500, 'refused');
  t.same(clocks.get(NUM_B), { syncedAt: null, driftMs: null, error: 'refused', attemptedAt: 500 });
  clocks.record(NUM_A, { at: 600, driftMs: 0 });
  t.same([...clocks.attempted()].sort(), [NUM_A, NUM_B].sort());
});
