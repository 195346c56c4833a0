import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { CameraInputError, CameraService, type CameraInput } from '../../../src/modules/cameras/service.js';
import { openDb } from '../../../src/store/db.js';
import { sampleCamera } from '../../helpers/fixture.js';

const sample = (over: Record<string, unknown> = {}): CameraInput => sampleCamera(over);

function service(t: Test): CameraService {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-csv-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return new CameraService({ db });
}

const pendingCount = (svc: CameraService) => svc.outbox.counts().pending;
const snapshot = (svc: CameraService) => svc.list().map((c) => ({ id: c.id, record: c.record, access: c.access, source: c.source }));

function tricky(svc: CameraService): void {
  svc.add(sample({ ip: '10.0.0.5', onvifUrl: 'http://10.0.0.5/onvif/device_service', onvifUser: 'admin', onvifPassword: 'p,a"ss' }));
  svc.add(
    sample({
      id: 'fuwuqu-1',
      cameraName: '沙田服务区, "南区"停车场',
      cameraNameSuffix: '含逗号,和"引号"',
      others: 'line one\nline two',
      classify: 2,
      pileNum: '无',
      overlayText: '京港澳高速 沙田服务区',
      rtspMain: 'rtsp://10.0.0.6:554/Streaming/Channels/101',
    }),
  );
  svc.add(sample({ id: 'sd-3', classify: 3, pileNum: 'K12+5', cameraType: 2, pushType: 1, areaCode: '441900' }));
}

t.test('export then import round-trips unchanged, incl. Chinese, commas, quotes and newlines', async (t) => {
  const svc = service(t);
  tricky(svc);
  const before = snapshot(svc);
  const csv = svc.exportCsv({ includeSecrets: true });
  t.match(csv.split('\n')[0], /^id,cameraNum,department,/);
  t.match(csv, /onvifPassword/);
  t.match(csv, /,"p,a""ss"/, 'the password as CSV quotes it');
  t.same(svc.importCsv(csv), { added: 0, updated: 0, unchanged: 3, dryRun: false }, 'same database: nothing changes');
  t.same(snapshot(svc), before);
  t.equal(svc.exportCsv({ includeSecrets: true }), csv, 'byte-identical second export');

  const fresh = service(t);
  t.same(fresh.importCsv(csv), { added: 3, updated: 0, unchanged: 0, dryRun: false }, 'a new gateway');
  t.same(
    snapshot(fresh),
    before.map((c) => ({ ...c, source: 'import' })),
    'same cameraNums, records and access on the new gateway',
  );
  t.equal(fresh.exportCsv({ includeSecrets: true }), csv);
  t.equal(pendingCount(fresh), 3, 'each imported camera is queued');

  const bom = svc.exportCsv({ includeSecrets: true, bom: true });
  t.ok(bom.startsWith('\uFEFF'));
  t.same(svc.importCsv(bom).unchanged, 3, 'a BOM (Excel) is accepted');
});

t.test('passwords are exported only on request, and an export without them keeps them on import', async (t) => {
  const svc = service(t);
  tricky(svc);
  const csv = svc.exportCsv();
  t.notMatch(csv, /onvifPassword/);
  // The password as CSV writes it (quoted, its quote doubled): a bare "p,a" also occurs where
  // the id K1844+158-up is followed by a cameraNum UUID that starts with "a".
  t.notMatch(csv, /a""ss/);
  t.same(svc.importCsv(csv).unchanged, 3);
  t.equal(svc.get('K1844+158-up').access.onvifPassword, 'p,a"ss');
});

t.test('import adds unknown ids and updates known ones (only the given columns)', async (t) => {
  const svc = service(t);
  const a = svc.add(sample());
  const csv = [
    'id,pileNum,department,cameraName,longAndLati,road,roadName,roadSec,classify,poiName,cameraOrientation,cameraType,hasControl,areaCode,pushType',
    'K1844+158-up,K1844+160,京珠北分公司,京港澳高速K1844+160上行,113.2644/23.1291,G4,京港澳高速,京珠北段,0,京港澳高速,1,1,1,440201,2',
    'new-1,K1+1,京珠北分公司,新摄像机,113.1/23.1,G4,京港澳高速,京珠北段,0,京港澳高速,2,1,0,440201,1',
    ',,,,,,,,,,,,,,',
    '',
  ].join('\r\n');
  t.same(svc.importCsv(csv), { added: 1, updated: 1, unchanged: 0, dryRun: false });
  const updated = svc.get(a.id);
  t.equal(updated.record.pileNum, 'K1844+160');
  t.equal(updated.record.cameraNum, a.record.cameraNum);
  t.equal(updated.source, 'cli', 'an update keeps where the camera came from');
  const added = svc.get('new-1');
  t.equal(added.source, 'import');
  t.match(added.record.cameraNum, /^[0-9a-f-]{36}$/);

  t.same(svc.importCsv('id,pileNum\nK1844+158-up,K1844+170\n'), { added: 0, updated: 1, unchanged: 0, dryRun: false }, 'partial columns');
  t.equal(svc.get(a.id).record.cameraName, '京港澳高速K1844+160上行');
  t.equal(svc.get(a.id).record.pileNum, 'K1844+170');
});

t.test('import is all-or-nothing with "row N, field" errors', async (t) => {
  const svc = service(t);
  svc.add(sample());
  const base = snapshot(svc);
  const pending = pendingCount(svc);
  const good = svc.exportCsv().trimEnd().split('\n');
  const header = good[0]!;
  const row = (over: Record<string, unknown>) => {
    const cols = header.split(',');
    const values = { ...sample(), cameraNum: '', ...over } as Record<string, unknown>;
    return cols.map((c) => String(values[c] ?? '')).join(',');
  };
  const cases: Array<[string, string, string | RegExp]> = [
    [[header, row({ id: 'a' }), row({ id: 'b', pileNum: 'K12' })].join('\n'), 'pileNum', 'row 3, pileNum: must be K<km>+<m>, e.g. K1844+158'],
    [[header, row({ id: 'a' }), row({ id: 'b', classify: '' })].join('\n'), 'classify', 'row 3, classify: required'],
    [[header, row({ id: 'a', areaCode: '44020' })].join('\n'), 'areaCode', 'row 2, areaCode: must be a 6-digit county code, e.g. 440201'],
    [[header, row({ id: 'a', hasControl: 'yes' })].join('\n'), 'hasControl', 'row 2, hasControl: must be one of 0, 1 (0 no PTZ, 1 PTZ allowed)'],
    [[header, row({ id: 'a' }), row({ id: 'a' })].join('\n'), 'id', 'row 3, id: "a" already appears in row 2'],
    [[header, row({ id: 'K1844+158-up', cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b' })].join('\n'), 'cameraNum', /^row 2, cameraNum: cannot be changed/],
    [[header, row({ id: 'a', pileNum: '无' })].join('\n'), 'pileNum', /^row 2, pileNum: "无" is allowed only/],
    [[`${header},colour`, `${row({ id: 'a' })},red`].join('\n'), 'colour', /^row 1, colour: unknown column/],
    ['pileNum\nK1+1\n', 'id', /^row 1, id: column missing/],
    [[header, 'a,b'].join('\n'), 'cells', /^row 2, cells: 2 cells, but the header has \d+$/],
    [[header, row({ id: 'a' }), '"unterminated'].join('\n'), 'csv', /^csv: not valid CSV/],
    ['', 'csv', /^row 1, csv: empty file/],
  ];
  for (const [csv, field, message] of cases) {
    try {
      svc.importCsv(csv);
      t.fail(`${String(message)}: accepted`);
    } catch (err) {
      t.ok(err instanceof CameraInputError, String(message));
      t.equal((err as CameraInputError).field, field);
      if (typeof message === 'string') t.equal((err as CameraInputError).message, message);
      else t.match((err as CameraInputError).message, message);
    }
  }
  t.same(snapshot(svc), base, 'nothing stored');
  t.equal(pendingCount(svc), pending, 'nothing queued');
});

t.test('--dry-run validates and counts but stores nothing', async (t) => {
  const svc = service(t);
  tricky(svc);
  const csv = svc.exportCsv();
  const fresh = service(t);
  t.same(fresh.importCsv(csv, 'import', { dryRun: true }), { added: 3, updated: 0, unchanged: 0, dryRun: true });
  t.equal(fresh.list().length, 0);
  t.equal(pendingCount(fresh), 0);
});
