// End to end in the daemon: a simulated camera's snapshot taken on the round, reported to the
// province simulator with ReportSnapshot through the outbox, and fetchable by the province at the
// signed URL without headers.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { startDaemon } from '../../../src/modules/daemon.js';
import { jpegSize } from '../../../src/modules/snapshots/jpeg.js';
import { startRtspCamera, SUB_CIF_H264 } from '../../../src/sim/camera/index.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { SnapshotStore } from '../../../src/store/snapshots.js';
import { cameraEntry, generateSm2KeyPair, startSim, writeGatewayConfig } from '../../helpers/fixture.js';

const keys = generateSm2KeyPair();

t.test('the round is reported with ReportSnapshot and the province can fetch the URL', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const camSim = await startRtspCamera({ streams: [{ path: 'main', clip: { ...SUB_CIF_H264, seconds: 4, gopFrames: 25 } }] });
  t.teardown(() => camSim.close());
  const files = await writeGatewayConfig(t.testdir(), sim, keys, {}, [cameraEntry(1, { pushType: 2, rtspMain: camSim.url('main') })]);
  // The shortest round the schema allows, so the test sees one end within seconds. Quality is off:
  // its burst at start would open the camera's one shared pull first, and the snapshot would then
  // (rightly) come from that running pull rather than start one of its own.
  fs.appendFileSync(files.configFile, '\n[snapshots]\ninterval_s = 10\n[quality]\nenabled = false\n');
  const config = loadConfig(files.configFile);
  const daemon = await startDaemon(config, silentLogger());
  t.teardown(() => daemon.stop());
  const cameraNum = new CameraStore(daemon.db).byId('cam-1')!.record.cameraNum;

  const report = await sim.waitFor(
    (r) => r.path === '/service/video.ReportSnapshot' && r.code === 200 && Array.isArray(r.body) && r.body.some((i: { cameraNum?: string }) => i.cameraNum === cameraNum),
    40_000,
  );
  const item = (report.body as Array<{ cameraNum: string; time: number; snapshotUrl: string }>).find((i) => i.cameraNum === cameraNum)!;
  t.ok(Number.isInteger(item.time) && Math.abs(item.time * 1000 - Date.now()) < 60_000, 'time is a unix timestamp in seconds, recent');
  t.equal(report.headers['tauth'], sim.currentToken(), 'sent with the current token');
  t.match(item.snapshotUrl, new RegExp(`^${daemon.apiUrl}/snapshots/${cameraNum}/\\d{8}/\\d{6}(-\\d+)?\\.jpg\\?expires=\\d+&sig=[0-9a-f]{64}$`));

  const snap = new SnapshotStore(daemon.db).latest(cameraNum)!;
  t.equal(snap.source, 'pull', 'no pull running and no ONVIF: a short pull of its own');
  t.same([snap.width, snap.height], [352, 288]);

  // The province fetches the picture with the URL alone.
  const ca = fs.readFileSync(path.join(files.dataDir, 'tls', 'server.crt'), 'utf8');
  const agent = new Agent({ connect: { ca } });
  t.teardown(() => agent.close());
  const res = await request(item.snapshotUrl, { dispatcher: agent });
  const body = Buffer.from(await res.body.arrayBuffer());
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'image/jpeg');
  t.same(jpegSize(body), { width: 352, height: 288 }, 'a CIF JPEG');
  t.ok(daemon.snapshots, 'the daemon exposes the snapshot service');
  t.ok(daemon.snapshots!.latest(cameraNum)!.id >= snap.id, 'latest() for the quality diagnosis');
  t.ok(fs.existsSync(daemon.snapshots!.fileOf(snap)), 'fileOf() names the file');
});
