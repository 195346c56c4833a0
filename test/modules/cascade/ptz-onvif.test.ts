// PTZ from an upper GB/T 28181 platform through the cascade to a simulated ONVIF camera over real
// SIP (UDP) and real HTTP: the real OnvifPtzDriver behind the real PtzService, logged as
// upper:<name>; a local operator's hold refuses the upper platform (a GB error result), as it
// refuses the province.
import t from 'tap';
import { cascadePlatformSchema } from '../../../src/config/schema/cascade.js';
import { silentLogger } from '../../../src/log.js';
import { cameraListPort, cameraStatePort, ptzPort } from '../../../src/modules/cascade/appPorts.js';
import { MediaRefusal } from '../../../src/modules/cascade/ports.js';
import { startCascade } from '../../../src/modules/cascade/service.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { PtzService } from '../../../src/modules/ptz/controller.js';
import { OnvifPtzDriver } from '../../../src/modules/ptz/onvifDriver.js';
import { ONLINE } from '../../../src/protocols/province/messages.js';
import { GbUpperPlatformSim } from '../../../src/sim/gbPlatform/index.js';
import { startOnvifCamera } from '../../../src/sim/onvif/index.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { CascadeCodeStore } from '../../../src/store/cascadeCodes.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { addCamera, tempDir } from '../api/helpers.js';

const UPPER_ID = '44000000002000000001';
const UPPER_DOMAIN = '4400000000';
const LOCAL_ID = '44020000002000000001';
const PASSWORD = 'cascade-secret';
const TIMERS = { T1: 50, T2: 400, T4: 500 };
const PAN_LEFT = { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 255, tiltSpeed: 0, zoomSpeed: 0 } as const;

t.test('upper-platform PTZ moves an ONVIF camera through the real driver; a local hold refuses it', async (t) => {
  const cam = await startOnvifCamera({ password: 'secret', ptz: true });
  t.teardown(() => cam.close());
  const db = openDb(tempDir(t, 'vcgw-cascade-ptz-'));
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const record = addCamera(cameras, {}, { onvifUrl: cam.url, onvifUser: 'admin', onvifPassword: 'secret' });
  const log = silentLogger();
  const state = new CameraStateTracker({ db, cameras, outbox: new OutboxStore(db), fullIntervalMs: 3_600_000, log });
  state.set(record.cameraNum, ONLINE.online, 'test');
  const ptzLog = new PtzLogStore(db);
  const driver = new OnvifPtzDriver({ pulseMs: 1500, callTimeoutMs: 2000 });
  t.teardown(() => driver.close());
  const ptz = new PtzService({ cameras, ptzLog, holds: new PtzHoldStore(db), log, driverFor: driver.driverFor });

  const sim = await GbUpperPlatformSim.start({ serverId: UPPER_ID, domain: UPPER_DOMAIN, passwordOf: (id) => (id === LOCAL_ID ? PASSWORD : undefined), timers: TIMERS });
  t.teardown(() => sim.close());
  const platform = cascadePlatformSchema.parse({
    name: 'city',
    upper_id: UPPER_ID,
    upper_domain: UPPER_DOMAIN,
    upper_address: '127.0.0.1',
    upper_port: sim.port,
    local_id: LOCAL_ID,
    local_address: '127.0.0.1',
    local_port: 0,
    password: PASSWORD,
    segments: [
      { from: '44020000002160000001', to: '44020000002160000999' },
      { from: '44020000001320000001', to: '44020000001320000999' },
    ],
  });
  // No media in this test: PTZ only.
  const media = { openPs: () => Promise.reject(new MediaRefusal(503, 'no media in this test')) };
  const svc = startCascade({ platforms: [platform], cameras: cameraListPort(cameras), state: cameraStatePort(state), ptz: ptzPort(ptz), media, codes: new CascadeCodeStore(db), log, timers: TIMERS });
  await svc.start();
  t.teardown(() => svc.stop());
  await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
  const channel = (await sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === record.cameraName)!.deviceId;

  const before = cam.calls().length;
  t.equal(await sim.ptz(LOCAL_ID, channel, PAN_LEFT), 'OK', 'the upper platform is answered OK');
  t.same(cam.ptz()?.velocity, { x: -1, y: 0, zoom: 0 }, 'the ONVIF camera pans left at full speed');
  await driver.settled(cameras.byNum(record.cameraNum)!);
  const calls = cam.calls().slice(before).filter((c) => c.service === 'ptz');
  t.same(calls.map((c) => `${c.action} ${c.ok}`), ['ContinuousMove true', 'Stop true'], 'ContinuousMove then Stop reached the camera');
  t.match(ptzLog.query({ cameraNum: record.cameraNum }), [{ actor: 'upper:city', action: 1, step: 8, code: 200 }], 'logged with the upper platform as actor');

  t.equal((await ptz.control({ kind: 'local', user: 'li' }, record.cameraNum, 2, 1)).code, 200, 'a local operator takes the camera');
  await driver.settled(cameras.byNum(record.cameraNum)!);
  const held = cam.calls().length;
  t.equal(await sim.ptz(LOCAL_ID, channel, PAN_LEFT), 'ERROR', 'the upper platform is answered with a GB error result while the local hold lasts');
  t.equal(cam.calls().length, held, 'nothing reached the camera');
  const last = ptzLog.query({ cameraNum: record.cameraNum }).find((e) => e.actor === 'upper:city' && e.code !== 200);
  t.match(last, { actor: 'upper:city', action: 1 }, 'the refusal is logged for the upper platform');
  t.match(last?.message, /held by local operator li/, 'the log says who holds the camera');
});
