// MediaStatusStore: the daemon's pipeline table, replaced whole on every write.
import t from 'tap';
import { MediaStatusStore, type MediaStatusRow } from '../../src/store/mediaStatus.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

const row = (key: string, cameraNum: string, role: MediaStatusRow['role'], state = 'running'): MediaStatusRow => ({
  key,
  cameraNum,
  role,
  state,
  detail: '',
  fps: 25,
  kbps: 128,
  frames: 100,
  restarts: 0,
  lastError: null,
  since: 1,
  updatedAt: 2,
});

t.test('replaceAll swaps the whole table; all() is ordered by camera, role, key', async (t) => {
  const status = new MediaStatusStore(tempDb(t));
  status.replaceAll([row('k3', NUM_B, 'source'), row('k2', NUM_A, 'source'), row('k1', NUM_A, 'constant')]);
  t.same(status.all().map((r) => r.key), ['k1', 'k2', 'k3']);
  t.same(status.all()[0], row('k1', NUM_A, 'constant'), 'every column round-trips');
  status.replaceAll([{ ...row('k9', NUM_B, 'ondemand', 'failing'), lastError: 'RTMP refused', fps: null, kbps: null, frames: null }]);
  t.same(status.all().map((r) => [r.key, r.state, r.lastError, r.fps]), [['k9', 'failing', 'RTMP refused', null]], 'earlier rows are gone');
  status.replaceAll([]);
  t.same(status.all(), []);
});
