import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { cameraConfigSchema, type CameraConfig } from '../../../src/config/schema/cameras.js';
import { CameraInputError, CameraService } from '../../../src/modules/cameras/service.js';
import { openDb } from '../../../src/store/db.js';
import { sampleCamera } from '../../helpers/fixture.js';

const entry = (over: Record<string, unknown> = {}): CameraConfig =>
  cameraConfigSchema.parse(sampleCamera({ pushType: 1, rtspMain: 'rtsp://10.0.0.5/main', ...over }));

const PINNED = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';

function setup(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-prov-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let clock = 5_000;
  const svc = new CameraService({ db, now: () => clock });
  const pending = () => svc.outbox.list({ pending: true, limit: 1000 }).reverse();
  const deliverAll = () => svc.outbox.delivered(svc.outbox.list({ pending: true, limit: 1000 }), clock);
  return { svc, pending, deliverAll, tick: () => (clock += 1000) };
}

t.test('provisioning is idempotent: a second start with the same config changes and sends nothing', async (t) => {
  const { svc, pending, deliverAll, tick } = setup(t);
  const config = [entry(), entry({ id: 'pinned', cameraNum: PINNED, pileNum: 'K1844+300' })];
  const first = svc.provisionFromConfig(config);
  t.same(first, { added: ['K1844+158-up', 'pinned'], updated: [], unchanged: 0, renumbered: [], orphans: [] });
  const generated = svc.get('K1844+158-up').record.cameraNum;
  t.equal(svc.get('pinned').record.cameraNum, PINNED, 'cameraNum from the config');
  t.ok(svc.list().every((c) => c.source === 'config'));
  t.same(
    pending().map((i) => [i.kind, i.coalesceKey, i.payload]),
    [
      ['camera.upsert', `camera.upsert:${generated}`, { cameraNum: generated }],
      ['camera.upsert', `camera.upsert:${PINNED}`, { cameraNum: PINNED }],
    ],
  );
  deliverAll();
  tick();
  const before = svc.list();

  const second = svc.provisionFromConfig(config);
  t.same(second, { added: [], updated: [], unchanged: 2, renumbered: [], orphans: [] });
  t.equal(pending().length, 0, 'nothing queued');
  t.same(svc.list(), before, 'nothing written (not even updatedAt)');
  t.equal(svc.get('K1844+158-up').record.cameraNum, generated, 'generated once, kept across starts');
});

t.test('a changed entry is updated and queued; its cameraNum is kept', async (t) => {
  const { svc, pending, deliverAll } = setup(t);
  svc.provisionFromConfig([entry()]);
  const num = svc.get('K1844+158-up').record.cameraNum;
  deliverAll();
  svc.cameras.setSync(num, 'synced', null);
  const r = svc.provisionFromConfig([entry({ pileNum: 'K1844+160', rtspMain: undefined, ip: '10.0.0.9' })]);
  t.same(r.updated, ['K1844+158-up']);
  const cam = svc.get('K1844+158-up');
  t.equal(cam.record.pileNum, 'K1844+160');
  t.same(cam.access, { ip: '10.0.0.9' }, 'the config is the whole truth for access fields');
  t.equal(cam.record.cameraNum, num);
  t.equal(cam.syncState, 'pending');
  t.same(pending().map((i) => i.payload), [{ cameraNum: num }]);
});

t.test('pinning a cameraNum on an existing id replaces the stored one and reports it', async (t) => {
  const { svc, pending, deliverAll } = setup(t);
  svc.provisionFromConfig([entry()]);
  const old = svc.get('K1844+158-up').record.cameraNum;
  deliverAll();
  const r = svc.provisionFromConfig([entry({ cameraNum: PINNED })]);
  t.same(r.renumbered, [{ id: 'K1844+158-up', from: old, to: PINNED }]);
  t.equal(svc.get('K1844+158-up').record.cameraNum, PINNED);
  t.same(pending().map((i) => [i.kind, i.payload]), [['camera.upsert', { cameraNum: PINNED }]], 'the old registration is not deleted');
});

t.test('cameras that left the config are reported as orphans, not deleted', async (t) => {
  const { svc, pending, deliverAll } = setup(t);
  svc.provisionFromConfig([entry(), entry({ id: 'gone', pileNum: 'K2+2' })]);
  svc.add({ ...entry({ id: 'by-hand', pileNum: 'K3+3' }) }, 'cli');
  deliverAll();
  const goneNum = svc.get('gone').record.cameraNum;
  const r = svc.provisionFromConfig([entry()]);
  t.same(r.orphans, [{ id: 'gone', cameraNum: goneNum, cameraName: '京港澳高速K1844+158上行' }]);
  t.ok(svc.get('gone'), 'still stored');
  t.ok(svc.get('by-hand'), 'cameras added by hand are not orphans');
  t.equal(pending().length, 0, 'no delete queued');
});

t.test('a camera added by hand and then written into the config is adopted once', async (t) => {
  const { svc, deliverAll, pending } = setup(t);
  const cam = svc.add({ ...entry() }, 'cli');
  deliverAll();
  const r = svc.provisionFromConfig([entry()]);
  t.same(r.updated, ['K1844+158-up']);
  t.equal(svc.get(cam.id).source, 'config');
  t.equal(svc.get(cam.id).record.cameraNum, cam.record.cameraNum);
  deliverAll();
  t.same(svc.provisionFromConfig([entry()]).unchanged, 1);
  t.equal(pending().length, 0);
  t.same(svc.provisionFromConfig([]).orphans.map((o) => o.id), ['K1844+158-up']);
});

t.test('a config that would clash stores nothing', async (t) => {
  const { svc } = setup(t);
  const other = svc.add({ ...entry({ id: 'by-hand', cameraNum: PINNED }) }, 'cli');
  t.equal(other.record.cameraNum, PINNED);
  const cases: Array<[CameraConfig[], string, RegExp]> = [
    [[entry({ id: 'a', cameraNum: PINNED })], 'cameras.0.cameraNum', /already used by camera "by-hand"/],
    [
      [entry({ id: 'a' }), entry({ id: 'b', cameraNum: 'bef89ecc-4cc6-4a6d-80fd-283196105b0b' }), entry({ id: 'c', cameraNum: 'bef89ecc-4cc6-4a6d-80fd-283196105b0b' })],
      'cameras.2.cameraNum',
      /duplicates cameras\.1\.cameraNum/,
    ],
  ];
  for (const [config, field, message] of cases) {
    const err = t.throws(() => svc.provisionFromConfig(config)) as unknown;
    t.ok(err instanceof CameraInputError);
    t.equal((err as CameraInputError).field, field);
    t.match((err as CameraInputError).message, message);
  }
  t.same(svc.list().map((c) => c.id), ['by-hand']);
});
