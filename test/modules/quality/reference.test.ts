// The per-camera reference (issue 10): learned from the diagnoses that found the picture normal,
// kept in SQLite per light regime, used so a sudden change is told from a camera that always looks
// so, and forgotten when the camera is edited or re-aimed.
import t, { type Test } from 'tap';
import { silentLogger } from '../../../src/log.js';
import { CameraService } from '../../../src/modules/cameras/service.js';
import { analyse, diagnose, judge } from '../../../src/modules/quality/diagnose.js';
import { compare, learn, MIN_SAMPLES, type PictureReference } from '../../../src/modules/quality/reference.js';
import type { PictureMeasures } from '../../../src/modules/quality/types.js';
import { QualityService } from '../../../src/modules/quality/service.js';
import type { Frame } from '../../../src/modules/quality/types.js';
import { CameraQualityStore } from '../../../src/store/cameraQuality.js';
import { CameraQualityReferenceStore } from '../../../src/store/cameraQualityReference.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { sampleCamera } from '../../helpers/fixture.js';
import { tempDir } from '../snapshots/helpers.js';
import { DAY, sceneFrames } from './scenes.js';

const measures = (over: Partial<PictureMeasures> = {}): PictureMeasures => ({
  regime: 'day',
  sharpness: 0.3,
  edgeCells: 200,
  mean: 110,
  highlight: 230,
  noise: 0.8,
  cols: 40,
  rows: 22,
  live: Array.from({ length: 880 }, (_, i) => (i % 2 === 0 ? 1 : 0)),
  ...over,
});

t.test('learning: a running mean per measure, cell by cell for the layout; another regime starts afresh', async (t) => {
  const a = learn(undefined, measures(), 0);
  const b = learn(a, measures({ sharpness: 0.2, mean: 90, live: Array.from({ length: 880 }, () => 1) }), 1);
  t.equal(b.sharpness, 0.25, 'sharpness averaged');
  t.equal(b.mean, 100, 'brightness averaged');
  t.equal(b.live[0], 1, 'a cell live both times');
  t.equal(b.live[1], 0.5, 'a cell live once in two');
  const night = learn(b, measures({ regime: 'night', mean: 25 }), 2);
  t.equal(night.mean, 25, 'a night diagnosis does not blend into the day reference');
});

t.test('comparison: a sudden loss of sharpness, detail or light is seen; the usual picture is not', async (t) => {
  const ref: PictureReference = learn(undefined, measures(), 0);
  const same = compare(ref, measures(), []);
  t.equal(same.blurred?.confidence, 0, 'usual sharpness');
  t.equal(same.occluded?.confidence, 0, 'usual layout');
  t.equal(same.brightness?.confidence, 0, 'usual brightness');
  const soft = compare(ref, measures({ sharpness: 0.15 }), []);
  t.equal(soft.blurred?.confidence, 1, `half its usual sharpness: ${soft.blurred?.note}`);
  const edgeless = compare(ref, measures({ sharpness: null, edgeCells: 10 }), []);
  t.equal(edgeless.blurred?.confidence, 1, `edges lost: ${edgeless.blurred?.note}`);
  const covered = compare(ref, measures({ live: Array.from({ length: 880 }, (_, i) => (i % 2 === 0 && i > 440 ? 1 : 0)) }), []);
  t.ok(covered.occluded!.confidence >= 0.5, `half its detail gone: ${covered.occluded?.note}`);
  const dark = compare(ref, measures({ mean: 25 }), []);
  t.equal(dark.brightness?.confidence, 1, `a tenth of its light: ${dark.brightness?.note}`);
});

t.test('a camera that always looks at a hedge is not "occluded"; one that suddenly does is', async (t) => {
  const hedge = sceneFrames(DAY, [{ kind: 'occluder', material: 'leaves', cover: 0.6, from: 'left' }], 12);
  const a = analyse(hedge);
  t.ok(judge(a).flags.occluded, 'alone, the picture looks covered');
  // Its reference, learned while it looked like this and was judged normal (e.g. at installation).
  let always = learn(undefined, a.measures, 0);
  always = learn(always, a.measures, 1);
  t.notOk(judge(a, always).flags.occluded, `against its own usual picture it is normal: ${judge(a, always).details.occluded}`);
  const clear = analyse(sceneFrames(DAY, [], 12));
  let usual = learn(undefined, clear.measures, 0);
  usual = learn(usual, clear.measures, 1);
  t.ok(judge(a, usual).flags.occluded, `against a clear reference it is covered: ${judge(a, usual).details.occluded}`);
});

function rig(t: Test) {
  const db = openDb(tempDir(t, 'vcgw-qref-'));
  t.teardown(() => db.close());
  let clock = 1_000_000;
  const cameras = new CameraService({ db, now: () => clock });
  const cam = cameras.add(sampleCamera());
  const references = new CameraQualityReferenceStore(db);
  const ptzLog = new PtzLogStore(db);
  let frames: Frame[] = [];
  const quality = new QualityService({
    cameras: cameras.cameras,
    health: { isReachable: () => true, setPictureFault: () => undefined },
    store: new CameraQualityStore(db),
    references,
    lastMoveAt: (n) => ptzLog.lastMoveAt(n),
    outbox: new OutboxStore(db),
    burst: async () => ({ frames, ended: 'count' as const }),
    snapshots: {
      latest: () => undefined,
      takeNow: () => Promise.reject(new Error('no snapshots here')),
      urlFor: () => '',
      frameOf: () => Promise.reject(new Error('no snapshots here')),
    },
    intervalMs: 3_600_000,
    statusWidth: 9,
    snapshotMaxAgeMs: 300_000,
    log: silentLogger(),
    now: () => clock,
  });
  t.teardown(() => quality.stop());
  const check = async (f: Frame[]) => {
    frames = f;
    clock += 60_000;
    return (await quality.checkOne(cameras.get(cam.id)))!;
  };
  return { db, cameras, cam, references, ptzLog, check, tick: (ms: number) => (clock += ms), now: () => clock };
}

const normal = sceneFrames(DAY, [], 12);
const covered = sceneFrames(DAY, [{ kind: 'occluder', material: 'bag', cover: 0.6, from: 'bottom' }], 12);

t.test('the service learns the reference from normal checks only, keeps it in SQLite, and uses it', async (t) => {
  const r = rig(t);
  const num = r.cam.record.cameraNum;
  t.equal((await r.check(normal)).item?.cameraStatus, '000000000');
  t.equal((await r.check(normal)).item?.cameraStatus, '000000000');
  const rows = r.references.get<PictureReference>(num);
  t.same(rows.map((x) => [x.regime, x.samples]), [['day', MIN_SAMPLES]], 'one day reference from two normal checks');
  const stored = r.db.prepare('SELECT samples, measures FROM camera_quality_reference WHERE camera_num = ?').get(num) as { samples: number; measures: string };
  t.equal((JSON.parse(stored.measures) as PictureReference).live.length, 40 * 22, 'the layout is stored cell by cell');
  const bad = await r.check(covered);
  t.equal(bad.item?.cameraStatus, '001000000', 'covered');
  t.match(bad.diagnosis?.details.occluded, /against its reference/, 'judged against the reference');
  t.equal(r.references.get(num)[0]?.samples, MIN_SAMPLES, 'an abnormal picture is not learned');
});

t.test('editing the camera forgets its reference; so does a PTZ move since it was learned', async (t) => {
  const r = rig(t);
  const num = r.cam.record.cameraNum;
  await r.check(normal);
  await r.check(normal);
  t.equal(r.references.get(num).length, 1);
  r.cameras.edit(r.cam.id, { cameraName: 'moved to the other carriageway' });
  t.equal(r.references.get(num).length, 0, 'edited: reset');

  await r.check(normal);
  t.equal(r.references.get(num)[0]?.samples, 1, 'learning again');
  r.tick(1000);
  r.ptzLog.append({ at: r.now(), cameraNum: num, actor: 'province', action: 1, step: 3, code: 200, message: 'ok', latencyMs: 20 });
  await r.check(normal);
  t.equal(r.references.get(num)[0]?.samples, 1, 'moved by PTZ: the old reference is dropped and this check starts a new one');
  r.ptzLog.append({ at: r.now() + 1, cameraNum: num, actor: 'province', action: 1, step: 3, code: 403, message: 'refused', latencyMs: 5 });
  await r.check(normal);
  t.equal(r.references.get(num)[0]?.samples, 2, 'a refused PTZ command moved nothing');
  r.cameras.remove(r.cam.id);
  t.equal(r.references.get(num).length, 0, 'removed: gone');
});
