// PTZ and imaging through the typed ONVIF layer, against the simulator (a dome and a fixed bullet).
import t from 'tap';
import { connectOnvif, type OnvifDevice } from '../../../src/protocols/onvif/index.js';
import { onvifFailure } from '../../helpers/onvif.js';
import { startOnvifCamera, type OnvifCamera, type OnvifCameraOptions } from '../../../src/sim/onvif/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function sim(t: Teardown, opts: OnvifCameraOptions = {}): Promise<{ cam: OnvifCamera; dev: OnvifDevice }> {
  const cam = await startOnvifCamera({ password: 'secret', ...opts });
  t.teardown(() => cam.close());
  const dev = await connectOnvif({ url: cam.url, user: 'admin', password: 'secret', timeoutMs: 3000 });
  return { cam, dev };
}

t.test('a continuous move with a Timeout ends by itself, as a camera does when a Stop is lost', async (t) => {
  const { cam, dev } = await sim(t, { ptz: true });
  await dev.continuousMove('Profile_1', { pan: -0.5, tilt: 0, zoom: 0 }, 300);
  const sent = cam.calls().filter((c) => c.action === 'ContinuousMove').at(-1)!;
  t.match(sent.body, { Timeout: 'PT0.3S' });
  t.same(cam.ptz()?.velocity, { x: -0.5, y: 0, zoom: 0 }, 'moving');
  const started = Date.now();
  while (cam.ptz()?.velocity.x !== 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 }, 'stopped with no Stop sent');
  t.ok(Date.now() - started >= 250, 'not before its Timeout');
  t.equal(cam.calls().filter((c) => c.action === 'Stop').length, 0);
});

t.test('a dome: continuous move, stop, relative move and auxiliary commands', async (t) => {
  const { cam, dev } = await sim(t, { ptz: true });
  t.same(dev.capabilities(), { ptz: true, imaging: true, media2: false });
  await dev.continuousMove('Profile_1', { pan: 0.5, tilt: -0.25, zoom: 0.1 });
  t.same(cam.ptz()?.velocity, { x: 0.5, y: -0.25, zoom: 0.1 });
  await dev.stop('Profile_1');
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });
  await dev.relativeMove('Profile_1', { pan: 0.25, tilt: 0.5, zoom: 0.5 });
  t.same(cam.ptz()?.position, { x: 0.25, y: 0.5, zoom: 0.5 });
  await dev.auxiliary('tt:Wiper|On');
  await dev.auxiliary('tt:IRLamp|Off', 'Profile_2');
  t.same(cam.ptz()?.auxCommands, ['tt:Wiper|On', 'tt:IRLamp|Off']);
  const bad = await onvifFailure(dev.auxiliary('tt:Siren|On'));
  t.equal(bad.kind, 'fault');
  t.match(bad.message, /SendAuxiliaryCommand: .*tt:Siren\|On not supported/);
  const fast = await onvifFailure(dev.continuousMove('Profile_1', { pan: 2, tilt: 0, zoom: 0 }));
  t.match(fast, { kind: 'fault', message: /ContinuousMove: Velocity x=2 outside -1\.\.1/ });
});

t.test('a fixed camera: PTZ calls are kind unsupported without touching the wire', async (t) => {
  const { cam, dev } = await sim(t);
  const before = cam.calls().length;
  const e = await onvifFailure(dev.continuousMove('Profile_1', { pan: 0.1, tilt: 0, zoom: 0 }));
  t.equal(e.kind, 'unsupported');
  t.match(e.message, new RegExp(`127\\.0\\.0\\.1:${cam.port} ContinuousMove: camera has no PTZ service`));
  t.equal((await onvifFailure(dev.auxiliary('tt:Wiper|On'))).kind, 'unsupported');
  t.equal((await onvifFailure(dev.stop('Profile_1'))).kind, 'unsupported');
  t.equal(cam.calls().length, before, 'nothing was sent');
});

t.test('imaging: focus move/stop and iris, including an iris of 0 the library would drop', async (t) => {
  const { cam, dev } = await sim(t);
  await dev.focusMove(-0.5);
  t.same(cam.imaging().focusMove, { mode: 'continuous', value: -0.5 });
  await dev.focusStop();
  t.equal(cam.imaging().focusMove, undefined);
  await dev.setIris(-6);
  t.match(cam.imaging(), { iris: -6, exposureMode: 'MANUAL' });
  await dev.setIris(0);
  t.equal(cam.imaging().iris, 0, 'fully open iris reached the camera');
  const e = await onvifFailure(dev.setIris(5));
  t.match(e, { kind: 'fault', message: /SetImagingSettings: Iris 5 outside -22\.\.0/ });
});
