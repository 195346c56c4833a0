// CameraQualityReferenceStore: each camera's learned normal picture, per light regime.
import t from 'tap';
import { CameraQualityReferenceStore } from '../../src/store/cameraQualityReference.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('one reference per camera and regime, updated in place, reset per camera', async (t) => {
  const refs = new CameraQualityReferenceStore(tempDb(t));
  refs.put(NUM_A, { regime: 'night', samples: 1, learnedAt: 10, updatedAt: 10, measures: { mean: 40 } });
  refs.put(NUM_A, { regime: 'day', samples: 3, learnedAt: 5, updatedAt: 20, measures: { mean: 120 } });
  refs.put(NUM_A, { regime: 'day', samples: 4, learnedAt: 5, updatedAt: 30, measures: { mean: 122 } });
  refs.put(NUM_B, { regime: 'day', samples: 1, learnedAt: 1, updatedAt: 1, measures: { mean: 90 } });
  t.same(
    refs.get<{ mean: number }>(NUM_A),
    [
      { regime: 'day', samples: 4, learnedAt: 5, updatedAt: 30, measures: { mean: 122 } },
      { regime: 'night', samples: 1, learnedAt: 10, updatedAt: 10, measures: { mean: 40 } },
    ],
    'ordered by regime; the day row was updated, not duplicated',
  );
  t.equal(refs.reset(NUM_A), 2, 'both regimes forgotten');
  t.same(refs.get(NUM_A), []);
  t.equal(refs.get(NUM_B).length, 1, 'the other camera keeps its reference');
});
