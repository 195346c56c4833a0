import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { CameraInputError, CameraNotFoundError, CameraService, type CameraInput } from '../../../src/modules/cameras/service.js';
import { openDb } from '../../../src/store/db.js';
import { sampleCamera } from '../../helpers/fixture.js';
import { OutboxStore, type OutboxKind } from '../../../src/store/outbox.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const sample = (over: Record<string, unknown> = {}): CameraInput => sampleCamera(over);

function setup(t: Test, outbox?: (db: ReturnType<typeof openDb>) => OutboxStore) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-cam-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let clock = 1_000_000;
  const svc = new CameraService({ db, outbox: outbox?.(db), now: () => clock });
  const rows = () =>
    svc.outbox
      .list({ limit: 1000 })
      .reverse()
      .map((i) => ({ kind: i.kind, key: i.coalesceKey, payload: i.payload, delivered: i.deliveredAt !== null }));
  const pending = () => rows().filter((r) => !r.delivered);
  const deliverAll = () => {
    for (const kind of ['camera.upsert', 'camera.delete'] as OutboxKind[]) svc.outbox.delivered(svc.outbox.due(kind, 1000, clock), clock);
  };
  return { svc, rows, pending, deliverAll, tick: () => (clock += 1000) };
}

/** The field and message of the error `fn` throws. */
function fails(t: Test, fn: () => unknown, field: string, message: RegExp | string, what = `${field} rejected`): void {
  try {
    fn();
    t.fail(`${what}: no error`);
  } catch (err) {
    t.ok(err instanceof CameraInputError, `${what}: CameraInputError`);
    const e = err as CameraInputError;
    t.equal(e.field, field, `${what}: names ${field}`);
    if (typeof message === 'string') t.equal(e.message, message, what);
    else t.match(e.message, message, what);
  }
}

t.test('validation of every field of CONTRACT §6', async (t) => {
  const { svc, rows } = setup(t);
  let n = 0;
  const ok = (over: Record<string, unknown>, what: string) => {
    const cam = svc.add(sample({ id: `ok-${n++}`, ...over }));
    t.ok(cam, what);
    return cam;
  };
  const bad = (over: Record<string, unknown>, field: string, message: RegExp | string) =>
    fails(t, () => svc.add(sample({ id: `bad-${n++}`, ...over })), field, message, `${JSON.stringify(over)}`);

  // pile numbers (Appendix G: K<km>+<m>; 无 only at ramp toll stations and service areas)
  ok({ pileNum: 'K0+0' }, 'K0+0');
  ok({ pileNum: 'K1844+158' }, 'K1844+158');
  for (const pile of ['K12345+1', 'K1844+1580', '1844+158', 'k1844+158', 'K1844-158', 'K+158', '']) {
    bad({ pileNum: pile }, 'pileNum', 'pileNum: must be K<km>+<m>, e.g. K1844+158');
  }
  ok({ pileNum: '无', classify: 1 }, '无 at a toll station');
  ok({ pileNum: '无', classify: '2' }, '无 at a service area');
  for (const classify of [0, 3, 4, 5]) {
    bad({ pileNum: '无', classify }, 'pileNum', /"无" is allowed only for toll stations and service areas/);
  }

  // lng/lat
  ok({ longAndLati: '-180/-90' }, 'extremes');
  ok({ longAndLati: '180/90' }, 'extremes');
  for (const ll of ['181/23.1', '113.2/91', '113.2644,23.1291', '113.2644', 'a/b', '']) bad({ longAndLati: ll }, 'longAndLati', /must be "lng\/lat"/);

  // 6-digit county code, string input accepted and stored as a number
  const asString = ok({ areaCode: '440304' }, 'area code as a string');
  t.equal(asString.record.areaCode, 440304);
  t.equal(typeof asString.record.areaCode, 'number');
  for (const code of [44020, 4402011, '040201', 940201, 'abc', 440201.5]) bad({ areaCode: code }, 'areaCode', /areaCode: /);
  bad({ areaCode: '' }, 'areaCode', 'areaCode: required');

  // enumerations
  const enums: Array<[string, unknown[], unknown[]]> = [
    ['classify', [0, 1, 2, 3, 4, 5, '3'], [6, -1, 1.5, 'x', true]],
    ['cameraOrientation', [1, 2, 3], [0, 4]],
    ['cameraType', [1, 2, 3, 4], [0, 5]],
    ['hasControl', [0, 1, '0'], [2, -1]],
    ['pushType', [1, 2], [0, 3]],
  ];
  for (const [field, good, wrong] of enums) {
    for (const v of good) ok({ [field]: v, pileNum: 'K1+1' }, `${field}=${String(v)}`);
    for (const v of wrong) bad({ [field]: v }, field, new RegExp(`^${field}: must be`));
    bad({ [field]: undefined }, field, `${field}: required`);
  }

  // text fields, route code, id, access fields, unknown fields
  bad({ department: '  ' }, 'department', 'department: must not be empty');
  bad({ cameraName: 'x'.repeat(201) }, 'cameraName', 'cameraName: at most 200 characters');
  bad({ road: 'g4' }, 'road', /must be a route code/);
  bad({ roadName: undefined }, 'roadName', 'roadName: required');
  fails(t, () => svc.add(sample({ id: 'has space' })), 'id', /^id: must be 1–64 letters/);
  fails(t, () => svc.add(sample({ id: undefined })), 'id', 'id: required');
  bad({ ip: 'camera-5' }, 'ip', 'ip: must be an IP address');
  bad({ onvifUrl: 'ftp://10.0.0.5' }, 'onvifUrl', 'onvifUrl: must be an http(s) URL');
  bad({ rtspMain: 'http://10.0.0.5/main' }, 'rtspMain', 'rtspMain: must be an rtsp:// URL');
  bad({ gbDeviceId: '3402000000132000001' }, 'gbDeviceId', 'gbDeviceId: must be 20 digits');
  bad({ pileNumber: 'K1+1' }, 'pileNumber', /^pileNumber: unknown field/);
  bad({ cameraNum: 'not-a-uuid' }, 'cameraNum', /must be a lower-case UUID v4/);

  t.ok(svc.list().every((c) => c.id.startsWith('ok-')), 'invalid records are never stored');
  t.equal(rows().length, svc.list().length, 'and never queued: one upsert per stored camera');
});

t.test('cameraNum: generated once as a lower-case UUID v4, stable across edits, never changed', async (t) => {
  const { svc } = setup(t);
  const a = svc.add(sample());
  const b = svc.add(sample({ id: 'other' }));
  t.match(a.record.cameraNum, UUID_V4);
  t.not(a.record.cameraNum, b.record.cameraNum);
  const edited = svc.edit(a.id, { pileNum: 'K1844+200', cameraName: '改名' }).camera;
  t.equal(edited.record.cameraNum, a.record.cameraNum, 'stable across an edit');
  t.equal(svc.edit(a.record.cameraNum, { cameraNum: a.record.cameraNum.toUpperCase(), others: 'x' }).camera.record.cameraNum, a.record.cameraNum, 'restating it is fine');
  fails(t, () => svc.edit(a.id, { cameraNum: b.record.cameraNum }), 'cameraNum', /^cameraNum: cannot be changed/);
  t.equal(svc.get(a.id).record.cameraNum, a.record.cameraNum);

  const pinned = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';
  t.equal(svc.add(sample({ id: 'pinned', cameraNum: pinned.toUpperCase() })).record.cameraNum, pinned, 'a pinned number is stored lower-case');
  fails(t, () => svc.add(sample({ id: 'pinned-again', cameraNum: pinned })), 'cameraNum', /already used by camera "pinned"/);
});

t.test('ids are unique; cameras are found by id or cameraNum', async (t) => {
  const { svc, rows } = setup(t);
  const a = svc.add(sample());
  fails(t, () => svc.add(sample()), 'id', `id: "K1844+158-up" is already used by camera ${a.record.cameraNum}`);
  t.equal(svc.list().length, 1);
  t.equal(rows().length, 1);
  t.equal(svc.get(a.record.cameraNum.toUpperCase()).id, a.id);
  t.throws(() => svc.get('nope'), CameraNotFoundError);
  t.throws(() => svc.edit('nope', { others: 'x' }), CameraNotFoundError);
  t.throws(() => svc.remove('nope'), CameraNotFoundError);
  svc.add(sample({ id: 'b' }));
  fails(t, () => svc.edit('b', { id: a.id }), 'id', /already used/, 'rename onto an existing id');
});

t.test('add, edit and remove queue the exact outbox shapes', async (t) => {
  const { svc, rows, pending, deliverAll, tick } = setup(t);
  const a = svc.add(sample(), 'cli');
  const num = a.record.cameraNum;
  t.equal(a.source, 'cli');
  t.equal(a.syncState, 'pending');
  t.same(rows(), [{ kind: 'camera.upsert', key: `camera.upsert:${num}`, payload: { cameraNum: num }, delivered: false }]);
  t.strictSame(rows()[0]!.payload, { cameraNum: num }, 'payload carries only the number');

  svc.edit(a.id, { pileNum: 'K1844+160' });
  t.equal(pending().length, 1, 'an edit before the send coalesces into the queued upsert');
  deliverAll();
  tick();

  const { camera, changed } = svc.edit(num, { pileNum: 'K1844+170', ip: '10.0.0.5', onvifPassword: ' secret ' });
  t.ok(changed);
  t.equal(camera.record.pileNum, 'K1844+170');
  t.equal(camera.record.cameraName, a.record.cameraName, 'other fields kept');
  t.equal(camera.access.onvifPassword, ' secret ', 'passwords are taken verbatim');
  t.same(pending(), [{ kind: 'camera.upsert', key: `camera.upsert:${num}`, payload: { cameraNum: num }, delivered: false }]);
  deliverAll();

  t.same(svc.edit(a.id, { pileNum: 'K1844+170' }).changed, false, 'no change');
  t.equal(pending().length, 0, 'an edit that changes nothing queues nothing');

  t.same(svc.edit(a.id, { ip: '' }).camera.access, { onvifPassword: ' secret ' }, "'' clears an access field");
  const renamed = svc.edit(a.id, { id: 'K1844+170-up' }).camera;
  t.equal(renamed.id, 'K1844+170-up');
  t.equal(renamed.record.cameraNum, num);
  t.equal(svc.list().length, 1);
  deliverAll();

  const removed = svc.remove(num);
  t.equal(removed.id, 'K1844+170-up');
  t.equal(svc.list().length, 0);
  t.same(pending(), [{ kind: 'camera.delete', key: `camera.delete:${num}`, payload: { cameraNum: num }, delivered: false }]);
});

t.test('a camera rejected by the platform goes back to pending when edited', async (t) => {
  const { svc, pending, deliverAll } = setup(t);
  const a = svc.add(sample());
  deliverAll();
  svc.cameras.setSync(a.record.cameraNum, 'rejected', '桩号不存在');
  t.equal(svc.get(a.id).syncMsg, '桩号不存在');
  const { camera } = svc.edit(a.id, { pileNum: 'K1844+200' });
  t.equal(camera.syncState, 'pending');
  t.equal(camera.syncMsg, null);
  t.equal(pending().length, 1, 'queued again');
  deliverAll();
  svc.cameras.setSync(a.record.cameraNum, 'rejected', 'again');
  t.ok(svc.edit(a.id, {}).changed, 'an empty edit of a rejected camera is a retry');
  t.equal(svc.get(a.id).syncState, 'pending');
  t.equal(pending().length, 1);
});

t.test('fullSync queues every camera', async (t) => {
  const { svc, pending, deliverAll } = setup(t);
  const nums = ['a', 'b', 'c'].map((id) => svc.add(sample({ id })).record.cameraNum);
  deliverAll();
  t.equal(svc.fullSync(), 3);
  t.same(
    pending().map((r) => r.payload),
    nums.map((cameraNum) => ({ cameraNum })),
  );
});

t.test('a camera change and its outbox row commit together', async (t) => {
  class BrokenOutbox extends OutboxStore {
    override enqueue(): void {
      throw new Error('disk full');
    }
  }
  const { svc } = setup(t, (db) => new BrokenOutbox(db));
  t.throws(() => svc.add(sample()), /disk full/);
  t.equal(svc.list().length, 0, 'no camera without its queued sync');
});
