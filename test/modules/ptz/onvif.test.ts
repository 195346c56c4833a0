// OnvifPtzDriver behind PtzService against the ONVIF simulator over real HTTP: the twelve actions, pulses and
// their cancellation, unsupported actions, auth and reachability errors, and reconnecting after a camera restart.
import net from 'node:net';
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { PtzService } from '../../../src/modules/ptz/controller.js';
import { OnvifPtzDriver } from '../../../src/modules/ptz/onvifDriver.js';
import { connectOnvif, type OnvifConnectOptions } from '../../../src/protocols/onvif/index.js';
import type { CameraRecord } from '../../../src/domain/camera.js';
import { startOnvifCamera, type OnvifCall, type OnvifCamera, type OnvifCameraOptions } from '../../../src/sim/onvif/index.js';
import { freePort } from '../../../src/sim/ports.js';
import { CameraStore, type CameraAccess, type StoredCamera } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { addCamera, tempDir } from '../api/helpers.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

const LOCAL = { kind: 'local', user: 'li' } as const;
const PROVINCE = { kind: 'province' } as const;

async function sim(t: Teardown, opts: OnvifCameraOptions = {}): Promise<OnvifCamera> {
  const cam = await startOnvifCamera({ password: 'secret', ...opts });
  t.teardown(() => cam.close());
  return cam;
}

function rig(t: Teardown, o: { pulseMs?: number; callTimeoutMs?: number; driverTimeoutMs?: number } = {}) {
  const db = openDb(tempDir(t, 'vcgw-ptz-onvif-'));
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const ptzLog = new PtzLogStore(db);
  const connects: string[] = [];
  const driver = new OnvifPtzDriver({
    pulseMs: o.pulseMs ?? 100,
    callTimeoutMs: o.callTimeoutMs ?? 2000,
    connect: (c: OnvifConnectOptions) => {
      connects.push(c.url ?? '');
      return connectOnvif(c);
    },
  });
  t.teardown(() => driver.close());
  const ptz = new PtzService({ cameras, ptzLog, holds: new PtzHoldStore(db), log: silentLogger(), driverFor: driver.driverFor, driverTimeoutMs: o.driverTimeoutMs });
  const add = (access: CameraAccess, over: Partial<CameraRecord> = {}): { num: string; stored: StoredCamera } => {
    const rec = addCamera(cameras, over, access);
    return { num: rec.cameraNum, stored: cameras.byNum(rec.cameraNum)! };
  };
  const addSim = (cam: OnvifCamera, password = 'secret', over: Partial<CameraRecord> = {}) =>
    add({ onvifUrl: cam.url, onvifUser: 'admin', onvifPassword: password }, over);
  return { cameras, ptzLog, ptz, driver, connects, add, addSim };
}

const ptzCalls = (cam: OnvifCamera, since = 0): OnvifCall[] =>
  cam.calls().filter((c) => c.at >= since && ['ContinuousMove', 'Stop', 'Move', 'SendAuxiliaryCommand', 'SetImagingSettings'].includes(c.action));

t.test('pan, tilt and zoom: velocity scales with step, Stop follows after the pulse, one connect for all', async (t) => {
  const cam = await sim(t, { ptz: true });
  const r = rig(t, { pulseMs: 120 });
  const { num, stored } = r.addSim(cam);
  const cases = [
    ['left', 8, { x: -1, y: 0, zoom: 0 }],
    ['right', 4, { x: 0.5, y: 0, zoom: 0 }],
    ['up', 2, { x: 0, y: 0.25, zoom: 0 }],
    ['down', 6, { x: 0, y: -0.75, zoom: 0 }],
    ['zoom-wide', 1, { x: 0, y: 0, zoom: -0.125 }],
    ['zoom-tele', 8, { x: 0, y: 0, zoom: 1 }],
  ] as const;
  for (const [action, step, velocity] of cases) {
    const before = cam.calls().length;
    t.same(await r.ptz.control(LOCAL, num, action, step), { code: 200, msg: '成功' }, `action ${action}`);
    t.same(cam.ptz()?.velocity, velocity, `action ${action} step ${step}: answered while moving, its Stop still pending`);
    await r.driver.settled(stored);
    t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 }, 'stopped after the pulse');
    const calls = cam.calls().slice(before).filter((c) => c.service === 'ptz');
    t.same(calls.map((c) => `${c.action} ${c.ok}`), ['ContinuousMove true', 'Stop true']);
    t.match(calls[0]!.body, { Timeout: 'PT1.12S' }, 'the camera would stop by itself a second after the pulse');
    const gap = calls[1]!.at - calls[0]!.at;
    t.ok(gap >= 118, `Stop came ${gap} ms after the move (pulse 120 ms)`);
  }
  t.same(r.connects, [cam.url], 'connected once, reused for every command');
  const rows = r.ptzLog.query();
  t.equal(rows.length, 6);
  t.ok(rows.every((row) => row.code === 200 && row.actor === 'local:li' && row.latencyMs > 0), 'logged with their latency');
});

t.test('focus through imaging Move/Stop, iris in dB steps in manual exposure', async (t) => {
  const cam = await sim(t, { ptz: true });
  const r = rig(t, { pulseMs: 100 });
  const { num, stored } = r.addSim(cam);
  t.equal((await r.ptz.control(PROVINCE, num, 'focus-near', 4)).code, 200);
  t.same(cam.imaging().focusMove, { mode: 'continuous', value: -0.5 }, 'focus near: negative speed');
  await r.driver.settled(stored);
  t.equal(cam.imaging().focusMove, undefined, 'focus stopped');
  t.equal((await r.ptz.control(PROVINCE, num, 'focus-far', 8)).code, 200);
  t.same(cam.imaging().focusMove, { mode: 'continuous', value: 1 }, 'focus far: positive speed');
  await r.driver.settled(stored);
  t.equal(cam.imaging().focusMove, undefined);

  t.equal(cam.imaging().exposureMode, 'AUTO');
  t.equal((await r.ptz.control(PROVINCE, num, 'iris-close', 3)).code, 200);
  t.match(cam.imaging(), { iris: -3, exposureMode: 'MANUAL' }, 'iris close 3 steps = 3 dB');
  t.equal((await r.ptz.control(PROVINCE, num, 'iris-open', 1)).code, 200);
  t.equal(cam.imaging().iris, -2);
  for (let i = 0; i < 3; i++) t.equal((await r.ptz.control(PROVINCE, num, 'iris-close', 8)).code, 200);
  t.equal(cam.imaging().iris, -22, 'clamped at the smallest opening');
  t.equal((await r.ptz.control(PROVINCE, num, 'iris-open', 8)).code, 200);
  t.equal(cam.imaging().iris, -14);
  const last = cam.calls().filter((c) => c.action === 'SetImagingSettings').at(-1)!;
  t.match(last.body, { ImagingSettings: { Exposure: { Mode: 'MANUAL', Iris: '-14' } } });

  // Another client (the camera's web page, a keyboard) moves the iris: the next step starts from there.
  const other = await connectOnvif({ url: cam.url, user: 'admin', password: 'secret', timeoutMs: 3000 });
  await other.setIris(-6);
  t.equal((await r.ptz.control(PROVINCE, num, 'iris-open', 2)).code, 200);
  t.equal(cam.imaging().iris, -4, 'iris read back from the camera before the step');
});

t.test('light: tt:Light first, tt:IRLamp where that is all the camera has, 403 when it has neither', async (t) => {
  const both = await sim(t, { ptz: true });
  const irOnly = await sim(t, { ptz: true, auxCommands: ['tt:Wiper|On', 'tt:IRLamp|On', 'tt:IRLamp|Off'] });
  const wiperOnly = await sim(t, { ptz: true, auxCommands: ['tt:Wiper|On', 'tt:Wiper|Off'] });
  const r = rig(t);
  const a = r.addSim(both);
  t.equal((await r.ptz.control(PROVINCE, a.num, 'light-on', 1)).code, 200);
  t.equal((await r.ptz.control(PROVINCE, a.num, 'light-off', 1)).code, 200);
  t.same(both.ptz()?.auxCommands, ['tt:Light|On', 'tt:Light|Off']);

  const b = r.addSim(irOnly);
  t.equal((await r.ptz.control(PROVINCE, b.num, 'light-on', 5)).code, 200);
  t.equal((await r.ptz.control(PROVINCE, b.num, 'light-off', 5)).code, 200);
  t.same(irOnly.ptz()?.auxCommands, ['tt:IRLamp|On', 'tt:IRLamp|Off']);
  t.same(
    irOnly.calls().filter((c) => c.action === 'SendAuxiliaryCommand').map((c) => `${String((c.body as { AuxiliaryData: string }).AuxiliaryData)} ${c.ok}`),
    ['tt:IRLamp|On true', 'tt:IRLamp|Off true'],
    'the lamp the node advertises, without trying tt:Light first',
  );

  const c = r.addSim(wiperOnly, 'secret', { cameraName: 'K1900 dome' });
  t.same(await r.ptz.control(PROVINCE, c.num, 'light-on', 1), {
    code: 403,
    msg: 'PTZ refused: K1900 dome has no light: it advertises tt:Wiper|On, tt:Wiper|Off',
  });
  t.same(wiperOnly.ptz()?.auxCommands, [], 'nothing sent');

  // A node that lists no auxiliary commands at all: each lamp is tried.
  const silent = await sim(t, { ptz: true, auxCommands: [] });
  const d = r.addSim(silent, 'secret', { cameraName: 'K1901 dome' });
  t.same(await r.ptz.control(PROVINCE, d.num, 'light-on', 1), { code: 403, msg: 'PTZ refused: K1901 dome has no light: it accepts none of tt:Light|On, tt:IRLamp|On' });
  t.same(silent.calls().filter((c) => c.action === 'SendAuxiliaryCommand').map((c) => c.ok), [false, false], 'both lamps tried');
});

t.test('a fixed camera: pan/tilt/zoom and light refused with 403 naming what it lacks; focus and iris work', async (t) => {
  const bullet = await sim(t);
  const r = rig(t);
  const { num, stored } = r.addSim(bullet, 'secret', { cameraName: 'K1844 bullet' });
  for (const action of ['left', 'right', 'up', 'down', 'zoom-wide', 'zoom-tele'] as const) {
    t.same(await r.ptz.control(PROVINCE, num, action, 4), { code: 403, msg: 'PTZ refused: K1844 bullet is a fixed camera: it offers no ONVIF PTZ service' });
  }
  t.same(await r.ptz.control(PROVINCE, num, 'light-on', 4), {
    code: 403,
    msg: 'PTZ refused: K1844 bullet offers no ONVIF PTZ service, which carries the light (auxiliary) commands',
  });
  t.equal((await r.ptz.control(PROVINCE, num, 'focus-near', 4)).code, 200, 'a bullet still has a motorised lens');
  await r.driver.settled(stored);
  t.equal((await r.ptz.control(PROVINCE, num, 'iris-open', 4)).code, 200);
  t.equal(ptzCalls(bullet).filter((c) => c.action === 'ContinuousMove' || c.action === 'SendAuxiliaryCommand').length, 0, 'nothing sent for refused actions');
  t.same(r.ptzLog.query().map((row) => row.code).reverse(), [403, 403, 403, 403, 403, 403, 403, 200, 200]);
});

t.test('a wrong password is a clear 500, and the right one works on the same camera', async (t) => {
  const cam = await sim(t, { ptz: true });
  const r = rig(t);
  const bad = r.addSim(cam, 'wrong', { cameraName: 'K1 dome' });
  const out = await r.ptz.control(PROVINCE, bad.num, 'left', 1);
  t.equal(out.code, 500);
  t.match(out.msg, /^PTZ failed: K1 dome refused the ONVIF user "admin": wrong user or password \(ONVIF 127\.0\.0\.1:\d+ connect: /);
  t.equal(cam.ptz()?.velocity.x, 0, 'the camera did not move');
  t.equal((await r.ptz.control(PROVINCE, bad.num, 'left', 1)).code, 500, 'no cached half-connection: tried again, refused again');
  t.equal(r.connects.length, 2);
  const good = r.addSim(cam, 'secret');
  t.equal((await r.ptz.control(PROVINCE, good.num, 'left', 1)).code, 200);
});

t.test('unreachable and silent cameras answer with a clear error within the time limits', async (t) => {
  const r = rig(t, { callTimeoutMs: 300, driverTimeoutMs: 3000 });
  const closed = r.add({ onvifUrl: `http://127.0.0.1:${await freePort()}/onvif/device_service`, onvifUser: 'admin', onvifPassword: 'x' }, { cameraName: 'K2 gone' });
  const refused = await r.ptz.control(PROVINCE, closed.num, 'right', 4);
  t.equal(refused.code, 500);
  t.match(refused.msg, /^PTZ failed: K2 gone is unreachable over ONVIF \(ONVIF 127\.0\.0\.1:\d+ connect: ECONNREFUSED/);

  // Accepts the TCP connection and never answers, like a camera whose web server hung.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as net.AddressInfo).port;
  const hung = r.add({ onvifUrl: `http://127.0.0.1:${port}/onvif/device_service`, onvifUser: 'admin', onvifPassword: 'x' }, { cameraName: 'K3 hung' });
  const started = Date.now();
  const out = await r.ptz.control(PROVINCE, hung.num, 'up', 4);
  const took = Date.now() - started;
  t.equal(out.code, 500);
  t.match(out.msg, /^PTZ failed: K3 hung did not answer in time \(ONVIF 127\.0\.0\.1:\d+ connect: /);
  t.ok(took < 3000, `answered in ${took} ms, before PtzService's own limit`);

  // PtzService's limit still bounds a driver whose calls are slower than the province may wait.
  const impatient = rig(t, { callTimeoutMs: 2000, driverTimeoutMs: 200 });
  const h2 = impatient.add({ onvifUrl: `http://127.0.0.1:${port}/onvif/device_service`, onvifUser: 'admin', onvifPassword: 'x' });
  t.same(await impatient.ptz.control(PROVINCE, h2.num, 'up', 4), { code: 500, msg: 'PTZ failed: camera did not answer within 200 ms' });
});

t.test('a new command during a pulse cancels its Stop; no Stop ever lands inside a later move', async (t) => {
  const cam = await sim(t, { ptz: true });
  const pulseMs = 150;
  const r = rig(t, { pulseMs });
  const { num, stored } = r.addSim(cam);
  const t0 = Date.now();
  t.equal((await r.ptz.control(PROVINCE, num, 'left', 2)).code, 200);
  t.equal((await r.ptz.control(PROVINCE, num, 'right', 6)).code, 200, 'sent while the first pulse runs');
  t.same(cam.ptz()?.velocity, { x: 0.75, y: 0, zoom: 0 });
  // Focus is another axis: its pulse must not cancel the pan's Stop, nor the other way round.
  t.equal((await r.ptz.control(PROVINCE, num, 'focus-far', 4)).code, 200);
  await r.driver.settled(stored);
  const calls = ptzCalls(cam, t0);
  t.same(
    calls.map((c) => `${c.service}:${c.action}`),
    ['ptz:ContinuousMove', 'ptz:ContinuousMove', 'imaging:Move', 'ptz:Stop', 'imaging:Stop'],
    'one Stop per axis, after the last move',
  );
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });
  t.equal(cam.imaging().focusMove, undefined);

  // Commands at random spacings around the pulse: whatever the timing, a Stop always comes a full pulse after
  // the ContinuousMove before it, and the camera ends stopped.
  const t1 = Date.now();
  for (let i = 0; i < 25; i++) {
    t.equal((await r.ptz.control(PROVINCE, num, (['left', 'right', 'up', 'down'] as const)[i % 4]!, 1 + (i % 8))).code, 200);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * pulseMs * 1.5)));
  }
  await r.driver.settled(stored);
  const seq = ptzCalls(cam, t1).filter((c) => c.service === 'ptz');
  // How many Stops the random spacing produces varies: the checks collect offenders, so the
  // test asserts the same number of things every run.
  let lastMove = -Infinity;
  const unanswered: string[] = [];
  const earlyStops: number[] = [];
  for (const c of seq) {
    if (!c.ok) unanswered.push(c.action);
    if (c.action === 'ContinuousMove') lastMove = c.at;
    else if (c.at - lastMove < pulseMs - 2) earlyStops.push(c.at - lastMove);
  }
  t.same(unanswered, [], `all ${seq.length} calls answered`);
  t.same(earlyStops, [], `every Stop a full pulse (${pulseMs} ms) after the move before it`);
  t.equal(seq.at(-1)?.action, 'Stop', 'the last call is a Stop');
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });
});

t.test('after the camera restarts, the next command reconnects', async (t) => {
  const port = await freePort();
  const first = await startOnvifCamera({ password: 'secret', ptz: true, port });
  let firstOpen = true;
  t.teardown(() => (firstOpen ? first.close() : undefined));
  const r = rig(t);
  const { num, stored } = r.addSim(first, 'secret', { cameraName: 'K5 dome' });
  t.equal((await r.ptz.control(PROVINCE, num, 'up', 4)).code, 200);
  await r.driver.settled(stored);
  await first.close();
  firstOpen = false;

  const down = await r.ptz.control(PROVINCE, num, 'up', 4);
  t.equal(down.code, 500);
  t.match(down.msg, /K5 dome is unreachable over ONVIF/);

  const second = await sim(t, { ptz: true, port });
  t.equal((await r.ptz.control(PROVINCE, num, 'down', 4)).code, 200);
  t.same(second.ptz()?.velocity, { x: 0, y: -0.5, zoom: 0 }, 'the restarted camera moves');
  t.equal(r.connects.length, 2, 'one fresh connect after the failure');
  t.ok(second.calls().some((c) => c.action === 'GetProfiles'), 'the new connection read the profiles again');
  await r.driver.settled(stored);
  t.same(second.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });
});

t.test('close() sends pending Stops at once', async (t) => {
  const cam = await sim(t, { ptz: true });
  const r = rig(t, { pulseMs: 5000 });
  const { num } = r.addSim(cam);
  t.equal((await r.ptz.control(PROVINCE, num, 'zoom-tele', 8)).code, 200);
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 1 });
  const started = Date.now();
  await r.driver.close();
  t.ok(Date.now() - started < 2000, 'did not wait for the 5 s pulse');
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });
  t.match(await r.ptz.control(PROVINCE, num, 'zoom-tele', 8), { code: 500, msg: /shutting down/ });
});
