// The GB/T 28181 device simulator against the minimal platform (src/sim/gb28181/platform.ts,
// built from the SIP and GB libraries), over real UDP and TCP on 127.0.0.1: registration with digest,
// refresh, unregister, keep-alives, paged catalog, DeviceInfo/DeviceStatus, PTZ, INVITE/BYE, and
// each quirk.
import t from 'tap';
import { parseVia, type TransportName } from '../../src/protocols/sip/index.js';
import {
  GB_RTPMAPS,
  buildSdp,
  parseCatalog,
  parseDeviceInfo,
  parseDeviceStatus,
  parseGbTime,
  parseSdp,
  ptzControl,
} from '../../src/protocols/gb28181/index.js';
import { GbDeviceSim, MiniPlatform, type GbDeviceOptions } from '../../src/sim/gb28181/index.js';

const SERVER_ID = '44010000002000000001';
const DOMAIN = '4401000000';
const timers = { T1: 50, T2: 400, T4: 500 };

/** Polls a condition the test cannot get an event for (state inside the simulator), bounded. */
async function waitFor(test: () => boolean, ms = 3000): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function setup(t: Teardown, transport: TransportName, opts: Partial<GbDeviceOptions> = {}) {
  const reg = await MiniPlatform.start({ serverId: SERVER_ID, domain: DOMAIN, timers, passwordOf: () => '12345678' });
  t.teardown(() => reg.close());
  const dev = await GbDeviceSim.start({
    deviceId: '44010000041180000001',
    password: '12345678',
    registrar: { address: '127.0.0.1', port: reg.ep.port, transport, serverId: SERVER_ID, domain: DOMAIN },
    timers,
    ...opts,
  });
  t.teardown(() => dev.close());
  return { reg, dev };
}

for (const transport of ['UDP', 'TCP'] as TransportName[]) {
  t.test(`${transport}: a 16-channel NVR registers, keeps alive, answers catalog (paged), info and status, takes PTZ`, async (t) => {
    const { reg, dev } = await setup(t, transport, { channels: 16, catalogPageSize: 5 });
    const outcome = await dev.register(3600);
    t.match(outcome, { ok: true, expires: 3600 });
    t.ok(outcome.ok && parseGbTime(outcome.serverDate ?? ''), 'the 200 carried a Date the device can set its clock from');
    t.ok(reg.devices.has(dev.deviceId), 'registrar lists the device');
    t.equal(reg.registers[0]!.remote.transport, transport);

    dev.startKeepalive(100);
    await reg.until(() => reg.keepalives.length >= 3);
    t.pass('three keep-alives arrived');
    t.ok(dev.keepalivesAcked >= 2, 'and were acknowledged');
    dev.stopKeepalive();

    const cat = await reg.queryCatalog(dev.deviceId);
    t.match(cat, { complete: true, sumNum: 16, pages: 4, duplicates: 0 });
    t.same(cat.items.map((i) => i.deviceId).sort(), dev.channelIds());
    t.ok(cat.items.every((i) => i.status === 'ON' && i.parentId === dev.deviceId));

    t.match(parseDeviceInfo(await reg.ask(dev.deviceId, 'DeviceInfo')), { channel: 16, manufacturer: 'vcgw-sim', result: 'OK' });
    const status = parseDeviceStatus(await reg.ask(dev.deviceId, 'DeviceStatus'));
    const drift = Math.abs(parseGbTime(status.deviceTime!)!.getTime() - Date.now());
    t.ok(drift < 5000, `DeviceTime is the device clock (off by ${drift} ms)`);

    const channel = dev.channelIds()[3]!;
    t.equal(await reg.send(dev.deviceId, ptzControl({ sn: 7, deviceId: channel }, { kind: 'ptz', pan: 1, tilt: 0, zoom: 0, panSpeed: 0x40, tiltSpeed: 0, zoomSpeed: 0 }), channel), 200);
    await waitFor(() => dev.ptz.length > 0);
    t.same(dev.ptz.map((p) => [p.channelId, p.command]), [[channel, { kind: 'ptz', pan: 1, tilt: 0, zoom: 0, panSpeed: 0x40, tiltSpeed: 0, zoomSpeed: 0 }]]);

    t.equal(await dev.notifyStatus(channel, 'OFF'), 200);
    await reg.until(() => reg.notifications.length === 1);
    const ev = parseCatalog(reg.notifications[0]!);
    t.same(ev.ok && ev.page.items.map((i) => [i.deviceId, i.event]), [[channel, 'OFF']]);

    t.match(await dev.unregister(), { ok: true, expires: 0 });
    t.notOk(reg.devices.has(dev.deviceId), 'unregistered with Expires 0');
  });
}

t.test('a wrong password is refused; refresh happens before expiry', async (t) => {
  const { reg, dev } = await setup(t, 'UDP', { password: 'wrong' });
  t.match(await dev.register(), { ok: false, status: 403 });
  t.equal(reg.devices.size, 0);
  const good = await GbDeviceSim.start({
    deviceId: '44010000041320000009',
    password: '12345678',
    registrar: { address: '127.0.0.1', port: reg.ep.port, transport: 'UDP', serverId: SERVER_ID, domain: DOMAIN },
    timers,
  });
  t.teardown(() => good.close());
  t.match(await good.register(1), { ok: true, expires: 1 });
  t.equal(reg.devices.get(good.deviceId)?.edition, '2016', 'no X-GB-Ver: a 2016 device');
  await reg.until(() => reg.registers.filter((r) => r.expires === 1).length >= 2, 3000);
  t.pass('re-registered within the 1 s expiry');
});

t.test('INVITE reaches the media hook with the offer; the answer carries the same y=; BYE ends the call', async (t) => {
  const offers: string[] = [];
  const { reg, dev } = await setup(t, 'UDP', {
    channels: 2,
    onInvite: async (call) => {
      offers.push(`${call.channelId} ${call.offer.transport} ${call.offer.ssrc}`);
      return { answer: { ...call.offer, username: call.channelId, address: '127.0.0.1', port: 40000, direction: 'sendonly', transport: 'tcp-active', rtpmaps: [GB_RTPMAPS[0]!] } };
    },
  });
  await dev.register();
  const channel = dev.channelIds()[1]!;
  const regd = reg.devices.get(dev.deviceId)!;
  const { response, dialog } = await reg.ep.invite({
    uri: `sip:${channel}@${DOMAIN}`,
    from: `<sip:${SERVER_ID}@${DOMAIN}>`,
    to: `<sip:${channel}@${DOMAIN}>`,
    target: regd.remote,
    extraHeaders: [['Subject', `${channel}:0100000001,${SERVER_ID}:0`]],
    body: Buffer.from(buildSdp({ username: SERVER_ID, sessionId: '0', sessionName: 'Play', address: '127.0.0.1', port: 30000, transport: 'tcp-passive', direction: 'recvonly', rtpmaps: [...GB_RTPMAPS], ssrc: '0100000001', time: [0, 0] })),
    contentType: 'application/sdp',
  });
  t.equal(response.status, 200);
  const answer = parseSdp(response.body.toString());
  t.match(answer.ok && answer.sdp, { port: 40000, transport: 'tcp-active', ssrc: '0100000001', direction: 'sendonly' });
  t.same(offers, [`${channel} tcp-passive 0100000001`]);
  await waitFor(() => dev.activeCalls() === 1);
  t.equal(dev.activeCalls(), 1, 'the device holds the call after the ACK');
  t.equal((await dialog!.bye()).status, 200);
  t.equal(dev.activeCalls(), 0, 'BYE ended it on the device');
  const unknown = await reg.ep.invite({ uri: `sip:44010000041310009999@${DOMAIN}`, from: `<sip:${SERVER_ID}@${DOMAIN}>`, to: `<sip:44010000041310009999@${DOMAIN}>`, target: regd.remote, body: Buffer.from('v=0\r\n') });
  t.equal(unknown.response.status, 404, 'an unknown channel is refused');
});

t.test('quirks: Call-ID reuse, Keepalive CSeq method, GB2312 catalog with vendor fields, NAT', async (t) => {
  const { reg, dev } = await setup(t, 'UDP', {
    channels: 3,
    quirks: { reuseCallId: true, keepaliveCseqMethod: 'NOTIFY', gb2312Catalog: true, behindNat: true },
    edition: '2022',
  });
  t.match(await dev.register(), { ok: true });
  t.equal(reg.registers[0]!.edition, '2022', 'X-GB-Ver: 3.0 read as the 2022 edition');
  t.match(await dev.register(), { ok: true }, 'registering again with the same Call-ID and CSeq 1 is accepted');
  t.equal(new Set(reg.registers.map((r) => r.callId)).size, 1);
  t.same(reg.registers.map((r) => r.cseq), ['1 REGISTER', '1 REGISTER']);
  const via = parseVia(reg.registers[0]!.via)!;
  t.match(via, { host: '192.168.1.64', port: 5060 }, 'the device wrote its private address');
  t.equal(via.params['received'], '127.0.0.1');
  t.equal(via.params['rport'], String(dev.ep.port), 'rport told it where NAT put it');

  t.equal(await dev.sendKeepalive(), 200, 'a Keepalive whose CSeq says NOTIFY is still answered');
  t.match(reg.keepalives[0], { cseq: /^\d+ NOTIFY$/ });

  const cat = await reg.queryCatalog(dev.deviceId);
  t.match(cat, { complete: true, sumNum: 3 });
  t.same(cat.items[0]!.extra, { SafetyWay: '0', RegisterWay: '1', Secrecy: '0', Block: 'Block', CertNum: 'CertNum', Certifiable: '0', ErrCode: '400', StreamNum: '2' }, 'vendor fields kept');
  t.equal(cat.items[0]!.status, 'ON', 'Status ONLINE read as ON');
  t.equal(cat.items[0]!.name, '模拟通道1', 'GB2312 name decoded');
});
