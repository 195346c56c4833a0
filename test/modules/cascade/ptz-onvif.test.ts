// PTZ from an upper GB/T 28181 platform through the cascade to a simulated ONVIF camera over real
// SIP (UDP) and real HTTP: the real OnvifPtzDriver behind the real PtzService, logged as
// upper:<name>; a local operator's hold refuses the upper platform (a GB error result), as it
// refuses the province.
import t from 'tap';
import { OnvifPtzDriver } from '../../../src/modules/ptz/onvifDriver.js';
import { ONLINE } from '../../../src/protocols/province/messages.js';
import { startOnvifCamera } from '../../../src/sim/onvif/index.js';
import { addCamera } from '../api/helpers.js';
import { LOCAL_ID, signallingRig } from './signallingRig.js';

const PAN_LEFT = { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 255, tiltSpeed: 0, zoomSpeed: 0 } as const;

t.test('upper-platform PTZ moves an ONVIF camera through the real driver; a local hold refuses it', async (t) => {
  const cam = await startOnvifCamera({ password: 'secret', ptz: true });
  t.teardown(() => cam.close());
  // A long pulse: the camera is still moving when the upper side has its answer.
  const driver = new OnvifPtzDriver({ pulseMs: 1500, callTimeoutMs: 2000 });
  t.teardown(() => driver.close());
  const r = await signallingRig(t, { driverFor: driver.driverFor });
  const record = addCamera(r.cameras, {}, { onvifUrl: cam.url, onvifUser: 'admin', onvifPassword: 'secret' });
  r.state.set(record.cameraNum, ONLINE.online, 'test');
  const stored = () => r.cameras.byNum(record.cameraNum)!;
  await r.cascade();
  const channel = (await r.sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === record.cameraName)!.deviceId;

  const before = cam.calls().length;
  t.equal(await r.sim.ptz(LOCAL_ID, channel, PAN_LEFT), 'OK', 'the upper platform is answered OK');
  t.same(cam.ptz()?.velocity, { x: -1, y: 0, zoom: 0 }, 'the ONVIF camera pans left at full speed');
  await driver.settled(stored());
  const calls = cam.calls().slice(before).filter((c) => c.service === 'ptz');
  t.same(calls.map((c) => `${c.action} ${c.ok}`), ['ContinuousMove true', 'Stop true'], 'ContinuousMove then Stop reached the camera');
  t.match(r.ptzLog.query({ cameraNum: record.cameraNum }), [{ actor: 'upper:city', action: 1, step: 8, code: 200 }], 'logged with the upper platform as actor');

  t.equal((await r.ptz.control({ kind: 'local', user: 'li' }, record.cameraNum, 'right', 1)).code, 200, 'a local operator takes the camera');
  await driver.settled(stored());
  const held = cam.calls().length;
  t.equal(await r.sim.ptz(LOCAL_ID, channel, PAN_LEFT), 'ERROR', 'the upper platform is answered with a GB error result while the local hold lasts');
  t.equal(cam.calls().length, held, 'nothing reached the camera');
  const refused = r.ptzLog.query({ cameraNum: record.cameraNum }).find((e) => e.actor === 'upper:city' && e.code !== 200);
  t.match(refused, { actor: 'upper:city', action: 1 }, 'the refusal is logged for the upper platform');
  t.match(refused?.message, /held by local operator li/, 'the log says who holds the camera');
});
