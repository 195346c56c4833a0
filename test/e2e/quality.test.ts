// `vcgw run` as in the field: a camera that answers but shows a black screen is diagnosed at start,
// reported to the province with ReportCameraQuality (flags, confidences, a fetchable image) and
// reported as a fault (online = 2) with ReportCameraStatus.
import t from 'tap';
import { Agent, request } from 'undici';
import { SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { startSimCamera } from '../../src/sim/simCamera.js';
import { gatewayFor } from '../helpers/gateway.js';
import { cameraEntry, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';

t.test('a black camera is reported with its flags, its snapshot and as a fault', async (t) => {
  const keys = generateSm2KeyPair();
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const cam = await startSimCamera({ main: { ...SUB_CIF_H264, seconds: 4, pattern: 'black' }, sub: false });
  t.teardown(() => cam.close());
  // pushType 2: no constant push; the diagnosis pulls the camera briefly itself.
  const entry = cameraEntry(1, { pushType: 2, rtspMain: cam.url('main') });
  const files = await writeGatewayConfig(t.testdir(), sim, keys, { health: { probe_interval_s: 5 } }, [entry]);
  const gw = gatewayFor(t, files.configFile);

  const report = await sim.waitFor((r) => r.path === '/service/video.ReportCameraQuality' && r.code === 200, 60_000).catch((e: unknown) => {
    throw new Error(`${String(e)}; daemon stderr: ${gw.stderr()}`);
  });
  const [item] = report.body as Array<{ cameraNum: string; cameraStatus: string; cameraConfidence: string; imageUrl: string | null }>;
  t.equal(item!.cameraStatus, '010000000', 'signal lost');
  t.match(item!.cameraConfidence, /^1\.00\||^0\.[5-9]\d\|/, 'with its confidence first');
  t.ok(item!.imageUrl, 'and the snapshot that shows it');
  // The province fetches it with no headers (the URL is signed); the gateway's certificate is its own.
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  t.teardown(() => agent.close());
  const img = await request(item!.imageUrl!, { dispatcher: agent });
  t.equal(img.statusCode, 200);
  t.equal(img.headers['content-type'], 'image/jpeg');
  const jpeg = Buffer.from(await img.body.arrayBuffer());
  t.same([jpeg[0], jpeg[1]], [0xff, 0xd8], 'a JPEG');

  const status = await sim.waitFor(
    (r) => r.path === '/service/video.ReportCameraStatus' && r.code === 200 && (r.body as Array<{ online: number }>).some((s) => s.online === 2),
    30_000,
  );
  t.same(status.body, [{ cameraNum: item!.cameraNum, online: 2 }], 'reachable but no usable picture = fault');
});
