// The daemon's OSD writer against ONVIF camera simulators over real SOAP: what lands on the camera,
// idempotent rewrites, record changes, failures kept and retried, and `vcgw cameras show`/add/edit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../../src/log.js';
import { CameraService } from '../../../src/modules/cameras/service.js';
import { OsdWriter } from '../../../src/modules/overlay/osdWriter.js';
import { sampleCameraEntry } from '../../../src/sim/sampleCamera.js';
import { startOnvifCamera, type OnvifCamera, type OnvifCameraOptions } from '../../../src/sim/onvif/index.js';
import type { SimOsd } from '../../../src/sim/onvif/osd.js';
import { freePort } from '../../../src/sim/ports.js';
import { CameraOsdStore } from '../../../src/store/cameraOsd.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../../helpers/cli.js';

const ROAD = { travelDirection: '南行', destination: '广州市' };

function setup(t: Test): { dir: string; dataDir: string; db: Db; svc: CameraService; osd: CameraOsdStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-osd-'));
  const dataDir = path.join(dir, 'data');
  const db = openDb(dataDir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, dataDir, db, svc: new CameraService({ db }), osd: new CameraOsdStore(db) };
}

async function sim(t: Test, o: OnvifCameraOptions = {}): Promise<OnvifCamera> {
  const cam = await startOnvifCamera({ user: 'admin', password: 'secret', ...o });
  t.teardown(() => cam.close());
  return cam;
}

function addCamera(svc: CameraService, i: number, url: string, extra: Record<string, unknown> = ROAD, password = 'secret'): string {
  return svc.add(sampleCameraEntry(i, { onvifUrl: url, onvifUser: 'admin', onvifPassword: password, ...extra }), 'cli').record.cameraNum;
}

function writer(t: Test, s: ReturnType<typeof setup>, o: { reconcileMs?: number; retryMs?: number; provinceAbbr?: string; now?: () => number } = {}): OsdWriter {
  const w = new OsdWriter({
    cameras: s.svc.cameras,
    osd: s.osd,
    overlay: { province_abbr: o.provinceAbbr, road_short_name: undefined },
    log: silentLogger(),
    reconcileMs: o.reconcileMs,
    retryMs: o.retryMs,
    timeoutMs: 2000,
    now: o.now,
  });
  t.teardown(() => w.stop());
  return w;
}

async function waitFor(ok: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What the camera shows, independent of tokens. */
const shown = (osds: SimOsd[]) =>
  osds.map((o) => ({ position: o.position, pos: o.pos, textType: o.textType, plainText: o.plainText, dateFormat: o.dateFormat, timeFormat: o.timeFormat }));

const osdCalls = (cam: OnvifCamera, action: string) => cam.calls().filter((c) => c.action === action && c.ok).length;

t.test('writes the Appendix B lines, the clock top right and the reserved line; a rewrite changes nothing', async (t) => {
  const s = setup(t);
  const cam = await sim(t);
  const num = addCamera(s.svc, 1, cam.url, { ...ROAD, reserved: '韶关—乐昌区间' });
  const w = writer(t, s);

  const [r] = await w.reconcile();
  t.match(r, { ok: true, created: 4, updated: 0, deleted: 0, unchanged: 0 });
  t.same(shown(cam.osds()), [
    { position: 'UpperLeft', pos: undefined, textType: 'Plain', plainText: '粤-G4-京珠北-路面', dateFormat: undefined, timeFormat: undefined },
    { position: 'Custom', pos: { x: -1, y: 0.85 }, textType: 'Plain', plainText: 'K1801+100-上行-南行-往广州市', dateFormat: undefined, timeFormat: undefined },
    { position: 'UpperRight', pos: undefined, textType: 'DateAndTime', plainText: undefined, dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss' },
    { position: 'LowerLeft', pos: undefined, textType: 'Plain', plainText: '韶关—乐昌区间', dateFormat: undefined, timeFormat: undefined },
  ]);
  // B.一.(二) 2: 1/32 of the 1920-wide source = 60, inside the camera's 16..64 range.
  t.ok(cam.osds().every((o) => o.fontSize === 60), 'font sized to 1/32 of the width');
  const row = s.osd.get(num);
  t.match(row, { error: null, text: { lines: ['粤-G4-京珠北-路面', 'K1801+100-上行-南行-往广州市'], reserved: '韶关—乐昌区间' } });
  t.same(Object.keys(row?.tokens ?? {}).sort(), ['line1', 'line2', 'reserved', 'time']);

  // Idempotent: the same overlay again touches nothing.
  const before = cam.osds();
  const again = await w.writeOne(s.svc.get('cam-1'));
  t.match(again, { ok: true, created: 0, updated: 0, deleted: 0, unchanged: 4 });
  t.same(cam.osds(), before);
  t.equal(osdCalls(cam, 'CreateOSD'), 4);
  t.equal(osdCalls(cam, 'SetOSD'), 0);

  // Lost tokens (a new database): the OSDs are recognised by kind and place, not created again.
  s.db.prepare('DELETE FROM camera_osd').run();
  t.match(await w.writeOne(s.svc.get('cam-1')), { ok: true, created: 0, unchanged: 4 });
  t.equal(cam.osds().length, 4);
});

t.test('a record change updates in place and removes lines no longer needed; foreign OSDs stay', async (t) => {
  const s = setup(t);
  const cam = await sim(t, {
    osd: {
      initial: [
        // A factory clock in the wrong corner is taken over (one clock allowed), a logo text left alone.
        { position: 'LowerRight', textType: 'DateAndTime', dateFormat: 'MM/dd/yyyy', timeFormat: 'hh:mm:ss tt' },
        { position: 'LowerRight', textType: 'Plain', plainText: 'CAM-01' },
      ],
    },
  });
  addCamera(s.svc, 1, cam.url, { ...ROAD, reserved: '预留' });
  const w = writer(t, s, { reconcileMs: 50 });
  w.start();
  await waitFor(() => s.osd.get(s.svc.get('cam-1').record.cameraNum)?.writtenAt != null, 10_000, 'the start-up write');
  t.equal(cam.osds().length, 5, 'factory clock reused: 3 created + the 2 that were there');
  t.match(cam.osds().find((o) => o.token === 'OSD_1'), { position: 'UpperRight', dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss' });
  t.match(cam.osds().find((o) => o.token === 'OSD_2'), { position: 'LowerRight', plainText: 'CAM-01' });

  // Now a median camera of an interchange with no reserved line: line 1 changes, line 2 shrinks, reserved goes.
  const tokensBefore = s.osd.get(s.svc.get('cam-1').record.cameraNum)?.tokens;
  s.svc.edit('cam-1', { cameraOrientation: '3', interchange: 'true', poiName: '太和互通', reserved: '', travelDirection: '', destination: '' });
  await waitFor(() => cam.osds().some((o) => o.plainText === '粤-G4-京珠北-太和互通'), 10_000, 'the rewrite after the edit');
  await waitFor(() => s.osd.get(s.svc.get('cam-1').record.cameraNum)?.tokens['reserved'] === undefined, 5000, 'the stored tokens to follow');
  t.same(
    cam.osds().map((o) => o.plainText ?? o.dateFormat),
    ['yyyy-MM-dd', 'CAM-01', '粤-G4-京珠北-太和互通', 'K1801+100-双向'],
  );
  const tokensAfter = s.osd.get(s.svc.get('cam-1').record.cameraNum)?.tokens;
  t.equal(tokensAfter?.['line1'], tokensBefore?.['line1'], 'line 1 updated in place');
  t.equal(tokensAfter?.['line2'], tokensBefore?.['line2'], 'line 2 updated in place');
  t.equal(osdCalls(cam, 'DeleteOSD'), 1, 'only the reserved line was deleted');
});

t.test('failures are recorded with the reason, retried later, and never throw', async (t) => {
  const s = setup(t);
  const cam = await sim(t, { osd: { supported: false } });
  const closed = await freePort();
  const okNum = addCamera(s.svc, 1, cam.url);
  const goneNum = addCamera(s.svc, 2, `http://127.0.0.1:${closed}/onvif/device_service`);
  const authNum = addCamera(s.svc, 3, cam.url, ROAD, 'wrong');
  const badNum = addCamera(s.svc, 4, cam.url, {}); // no travel direction / destination
  s.svc.add(sampleCameraEntry(5, ROAD), 'cli'); // no ONVIF: not tried

  let clock = Date.now();
  const w = writer(t, s, { retryMs: 60_000, now: () => clock });
  const results = await w.reconcile();
  t.equal(results.length, 4);
  t.match(s.osd.get(okNum), { writtenAt: null, error: /GetOSDs.*\(unsupported\)$/ });
  t.match(s.osd.get(goneNum), { error: new RegExp(`127\\.0\\.0\\.1:${closed}.*\\(unreachable\\)$`) });
  t.match(s.osd.get(authNum), { error: /\(auth\)$/ });
  t.match(s.osd.get(badNum), { error: /^overlay not compliant, nothing written: travelDirection: .*destination: / });
  t.equal((s.db.prepare('SELECT COUNT(*) AS n FROM camera_osd').get() as { n: number }).n, 4, 'the camera without ONVIF has no row');

  // The camera gains OSD support: the next retry writes it without any record change.
  cam.setOsdSupported(true);
  t.same(await w.reconcile(), [], 'nothing is due before the retry time');
  clock += 60_000;
  const retried = await w.reconcile();
  t.same(retried.map((r) => r.cameraNum).sort(), [okNum, goneNum, authNum].sort(), 'failed writes are retried; a non-compliant record waits for a change');
  t.match(s.osd.get(okNum), { error: null, writtenAt: clock });
  t.equal(cam.osds().length, 3);
  t.match(s.osd.get(goneNum), { error: /\(unreachable\)$/ }, 'the unreachable one still fails, and is still recorded');
});

t.test('cameras show prints the overlay and the OSD state; add/edit warn about what blocks it', async (t) => {
  const s = setup(t);
  const cam = await sim(t);
  const okNum = addCamera(s.svc, 1, cam.url, { ...ROAD, reserved: '预留' });
  await writer(t, s).reconcile();
  t.ok(s.osd.get(okNum)?.writtenAt);

  const run = cliRunner(writeMinimalConfig(s.dir, ['[overlay]', 'province_abbr = "粤"'], s.dataDir));
  const shown = await run('cameras', 'show', 'cam-1');
  t.equal(shown.code, 0, shown.err);
  t.match(shown.out, /^overlay +粤-G4-京珠北-路面$/m);
  t.match(shown.out, /^ +K1801\+100-上行-南行-往广州市$/m);
  t.match(shown.out, /^ +\(time top right, YYYY-MM-DD HH:mm:ss Beijing time\)$/m);
  t.match(shown.out, /^overlay reserved +预留$/m);
  t.match(shown.out, /^overlay osd +written \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\), 4 OSDs$/m);
  t.match(shown.out, /^overlay burn-in +off$/m);
  const json = JSON.parse((await run('cameras', 'show', 'cam-1', '--json')).out) as { overlay: Record<string, unknown> };
  t.match(json.overlay, { ok: true, lines: ['粤-G4-京珠北-路面', 'K1801+100-上行-南行-往广州市'], reserved: '预留', osd: { state: 'written', error: null } });

  // Registered before the overlay facts are known: stored, with a warning naming the flags.
  const entry = sampleCameraEntry(2, { cameraOrientation: 2, onvifUrl: cam.url });
  const added = await run('cameras', 'add', '--json', JSON.stringify(entry));
  t.equal(added.code, 0, added.err);
  t.match(added.out, /^added camera cam-2/);
  t.match(added.err, /^warning: camera cam-2 cannot show a compliant overlay .*travelDirection: required .*destination: required/m);
  const bad = JSON.parse((await run('cameras', 'show', 'cam-2', '--json')).out) as { overlay: { ok: boolean; errors: Array<{ field: string }>; osd: { state: string } } };
  t.equal(bad.overlay.ok, false);
  t.same(bad.overlay.errors.map((e) => e.field), ['travelDirection', 'destination']);
  t.equal(bad.overlay.osd.state, 'never');
  t.match((await run('cameras', 'show', 'cam-2')).out, /^overlay +not compliant: travelDirection: required/m);

  // A flag typed on the command line is named as the flag; booleans come as text.
  const half = await run('cameras', 'edit', 'cam-2', '--travel-direction', '北行', '--interchange', 'false');
  t.equal(half.code, 0, half.err);
  t.match(half.err, /--destination: required/);
  t.notMatch(half.err, /--travel-direction/);
  const done = await run('cameras', 'edit', 'cam-2', '--destination', '湖南省');
  t.equal(done.code, 0, done.err);
  t.equal(done.err, '', 'no warning once the overlay is complete');
  t.match((await run('cameras', 'show', 'cam-2')).out, /^ +K1802\+100-下行-北行-往湖南省$/m);

  // Bad values are refused with the field named, like any other field.
  const wrong = await run('cameras', 'edit', 'cam-2', '--travel-direction', 'north');
  t.equal(wrong.code, 2);
  t.match(wrong.err, /--travel-direction: must be 东行, 西行, 南行 or 北行/);
  const flag = await run('cameras', 'edit', 'cam-2', '--annex', 'yes');
  t.equal(flag.code, 2);
  t.match(flag.err, /--annex: must be true or false/);

  // CSV round trip keeps the booleans.
  await run('cameras', 'edit', 'cam-2', '--interchange', 'true', '--poi-name', '太和互通');
  const csv = (await run('cameras', 'export')).out;
  t.match(csv, /interchange/);
  const file = path.join(s.dir, 'cams.csv');
  fs.writeFileSync(file, csv);
  const imported = await run('cameras', 'import', file);
  t.equal(imported.code, 0, imported.err);
  t.match(imported.out, /0 added, 0 updated, 2 unchanged/);
  t.equal((s.svc.get('cam-2').access as Record<string, unknown>)['interchange'], true, 'stored as a boolean');
  t.match((await run('cameras', 'show', 'cam-2')).out, /^overlay +粤-G4-京珠北-太和互通$/m);
});
