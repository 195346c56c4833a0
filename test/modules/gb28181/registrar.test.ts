// The gateway's GB/T 28181 registrar (src/modules/gb28181) against the device simulator over real
// UDP and TCP on 127.0.0.1: digest registration right and wrong, the Date header, expiry and
// re-register, Expires 0, keep-alive loss → offline → online, the 16-channel NVR catalogue paged
// into 16 stored candidates, DeviceInfo/DeviceStatus (clock drift), channel-status NOTIFY, and
// each signalling quirk of the simulator.
import t from 'tap';
import { parseGbTime } from '../../../src/protocols/gb28181/index.js';
import type { TransportName } from '../../../src/protocols/sip/index.js';
import { gbDevice, gbService, nextEvent } from '../../helpers/gb.js';
import { probeCameras } from '../../../src/modules/health/netcheck.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { CameraClockStore } from '../../../src/store/cameraClock.js';
import { addCamera } from '../api/helpers.js';

for (const transport of ['UDP', 'TCP'] as TransportName[]) {
  t.test(`${transport}: right password registers (Date header), wrong one is refused`, async (t) => {
    const svc = await gbService(t);
    const good = await gbDevice(t, svc, { transport });
    const registered = nextEvent(svc, 'registered', good.deviceId);
    const outcome = await good.register(600);
    t.match(outcome, { ok: true, expires: 600 });
    t.ok(outcome.ok && parseGbTime(outcome.serverDate ?? ''), 'the 200 carried a GB Date header');
    await registered;
    const row = svc.store.device(good.deviceId);
    t.match(row, { online: true, transport });
    t.ok(svc.registrar.isOnline(good.deviceId));

    const bad = await gbDevice(t, svc, { transport, deviceId: '44010000041320000009', password: 'wrong' });
    const refused = await bad.register(600);
    t.match(refused, { ok: false, status: 403 });
    t.equal(svc.store.device(bad.deviceId), undefined, 'a refused device is not stored');
  });
}

t.test('a device without a password entry may not register when there is no shared one', async (t) => {
  const svc = await gbService(t, { config: { password: '', passwords: { '44010000041320000002': 'own-secret' } } });
  const unknown = await gbDevice(t, svc);
  t.match(await unknown.register(600), { ok: false, status: 403 });
  const listed = await gbDevice(t, svc, { deviceId: '44010000041320000002', password: 'own-secret' });
  t.match(await listed.register(600), { ok: true });
});

t.test('expiry, re-register and Expires 0', async (t) => {
  const svc = await gbService(t, { config: { max_expires_s: 60 } });
  const dev = await gbDevice(t, svc);
  t.match(await dev.register(3600), { ok: true, expires: 60 }, 'a longer expiry is cut to max_expires_s');
  const first = svc.store.device(dev.deviceId)!;
  t.match(await dev.register(60), { ok: true, expires: 60 }, 're-register (refresh) accepted');
  t.ok(svc.store.device(dev.deviceId)!.expiresAt >= first.expiresAt, 'the refresh moved the expiry');

  const offline = nextEvent(svc, 'offline', dev.deviceId);
  t.match(await dev.unregister(), { ok: true });
  await offline;
  t.match(svc.store.device(dev.deviceId), { online: false }, 'unregistered: kept, offline');
  t.notOk(svc.registrar.isOnline(dev.deviceId));
  t.equal(await dev.sendKeepalive(), 403, 'a keep-alive after unregistering is refused, so the device registers again');
});

t.test('a registration that expires takes the device offline', async (t) => {
  const svc = await gbService(t, { keepaliveIntervalMs: 400 });
  const dev = await gbDevice(t, svc);
  const offline = new Promise<string>((resolve) => svc.registrar.on('offline', (_id, why) => resolve(why)));
  // Expires 1 s (below max_expires_s, which only caps); no refresh: the simulator refreshes at half, so stop it.
  t.match(await dev.register(1), { ok: true, expires: 1 });
  await dev.close();
  t.match(await offline, /registration expired|no keep-alive/);
  t.match(svc.store.device(dev.deviceId), { online: false });
});

t.test('keep-alive loss → offline after N misses → online on the next keep-alive', async (t) => {
  const svc = await gbService(t, { keepaliveIntervalMs: 200, config: { keepalive_misses: 2 } });
  const dev = await gbDevice(t, svc);
  await dev.register(3600);
  dev.startKeepalive(100);
  await new Promise((r) => setTimeout(r, 300)); // some keep-alives arrive while the device is alive
  t.ok(svc.registrar.isOnline(dev.deviceId), 'online while keeping alive');
  const offline = nextEvent(svc, 'offline', dev.deviceId);
  dev.stopKeepalive();
  await offline;
  t.match(svc.store.device(dev.deviceId), { online: false }, 'stored offline');
  const online = nextEvent(svc, 'online', dev.deviceId);
  t.equal(await dev.sendKeepalive(), 200);
  await online;
  t.match(svc.store.device(dev.deviceId), { online: true }, 'stored online again');
});

t.test('a 16-channel NVR: catalogue paged → 16 candidates stored; DeviceInfo; DeviceStatus drift; status NOTIFY', async (t) => {
  const svc = await gbService(t);
  const skewMs = 90_000;
  const dev = await gbDevice(t, svc, { channels: 16, catalogPageSize: 5, clock: () => new Date(Date.now() + skewMs) });
  const registered = nextEvent(svc, 'registered', dev.deviceId);
  await dev.register(3600);
  await registered;
  const cat = await svc.registrar.catalog(dev.deviceId);
  t.match(cat, { complete: true, sumNum: 16, pages: 4 });
  const channels = svc.store.channels(dev.deviceId);
  t.equal(channels.length, 16, '16 channel rows');
  t.same(channels.map((c) => c.channelId), dev.channelIds().sort());
  t.ok(channels.every((c) => /^\d{20}$/.test(c.channelId) && c.status === 'ON'));

  const info = await svc.registrar.deviceInfo(dev.deviceId);
  t.match(info, { channel: 16, result: 'OK' });
  t.match(svc.store.device(dev.deviceId), { channelCount: 16, manufacturer: 'vcgw-sim' });

  const status = await svc.registrar.deviceStatus(dev.deviceId);
  t.ok(status.driftMs !== null && Math.abs(status.driftMs - skewMs) < 2000, `drift recorded (${status.driftMs} ms, device ${skewMs} ms ahead)`);
  t.ok(Math.abs(svc.store.device(dev.deviceId)!.clockDriftMs! - skewMs) < 2000, 'drift stored');
  const cam = addCamera(new CameraStore(svc.store.db), {}, { gbDeviceId: dev.deviceId, gbChannelId: dev.channelIds()[0]! });
  await svc.registrar.deviceStatus(dev.deviceId);
  const clock = new CameraClockStore(svc.store.db).get(cam.cameraNum);
  t.ok(clock && Math.abs(clock.driftMs! - skewMs) < 2000, 'recorded in the camera clock table for the cameras on the device, as for ONVIF cameras');

  const ch = dev.channelIds()[2]!;
  const changed = new Promise<string>((resolve) => svc.registrar.on('channelStatus', (_d, c, e) => c === ch && resolve(e)));
  t.equal(await dev.notifyStatus(ch, 'OFF'), 200);
  t.equal(await changed, 'OFF');
  t.equal(svc.store.channels(dev.deviceId).find((c) => c.channelId === ch)!.status, 'OFF');
});

t.test('a CLI request row is carried out by the service (catalog queried again now)', async (t) => {
  const svc = await gbService(t);
  const dev = await gbDevice(t, svc, { channels: 4, catalogPageSize: 2 });
  await dev.register(3600);
  const id = svc.store.addRequest(dev.deviceId, 'catalog');
  const started = Date.now();
  while (!svc.store.request(id)?.doneAt) {
    if (Date.now() - started > 5000) throw new Error('request not served');
    await new Promise((r) => setTimeout(r, 20));
  }
  t.match(JSON.parse(svc.store.request(id)!.result!), { ok: true, complete: true, sumNum: 4 });
  const bad = svc.store.addRequest('44010000041320000077', 'catalog');
  while (!svc.store.request(bad)?.doneAt) {
    if (Date.now() - started > 5000) throw new Error('request not served');
    await new Promise((r) => setTimeout(r, 20));
  }
  t.match(JSON.parse(svc.store.request(bad)!.result!), { ok: false, error: /not registered/ });
});

t.test('quirks: reused Call-ID, keep-alive with CSeq method NOTIFY, GB2312 catalogue with vendor fields, NAT', async (t) => {
  const svc = await gbService(t, { keepaliveIntervalMs: 60_000 });
  const dev = await gbDevice(t, svc, {
    channels: 3,
    quirks: { reuseCallId: true, keepaliveCseqMethod: 'NOTIFY', gb2312Catalog: true, behindNat: true },
  });
  t.match(await dev.register(3600), { ok: true }, 'registration with a reused Call-ID');
  t.match(await dev.register(3600), { ok: true }, 'and again (same Call-ID, CSeq 1)');
  t.equal(await dev.sendKeepalive(), 200, 'keep-alive with CSeq method NOTIFY accepted');
  const cat = await svc.registrar.catalog(dev.deviceId);
  t.match(cat, { complete: true, sumNum: 3 }, 'GB2312 catalogue read');
  const rows = svc.store.channels(dev.deviceId);
  t.ok(rows.every((r) => r.status === 'ON'), 'Status ONLINE normalised to ON');
  t.ok(rows.some((r) => Object.keys(r.item.extra).length > 0), 'vendor fields kept');
  t.ok(rows.some((r) => /[\u4e00-\u9fff]/.test(r.name ?? '')), 'Chinese names decoded');
  const live = svc.registrar.device(dev.deviceId)!;
  t.equal(live.remote.address, '127.0.0.1', 'reached at the source address, not the private Via/Contact');
});

t.test('NetworkCheck of GB cameras comes from keep-alives and channel status, not a TCP connect', async (t) => {
  const svc = await gbService(t, { keepaliveIntervalMs: 200, config: { keepalive_misses: 1 } });
  const dev = await gbDevice(t, svc, { channels: 2 });
  await dev.register(3600);
  await svc.registrar.catalog(dev.deviceId);
  const [ch1, ch2] = dev.channelIds();
  const cameras = new CameraStore(svc.store.db);
  const num1 = addCamera(cameras, {}, { gbDeviceId: dev.deviceId, gbChannelId: ch1! }).cameraNum;
  const num2 = addCamera(cameras, {}, { gbDeviceId: dev.deviceId, gbChannelId: ch2! }).cameraNum;
  const probe = () => probeCameras(cameras.all(), 500, undefined, svc.stateOf);
  dev.startKeepalive(50);
  t.same((await probe()).map((r) => r.status), [1, 1], 'both channels reachable while the device keeps alive');
  const changed = new Promise<void>((resolve) => svc.registrar.on('channelStatus', () => resolve()));
  await dev.notifyStatus(ch2!, 'OFF');
  await changed;
  const byNum = async () => Object.fromEntries((await probe()).map((r) => [r.cameraNum, r]));
  t.match((await byNum())[num2], { status: 0, reason: /reported OFF/ });
  t.match((await byNum())[num1], { status: 1 });
  const offline = nextEvent(svc, 'offline', dev.deviceId);
  dev.stopKeepalive();
  await offline;
  t.match((await byNum())[num1], { status: 0, reason: /offline: keep-alives missed/ });
});
