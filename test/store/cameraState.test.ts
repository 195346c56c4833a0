// CameraStateStore: each camera's decided online state, and every registered camera with it.
import t from 'tap';
import { ONLINE } from '../../src/domain/online.js';
import { CameraStateStore } from '../../src/store/cameraState.js';
import { CameraStore } from '../../src/store/cameras.js';
import { cameraRecordSchema } from '../../src/protocols/province/messages.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('put replaces a camera state; registered() lists every camera, unprobed ones without a state', async (t) => {
  const db = tempDb(t);
  const cameras = new CameraStore(db);
  for (const [i, cameraNum] of [NUM_B, NUM_A].entries()) {
    cameras.put({ id: `cam-${i}`, record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(i), cameraNum }), access: {}, source: 'cli' });
  }
  const states = new CameraStateStore(db);
  t.equal(states.get(NUM_A), undefined);
  states.put({ cameraNum: NUM_A, online: ONLINE.online, reason: 'reachable', changedAt: 1 });
  states.put({ cameraNum: NUM_A, online: ONLINE.fault, reason: 'signal lost', changedAt: 2 });
  t.same(states.get(NUM_A), { cameraNum: NUM_A, online: ONLINE.fault, reason: 'signal lost', changedAt: 2 });
  t.same(states.registered(), [{ cameraNum: NUM_A, state: { online: ONLINE.fault, reason: 'signal lost' } }, { cameraNum: NUM_B }], 'in cameraNum order');
});
