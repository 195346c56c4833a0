// SnapshotStore: the index of kept snapshots.
import t from 'tap';
import { SnapshotStore, type Snapshot } from '../../src/store/snapshots.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

const shot = (cameraNum: string, takenAt: number, bytes = 1000): Omit<Snapshot, 'id'> => ({
  cameraNum,
  takenAt,
  path: `${cameraNum}/20261206/${takenAt}.jpg`,
  width: 352,
  height: 288,
  bytes,
  source: 'stream',
});

t.test('latest, list and byPath per camera; oldest and olderThan across cameras; remove and totals', async (t) => {
  const snaps = new SnapshotStore(tempDb(t));
  const a1 = snaps.insert(shot(NUM_A, 100));
  snaps.insert(shot(NUM_A, 300, 3000));
  snaps.insert(shot(NUM_B, 200, 2000));
  t.equal(snaps.latest(NUM_A)?.takenAt, 300);
  t.equal(snaps.latest(NUM_A, 300)?.takenAt, 100, 'the newest taken before 300');
  t.same(snaps.list(NUM_A).map((s) => s.takenAt), [300, 100], 'newest first');
  t.same(snaps.byPath(a1.path), a1, 'byPath returns the inserted row with its id');
  t.same(snaps.oldest(2).map((s) => s.takenAt), [100, 200]);
  t.same(snaps.olderThan(250, 10).map((s) => s.takenAt), [100, 200]);
  t.same([snaps.count(), snaps.totalBytes()], [3, 6000]);
  snaps.remove([a1.id]);
  t.same([snaps.count(), snaps.totalBytes(), snaps.byPath(a1.path)], [2, 5000, undefined]);
});
