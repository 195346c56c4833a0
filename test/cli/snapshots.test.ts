// `vcgw snapshot CAMERA` and `vcgw snapshots list CAMERA` against a simulated ONVIF camera.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { registerFromOnvif } from '../../src/modules/cameras/onvifRegistration.js';
import { jpegSize } from '../../src/modules/snapshots/jpeg.js';
import { SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { startSimCamera } from '../../src/sim/simCamera.js';
import { CameraOnvifStore } from '../../src/store/cameraOnvif.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { addCamera, tempDir } from '../modules/snapshots/helpers.js';

t.test('snapshot takes one now and prints its path; snapshots list shows it', async (t) => {
  const dir = tempDir(t);
  const clip = { ...SUB_CIF_H264, seconds: 4, gopFrames: 25 };
  const sim = await startSimCamera({ main: clip, sub: false, onvif: true });
  t.teardown(() => sim.close());
  const config = writeMinimalConfig(dir, ['[snapshots]', 'timeout_s = 8']);
  const dataDir = path.join(dir, 'data');
  const db = openDb(dataDir);
  const cameras = new CameraStore(db);
  const cam = addCamera(cameras, 1, { onvifUrl: sim.onvif!.url, onvifUser: 'admin', onvifPassword: 'admin123', rtspMain: sim.url('main') });
  addCamera(cameras, 2, {});
  const reg = await registerFromOnvif({ url: sim.onvif!.url, user: 'admin', password: 'admin123' }, {});
  new CameraOnvifStore(db).put(cam.record.cameraNum, reg.facts, Date.now());
  db.close();
  const vcgw = cliRunner(config);

  const one = await vcgw('snapshot', 'cam-1');
  t.equal(one.code, 0, one.err);
  const file = one.out.trim();
  t.match(file, new RegExp(`^${path.join(dataDir, 'snapshots', cam.record.cameraNum)}/\\d{8}/\\d{6}\\.jpg$`), 'the path under <data_dir>/snapshots');
  t.same(jpegSize(fs.readFileSync(file)), { width: 352, height: 288 });

  const js = await vcgw('snapshot', cam.record.cameraNum, '--json');
  t.equal(js.code, 0, js.err);
  const info = JSON.parse(js.out) as { source: string; file: string; url: string; width: number };
  t.equal(info.source, 'onvif', "the CLI has no pulls of the daemon's: the camera's snapshot URI");
  t.ok(fs.existsSync(info.file));
  t.match(info.url, /\/snapshots\/.*\?expires=\d+&sig=[0-9a-f]{64}$/);

  const list = await vcgw('snapshots', 'list', 'cam-1');
  t.equal(list.code, 0, list.err);
  t.match(list.out, /time\s+size\s+kB\s+source\s+file/);
  t.equal(list.out.trim().split('\n').length, 3, 'a header and two rows');
  t.match(list.out, /352x288\s+\d+\s+onvif/);

  const listed = JSON.parse((await vcgw('snapshots', 'list', 'cam-1', '--since', '1h', '--json')).out) as Array<{ file: string }>;
  t.equal(listed.length, 2);
  t.same(listed.map((x) => x.file).sort(), [file, info.file].sort());
  const future = await vcgw('snapshots', 'list', 'cam-1', '--since', new Date(Date.now() + 3_600_000).toISOString());
  t.match(future.out, /no snapshots of cam-1/);

  const unknown = await vcgw('snapshot', 'nope');
  t.equal(unknown.code, 2);
  t.match(unknown.err, /no camera nope/);
  const none = await vcgw('snapshot', 'cam-2');
  t.equal(none.code, 1, 'a camera with no way to a picture fails');
  t.match(none.err, /cam-2: no snapshot/);
  t.equal((await vcgw('snapshots', 'list', 'cam-1', '--since', 'yesterday')).code, 2, 'a bad --since is a usage error');
});
