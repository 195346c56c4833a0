// CameraStore: camera rows, their province sync state, and removal with what was learnt of them.
import t from 'tap';
import { cameraRecordSchema, type CameraRecord } from '../../src/protocols/province/messages.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';
import { CameraClockStore } from '../../src/store/cameraClock.js';
import { CameraStore } from '../../src/store/cameras.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

const record = (i: number, cameraNum: string, extra: Record<string, unknown> = {}): CameraRecord =>
  cameraRecordSchema.parse({ ...sampleCameraRecordFields(i, extra), cameraNum });

t.test('put inserts and replaces by id; a changed camera goes back to pending sync', async (t) => {
  const cameras = new CameraStore(tempDb(t));
  cameras.put({ id: 'b-cam', record: record(1, NUM_B), access: { ip: '10.0.0.2' }, source: 'config' }, 100);
  cameras.put({ id: 'a-cam', record: record(2, NUM_A), access: {}, source: 'cli' }, 100);
  t.same(cameras.all().map((c) => c.id), ['a-cam', 'b-cam'], 'ordered by id');
  t.equal(cameras.count(), 2);
  cameras.setSync(NUM_B, 'synced', null);
  t.equal(cameras.byId('b-cam')?.syncState, 'synced');
  cameras.put({ id: 'b-cam', record: record(1, NUM_B, { cameraName: '改名' }), access: { ip: '10.0.0.3' }, source: 'import' }, 200);
  const b = cameras.byNum(NUM_B);
  t.same([b?.record.cameraName, b?.access.ip, b?.source, b?.syncState, b?.createdAt, b?.updatedAt], ['改名', '10.0.0.3', 'import', 'pending', 100, 200]);
  t.equal(cameras.find(NUM_A.toUpperCase())?.id, 'a-cam', 'find takes an id or a cameraNum in any case');
});

t.test('remove deletes the camera and what the daemon learnt of it, not other cameras', async (t) => {
  const db = tempDb(t);
  const cameras = new CameraStore(db);
  const clocks = new CameraClockStore(db);
  cameras.put({ id: 'a', record: record(1, NUM_A), access: {}, source: 'cli' });
  cameras.put({ id: 'b', record: record(2, NUM_B), access: {}, source: 'cli' });
  clocks.record(NUM_A, { at: 1, driftMs: 0 });
  clocks.record(NUM_B, { at: 1, driftMs: 0 });
  t.equal(cameras.remove('a'), true);
  t.equal(cameras.remove('a'), false, 'a second remove finds nothing');
  t.same([cameras.byNum(NUM_A), clocks.get(NUM_A)], [undefined, undefined]);
  t.equal(clocks.get(NUM_B)?.syncedAt, 1, 'the other camera keeps its clock state');
});
