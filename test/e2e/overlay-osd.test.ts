// `vcgw run` as in the field writes each ONVIF camera's Appendix B overlay into the camera's OSD,
// with the overlay facts coming from the [[cameras]] config.
import t from 'tap';
import { startOnvifCamera } from '../../src/sim/onvif/index.js';
import { CameraOsdStore } from '../../src/store/cameraOsd.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { gatewayFor } from '../helpers/gateway.js';
import { cameraEntry, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { until } from '../helpers/media.js';

t.test('the daemon writes the overlay of a configured ONVIF camera at start', async (t) => {
  const keys = generateSm2KeyPair();
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const cam = await startOnvifCamera({ user: 'admin', password: 'secret' });
  t.teardown(() => cam.close());
  // pushType 2: no constant push, so no FFmpeg in this test.
  const entry = cameraEntry(1, {
    pushType: 2,
    onvifUrl: cam.url,
    onvifUser: 'admin',
    onvifPassword: 'secret',
    travelDirection: '北行',
    destination: '湖南省',
    cameraOrientation: 2,
    reserved: '韶关管理处',
  });
  const files = await writeGatewayConfig(t.testdir(), sim, keys, {}, [entry]);
  const gw = gatewayFor(t, files.configFile);

  await until(`the OSDs on the camera (stderr: ${gw.stderr()})`, () => cam.osds().length === 4, 30_000);
  t.same(
    cam.osds().map((o) => o.plainText ?? `${o.dateFormat} ${o.timeFormat}`),
    ['粤-G4-京珠北-路面', 'K1801+100-下行-北行-往湖南省', 'yyyy-MM-dd HH:mm:ss', '韶关管理处'],
  );
  const db = openDb(files.dataDir);
  t.teardown(() => db.close());
  const num = new CameraStore(db).byId('cam-1')!.record.cameraNum;
  await until('the result in the database', () => new CameraOsdStore(db).get(num)?.writtenAt != null, 10_000);
  t.match(new CameraOsdStore(db).get(num), { error: null, text: { lines: ['粤-G4-京珠北-路面', 'K1801+100-下行-北行-往湖南省'] } });
});
