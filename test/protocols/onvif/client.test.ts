// The typed ONVIF layer against the ONVIF camera simulator over loopback.
import net from 'node:net';
import t from 'tap';
import { connectOnvif, type OnvifDevice } from '../../../src/protocols/onvif/index.js';
import type { OnvifCamera } from '../../../src/sim/onvif/index.js';
import { freePort } from '../../../src/sim/ports.js';
import { onvifFailure, onvifSim } from '../../helpers/onvif.js';

async function connect(cam: OnvifCamera): Promise<OnvifDevice> {
  return connectOnvif({ url: cam.url, user: 'admin', password: 'secret', timeoutMs: 3000 });
}

t.test('info, MAC and capabilities of a fixed camera', async (t) => {
  const cam = await onvifSim(t, { manufacturer: 'HIKVISION', model: 'DS-2CD2T47', firmware: 'V5.7.1', serial: 'DS-1234', hardwareId: '88', mac: 'A4:14:37:00:11:22' });
  const dev = await connectOnvif({ hostname: cam.host, port: cam.port, user: 'admin', password: 'secret', timeoutMs: 3000 });
  t.same(await dev.info(), { manufacturer: 'HIKVISION', model: 'DS-2CD2T47', firmware: 'V5.7.1', serial: 'DS-1234', hardwareId: '88' });
  t.equal(await dev.networkMac(), 'a4:14:37:00:11:22');
  t.same(dev.capabilities(), { ptz: false, imaging: true, media2: false });
  t.equal(dev.address, `127.0.0.1:${cam.port}`);
});

t.test('profiles, stream and snapshot URIs', async (t) => {
  const cam = await onvifSim(t, { rtsp: { main: 'rtsp://127.0.0.1:8554/main', sub: 'rtsp://127.0.0.1:8554/sub' } });
  const dev = await connect(cam);
  t.same(await dev.profiles(), [
    { token: 'Profile_1', name: (await dev.profiles())[0]?.name, encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, gop: 50, encoderToken: 'VideoEncoder_1' },
    { token: 'Profile_2', name: (await dev.profiles())[1]?.name, encoding: 'H264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gop: 50, encoderToken: 'VideoEncoder_2' },
  ]);
  t.equal(await dev.streamUri('Profile_1'), 'rtsp://127.0.0.1:8554/main');
  t.equal(await dev.streamUri('Profile_2'), 'rtsp://127.0.0.1:8554/sub');
  t.match(await dev.snapshotUri('Profile_1'), new RegExp(`^http://127\\.0\\.0\\.1:${cam.port}/`));
  const e = await onvifFailure(dev.streamUri('nope'));
  t.equal(e.kind, 'fault');
  t.match(e.message, new RegExp(`127\\.0\\.0\\.1:${cam.port} GetStreamUri: no profile nope`));
});

t.test('clock drift, setClock and re-learning the clock', async (t) => {
  const cam = await onvifSim(t, { clockOffsetMs: 90_000, timeZone: 'UTC0', maxClockSkewMs: 30_000 });
  const dev = await connect(cam);
  const before = await dev.clock();
  t.ok(Math.abs(before.driftMs - 90_000) < 1000, `drift before ${before.driftMs} ms`);
  t.ok(Math.abs(before.cameraUtcMs - (Date.now() + 90_000)) < 1000);
  const r = await dev.setClock();
  t.ok(Math.abs(r.driftBeforeMs - 90_000) < 1000, `driftBeforeMs ${r.driftBeforeMs}`);
  t.ok(Math.abs(cam.clockOffsetMs) < 1000, `simulator offset now ${cam.clockOffsetMs} ms`);
  t.equal(cam.timeZone, 'CST-8');
  const after = await dev.clock();
  t.ok(Math.abs(after.driftMs) < 1000, `drift after ${after.driftMs} ms`);
  // A strict camera refuses tokens signed with the stale +90 s clock, so this proves the client re-learnt it.
  t.equal((await dev.info()).manufacturer, 'SimCam');
  const explicit = Date.UTC(2030, 0, 2, 3, 4, 5);
  await dev.setClock(explicit, 'UTC0');
  t.ok(Math.abs(cam.clockOffsetMs - (explicit - Date.now())) < 2000);
  t.equal(cam.timeZone, 'UTC0');
  t.equal((await dev.info()).manufacturer, 'SimCam', 'still signing correctly after a jump to 2030');
});

t.test('setEncoder applies settings and surfaces the camera refusal', async (t) => {
  const cam = await onvifSim(t);
  const dev = await connect(cam);
  await dev.setEncoder('VideoEncoder_2', { width: 704, height: 576, fps: 15, bitrateKbps: 512, gop: 30, encoding: 'H264' });
  t.match(cam.profiles()[1]?.encoder, { width: 704, height: 576, frameRateLimit: 15, bitrateLimit: 512, govLength: 30 });
  t.match((await dev.profiles())[1], { width: 704, height: 576, fps: 15, bitrateKbps: 512, gop: 30 });
  const e = await onvifFailure(dev.setEncoder('VideoEncoder_1', { width: 1920, height: 1080, fps: 60, bitrateKbps: 4096, gop: 50, encoding: 'H264' }));
  t.equal(e.kind, 'fault');
  t.match(e.message, /SetVideoEncoderConfiguration: FrameRateLimit 60 outside 1\.\.25/);
  t.match(e.subcodes, ['env:Sender', 'ter:InvalidArgVal', 'ter:ConfigModify']);
  t.match(cam.profiles()[0]?.encoder, { frameRateLimit: 25 }, 'refused change left the encoder alone');
});

t.test('wrong password is kind auth', async (t) => {
  const cam = await onvifSim(t);
  const e = await onvifFailure(connectOnvif({ url: cam.url, user: 'admin', password: 'wrong', timeoutMs: 3000 }));
  t.equal(e.kind, 'auth');
  t.match(e.message, new RegExp(`127\\.0\\.0\\.1:${cam.port}`));
});

t.test('a closed port is kind unreachable, quickly', async (t) => {
  const port = await freePort();
  const t0 = Date.now();
  const e = await onvifFailure(connectOnvif({ hostname: '127.0.0.1', port, user: 'admin', password: 'x', timeoutMs: 5000 }));
  t.equal(e.kind, 'unreachable');
  t.match(e.message, `127.0.0.1:${port}`);
  t.ok(Date.now() - t0 < 1000, `failed in ${Date.now() - t0} ms`);
});

t.test('a port that accepts but never answers is kind timeout', async (t) => {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  const port = (srv.address() as net.AddressInfo).port;
  const t0 = Date.now();
  const e = await onvifFailure(connectOnvif({ hostname: '127.0.0.1', port, user: 'admin', password: 'x', timeoutMs: 500 }));
  const ms = Date.now() - t0;
  t.equal(e.kind, 'timeout');
  t.match(e.message, `127.0.0.1:${port}`);
  t.ok(ms >= 400 && ms < 3000, `timed out after ${ms} ms`);
});
