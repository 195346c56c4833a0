// PtzLogStore: the audit log of every PTZ command.
import t from 'tap';
import { PtzLogStore, type PtzLogEntry } from '../../src/store/ptzLog.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

const entry = (at: number, cameraNum: string, code = 200): PtzLogEntry => ({ at, cameraNum, actor: 'province', action: 1, step: 4, code, message: 'ok', latencyMs: 12.6 });

t.test('query filters by camera and time, newest first, with a limit; lastMoveAt counts only accepted moves', async (t) => {
  const log = new PtzLogStore(tempDb(t));
  log.append(entry(100, NUM_A));
  log.append(entry(200, NUM_B));
  log.append(entry(300, NUM_A, 403));
  log.append({ ...entry(400, NUM_A), message: 'x'.repeat(600) });
  t.same(log.query().map((r) => r.at), [400, 300, 200, 100]);
  t.same(log.query({ cameraNum: NUM_A, since: 200 }).map((r) => r.at), [400, 300]);
  t.same(log.query({ limit: 1 }).map((r) => [r.at, r.message.length, r.latencyMs]), [[400, 500, 13]], 'message capped at 500, latency rounded');
  t.equal(log.lastMoveAt(NUM_A), 400);
  t.equal(log.lastMoveAt(NUM_B), 200);
  log.append(entry(500, NUM_B, 403));
  t.equal(log.lastMoveAt(NUM_B), 200, 'a refused move is not a move');
});

t.test('prune removes entries older than the kept age', async (t) => {
  const log = new PtzLogStore(tempDb(t));
  for (const at of [100, 200, 300]) log.append(entry(at, NUM_A));
  t.equal(log.prune(150, 400), 2, 'entries before 250 removed');
  t.same(log.query().map((r) => r.at), [300]);
});
