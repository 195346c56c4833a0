// CameraQualityStore: the last image-quality diagnosis of each camera.
import t from 'tap';
import { CameraQualityStore, type CameraQualityRow } from '../../src/store/cameraQuality.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('the last diagnosis per camera round-trips, details included; a new one replaces it', async (t) => {
  const store = new CameraQualityStore(tempDb(t));
  const burst: CameraQualityRow = {
    checkedAt: 1000,
    bits: '000100000',
    confidences: '0|0|0.9|0|0|0|0|0',
    details: { blurred: 'edge ratio 0.12' },
    imageUrl: 'https://gw/snapshots/a.jpg',
    kind: 'burst',
  };
  store.put(NUM_A, burst);
  t.same(store.get(NUM_A), burst);
  const snap: CameraQualityRow = { ...burst, checkedAt: 2000, bits: '000000000', details: {}, imageUrl: null, kind: 'snapshot' };
  store.put(NUM_A, snap);
  t.same(store.get(NUM_A), snap);
  t.equal(store.get(NUM_B), undefined);
});
