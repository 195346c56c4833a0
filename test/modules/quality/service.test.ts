// The quality service against real simulated cameras (a normal picture, a black screen, a frozen
// picture): real FFmpeg bursts and snapshots, the real stores and outbox, the health witness.
import t, { type Test } from 'tap';
import { mediaView } from '../../../src/cli/cameraMedia.js';
import { silentLogger } from '../../../src/log.js';
import { CameraHealth } from '../../../src/modules/health/cameraHealth.js';
import type { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { cameraStreamsOf } from '../../../src/modules/cameraEncoding/cameraStreams.js';
import { qualityService } from '../../../src/modules/quality/start.js';
import { snapshotParts, snapshotService } from '../../../src/modules/snapshots/start.js';
import { SUB_CIF_H264 } from '../../../src/sim/camera/index.js';
import { startSimCamera, type SimCamera } from '../../../src/sim/simCamera.js';
import { CameraQualityStore } from '../../../src/store/cameraQuality.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import type { QualityItem } from '../../../src/protocols/province/reports.js';
import { addCamera, snapConfig, tempDir } from '../snapshots/helpers.js';

const CIF = { ...SUB_CIF_H264, seconds: 4 };

async function camera(t: Test, pattern?: 'black' | 'frozen'): Promise<SimCamera> {
  const cam = await startSimCamera({ main: { ...CIF, ...(pattern ? { pattern } : {}) }, sub: false });
  t.teardown(() => cam.close());
  return cam;
}

async function rig(t: Test, o: { statusWidth?: number } = {}) {
  const dir = tempDir(t, 'vcgw-quality-');
  const config = snapConfig(dir);
  const db = openDb(dir);
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const outbox = new OutboxStore(db);
  const states = new Map<string, { online: number; reason: string }>();
  const health = new CameraHealth({ set: (n: string, online: number, reason: string) => void states.set(n, { online, reason }) } as unknown as CameraStateTracker);
  const log = silentLogger();
  const parts = snapshotParts({ config, db, log, ffmpeg: 'ffmpeg', baseUrl: 'https://gw.example:8443' });
  const snaps = snapshotService(parts, { config, cameras, outbox, log });
  const quality = qualityService({
    config: { ...config.quality, status_width: o.statusWidth ?? 9 },
    snapshotIntervalMs: 300_000,
    db,
    cameras,
    health,
    outbox,
    burst: { streams: cameraStreamsOf(db, 'gateway'), seconds: config.quality.burst_s },
    snapshots: snaps,
    log,
  });
  t.teardown(() => quality.stop());
  const reports = (): QualityItem[] =>
    outbox
      .list({ pending: true, limit: 100 })
      .filter((i) => i.kind === 'camera.quality')
      .map((i) => i.payload as QualityItem);
  return { db, cameras, health, states, quality, snaps, parts, reports };
}

t.test('a normal, a black and a frozen camera: flags, confidences, image URLs, status and the report', async (t) => {
  const r = await rig(t);
  const [normal, black, frozen] = [await camera(t), await camera(t, 'black'), await camera(t, 'frozen')];
  const cams = [normal, black, frozen].map((c, i) => addCamera(r.cameras, i, { ip: '127.0.0.1', rtspMain: c.url('main') }));
  for (const c of cams) r.health.setReachable(c.record.cameraNum, true, 'reachable');

  const results = await r.quality.checkAll();
  const byNum = new Map(results.map((x) => [x.cameraNum, x.item]));
  const [n, b, f] = cams.map((c) => byNum.get(c.record.cameraNum)!) as [QualityItem, QualityItem, QualityItem];
  t.equal(n.cameraStatus, '000000000', 'normal picture: no flag');
  t.equal(n.imageUrl, null, 'no anomaly, no image');
  t.equal(b.cameraStatus, '010000000', 'black screen: signal lost');
  t.equal(f.cameraStatus, '000001000', 'frozen picture: frozen');
  for (const item of [n, b, f]) t.match(item.cameraConfidence, /^(0\.\d\d|1\.00)(\|(0\.\d\d|1\.00)){7}$/, 'eight confidences a|b|…');
  t.ok(Number(b.cameraConfidence.split('|')[0]) >= 0.5, `signal-lost confidence ${b.cameraConfidence}`);
  t.ok(Number(f.cameraConfidence.split('|')[4]) >= 0.5, `frozen confidence ${f.cameraConfidence}`);
  for (const item of [b, f]) {
    t.match(item.imageUrl, /^https:\/\/gw\.example:8443\/snapshots\/[0-9a-f-]{36}\/\d{8}\/\d{6}\.jpg\?expires=\d+&sig=[0-9a-f]{64}$/, 'the snapshot that shows it');
    const u = new URL(item.imageUrl!);
    t.equal(r.parts.urls.verify(u.pathname, u.searchParams.get('expires') ?? undefined, u.searchParams.get('sig') ?? undefined), 'ok', 'a URL the province can fetch');
  }
  t.same(
    cams.map((c) => r.states.get(c.record.cameraNum)?.online),
    [1, 2, 2],
    'reachable without a usable picture = fault (2)',
  );
  t.match(r.states.get(cams[1]!.record.cameraNum)?.reason, /no usable picture: signal lost/);
  t.same(new Set(r.reports().map((i) => i.cameraNum)), new Set(cams.map((c) => c.record.cameraNum)), 'every camera in the report');
  const stored = new CameraQualityStore(r.db).get(cams[2]!.record.cameraNum)!;
  t.equal(stored.bits, '000001000');
  t.match(stored.details['frozen'], /\S/, 'the measure behind the flag is kept');
  const show = (i: number) => new Map(mediaView(r.db, r.cameras.byNum(cams[i]!.record.cameraNum)!, 'gateway').lines).get('quality');
  t.match(show(0), /^000000000 normal; checked \d{4}-\d\d-\d\d /, 'vcgw cameras show: normal');
  t.match(show(1), /^010000000 signalLost (0\.[5-9]\d|1\.00) \(.+\); checked .*; image https:\/\/gw\.example:8443\/snapshots\/.*\?\*\*\*$/, 'vcgw cameras show: the flag, its measure and the image (signature redacted)');
});

t.test('an unreachable camera is reported offline with no confidences; the width is configurable', async (t) => {
  const r = await rig(t, { statusWidth: 10 });
  const cam = addCamera(r.cameras, 7, { ip: '127.0.0.1', rtspMain: 'rtsp://127.0.0.1:9/none' });
  r.health.setReachable(cam.record.cameraNum, false, 'no TCP answer');
  const res = await r.quality.checkOne(cam);
  t.same(res?.item, { cameraNum: cam.record.cameraNum, cameraStatus: '1000000000', cameraConfidence: '0.00|0.00|0.00|0.00|0.00|0.00|0.00|0.00', imageUrl: null });

  // An ONVIF camera whose stream URIs are not read yet is not judged (and not called signal lost).
  const unknown = addCamera(r.cameras, 8, { ip: '127.0.0.1', onvifUrl: 'http://127.0.0.1:9/onvif/device_service' });
  r.health.setReachable(unknown.record.cameraNum, true, 'reachable');
  const skipped = await r.quality.checkOne(unknown);
  t.equal(skipped?.item, undefined);
  t.match(skipped?.skipped, /no stream known yet/);
  t.notOk(r.reports().some((i) => i.cameraNum === unknown.record.cameraNum), 'nothing reported for it');
  t.equal(r.states.get(unknown.record.cameraNum)?.online, 1, 'not a fault');
});

t.test('a snapshot showing a new anomaly triggers a full diagnosis and a report at once', async (t) => {
  const r = await rig(t);
  const sim = await camera(t);
  const cam = addCamera(r.cameras, 3, { ip: '127.0.0.1', rtspMain: sim.url('main') });
  r.health.setReachable(cam.record.cameraNum, true, 'reachable');
  await r.quality.checkAll();
  t.equal(r.reports().at(-1)?.cameraStatus, '000000000');
  const before = r.reports().length;

  // The same picture again: nothing new, nothing reported.
  await r.quality.onSnapshot(cam, await r.snaps.takeNow(cam.record.cameraNum));
  t.equal(r.reports().length, before, 'no new anomaly: no report until the hour');

  // The camera loses its signal; the next 5-minute snapshot shows it.
  await sim.rtsp.setClip('main', { ...CIF, pattern: 'black' });
  await r.quality.onSnapshot(cam, await r.snaps.takeNow(cam.record.cameraNum));
  const last = r.reports().at(-1)!;
  t.equal(last.cameraStatus, '010000000', 'reported at once');
  t.not(last.imageUrl, null);
  t.equal(r.states.get(cam.record.cameraNum)?.online, 2);
});
