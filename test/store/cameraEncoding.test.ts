// CameraEncodingStore: the verified camera-side encoding of each camera.
import t from 'tap';
import { CameraEncodingStore, type CameraEncodingState } from '../../src/store/cameraEncoding.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('put replaces the state, streams round-trip as written, remove forgets one camera', async (t) => {
  const store = new CameraEncodingStore(tempDb(t));
  const camera: CameraEncodingState = {
    state: 'camera',
    streams: { low: { stream: 'sub', measured: { codec: 'h264', width: 352, height: 288, fps: 25, gopFrames: 25, kbps: 128 } } },
    reason: null,
    checkedAt: 100,
  };
  store.put(NUM_A, camera);
  store.put(NUM_B, { state: 'fallback', streams: {}, reason: 'camera refused the bitrate', checkedAt: 100 });
  t.same(store.get(NUM_A), camera);
  const fallback: CameraEncodingState = { state: 'fallback', streams: {}, reason: 'drifted to 2 Mbps', checkedAt: 200 };
  store.put(NUM_A, fallback);
  t.same(store.get(NUM_A), fallback, 'a second put replaces the first');
  store.remove(NUM_A);
  t.equal(store.get(NUM_A), undefined, 'removed');
  t.equal(store.get(NUM_B)?.reason, 'camera refused the bitrate', 'the other camera is untouched');
});
