// The cascade against the upper-platform simulator over real sockets on 127.0.0.1, with the real
// media engine (FFmpeg pulling a simulated RTSP camera), real SQLite and a real RTMP server.
import crypto from 'node:crypto';
import t, { type Test } from 'tap';
import { cascadePlatformSchema, type CascadePlatformConfig } from '../../../src/config/schema/cascade.js';
import { silentLogger } from '../../../src/log.js';
import { cameraListPort, cameraStatePort, ptzPort } from '../../../src/modules/cascade/appPorts.js';
import { engineMediaPort } from '../../../src/modules/cascade/enginePort.js';
import { startCascade, type CascadeService } from '../../../src/modules/cascade/service.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { PushRegistry } from '../../../src/modules/uplinks/province/pushOrders.js';
import { PtzService, type PtzDriver } from '../../../src/modules/ptz/controller.js';
import { cameraRecordSchema, ONLINE, VIDEO_TYPES } from '../../../src/protocols/province/messages.js';
import { SUB_CIF_H264, type ClipSpec } from '../../../src/sim/camera/index.js';
import { GbUpperPlatformSim, type UpperPlatformOptions } from '../../../src/sim/gbPlatform/index.js';
import { sampleCameraRecordFields } from '../../../src/sim/sampleCamera.js';
import { CascadeCodeStore } from '../../../src/store/cascadeCodes.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { startMediaRig, until, type MediaRig } from '../../helpers/media.js';

const UPPER_ID = '44000000002000000001';
const UPPER_DOMAIN = '4400000000';
const LOCAL_ID = '44020000002000000001';
const PASSWORD = 'cascade-secret';
const TIMERS = { T1: 50, T2: 400, T4: 500 };
const EXTRA_CAMERAS = 55;

function platform(port: number, over: Partial<CascadePlatformConfig> = {}): CascadePlatformConfig {
  return cascadePlatformSchema.parse({
    name: 'upper',
    upper_id: UPPER_ID,
    upper_domain: UPPER_DOMAIN,
    upper_address: '127.0.0.1',
    upper_port: port,
    local_id: LOCAL_ID,
    local_address: '127.0.0.1',
    local_port: 0,
    password: PASSWORD,
    heartbeat_s: 1,
    heartbeat_misses: 2,
    register_interval_s: 1,
    segments: [
      { from: '44020000002160000001', to: '44020000002160000999' },
      { from: '44020000001320000001', to: '44020000001320000999' },
    ],
    ...over,
  });
}

interface Rig {
  media: MediaRig;
  cameraNum: string;
  state: CameraStateTracker;
  ptzLog: PtzLogStore;
  moves: { cameraNum: string; action: string; step: number }[];
  push: PushRegistry;
  cascade(platforms: CascadePlatformConfig[]): Promise<CascadeService>;
}

async function rig(tt: Test, maxOutputs = 4, clip: ClipSpec = SUB_CIF_H264): Promise<Rig> {
  const media = await startMediaRig(tt, { cameras: [{ id: 'live', main: clip }], media: { max_outputs: maxOutputs } });
  // Cameras with records only (no stream): the tree and the catalog pages.
  for (let i = 1; i <= EXTRA_CAMERAS; i++) {
    const roads = ['G4', 'S2', 'G15'];
    media.store.put({
      id: `rec-${i}`,
      record: cameraRecordSchema.parse({
        ...sampleCameraRecordFields(i, { road: roads[i % 3], roadSec: `段${i % 4}`, poiName: `设施${i % 5}`, areaCode: i % 2 ? 440232 : 440304 }),
        cameraNum: crypto.randomUUID(),
      }),
      access: { ip: '127.0.0.1' },
      source: 'cli',
    });
  }
  const log = silentLogger();
  const state = new CameraStateTracker({ db: media.db, cameras: media.store, outbox: new OutboxStore(media.db), fullIntervalMs: 3_600_000, log });
  const cameraNum = media.camera('live').record.cameraNum;
  state.set(cameraNum, ONLINE.online, 'test');
  const ptzLog = new PtzLogStore(media.db);
  const moves: Rig['moves'] = [];
  const driver: PtzDriver = { move: async (cam, action, step) => void moves.push({ cameraNum: cam.record.cameraNum, action, step }) };
  const ptz = new PtzService({ cameras: media.store, ptzLog, holds: new PtzHoldStore(media.db), log, driverFor: () => driver });
  const push = new PushRegistry(media.engine, { rtmp_app: 'rtmp' }, log);
  const mediaPort = engineMediaPort({ engine: media.engine, camera: (num) => media.store.byNum(num) });
  return {
    media,
    cameraNum,
    state,
    ptzLog,
    moves,
    push,
    cascade: async (platforms) => {
      const svc = startCascade({ platforms, cameras: cameraListPort(media.store), state: cameraStatePort(state), ptz: ptzPort(ptz), media: mediaPort, codes: new CascadeCodeStore(media.db), log, timers: TIMERS });
      await svc.start();
      tt.teardown(() => svc.stop());
      return svc;
    },
  };
}

async function upper(tt: Test, over: Partial<UpperPlatformOptions> = {}): Promise<GbUpperPlatformSim> {
  const sim = await GbUpperPlatformSim.start({ serverId: UPPER_ID, domain: UPPER_DOMAIN, passwordOf: (id) => (id === LOCAL_ID ? PASSWORD : undefined), timers: TIMERS, ...over });
  tt.teardown(() => sim.close());
  return sim;
}

t.test('registration, keep-alives, catalog, queries, PTZ, status NOTIFY, INVITE over each transport', async (t) => {
  const r = await rig(t);
  const sim = await upper(t, { strict: { callIdReuse: true, strictCodes: true, requireRport: true, keepaliveCseqMethod: 'NOTIFY' }, grantExpires: 2 });
  const svc = await r.cascade([platform(sim.port, { keepalive_cseq_method: 'NOTIFY' })]);
  const link = svc.links[0]!;

  await sim.until(() => sim.registrations.length >= 3, 8000, 'three registrations (a 2 s grant is refreshed every second)');
  t.equal(new Set(sim.registrations.map((x) => x.callId)).size, 1, 'every refresh reuses the Call-ID (strict upper side)');
  await sim.until(() => sim.keepalives.length >= 2, 5000, 'two keep-alives');
  t.same([...new Set(sim.keepalives.map((k) => k.cseqMethod))], ['NOTIFY'], 'keep-alives carry the CSeq method the upper side expects');
  t.same(sim.refusals, [], 'nothing refused by the strict upper side');
  t.equal(svc.health().ok, true, 'service healthy while registered');

  const cat = await sim.queryCatalog(LOCAL_ID);
  t.equal(cat.channels.length, EXTRA_CAMERAS + 1, 'every camera is a channel');
  t.ok(cat.catalog.pages > 1, `the catalog came in ${cat.catalog.pages} pages`);
  t.ok(cat.depth >= 3, `the tree has ${cat.depth} levels above the channels`);
  t.same(cat.violations, [], 'codes pass the strict checks (20 digits, types, parents, no duplicates)');
  const liveChannel = cat.channels.find((c) => c.name === r.media.camera('live').record.cameraName)!.deviceId;
  t.equal(cat.channels.find((c) => c.deviceId === liveChannel)!.status, 'ON', 'channel status from the camera state');

  const again = await sim.queryCatalog(LOCAL_ID);
  t.same(again.catalog.items.map((i) => i.deviceId).sort(), cat.catalog.items.map((i) => i.deviceId).sort(), 'codes are stable between queries');

  const info = await sim.ask(LOCAL_ID, 'DeviceInfo');
  t.match(info.body, { Manufacturer: 'vcgw', Channel: String(EXTRA_CAMERAS + 1) }, 'DeviceInfo: manufacturer and channel count');
  const status = await sim.ask(LOCAL_ID, 'DeviceStatus');
  t.match(status.body, { Online: 'ONLINE', Result: 'OK' }, 'DeviceStatus answered');
  const records = await sim.recordInfo(LOCAL_ID, liveChannel);
  t.match(records.body, { SumNum: '0' }, 'RecordInfo: an empty list');

  t.equal(await sim.ptz(LOCAL_ID, liveChannel, { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 128, tiltSpeed: 0, zoomSpeed: 0 }), 'OK', 'PTZ answered OK');
  t.same(r.moves, [{ cameraNum: r.cameraNum, action: 'left', step: 4 }], 'PTZ forwarded to the camera driver as left, step 4');
  t.match(r.ptzLog.query({ cameraNum: r.cameraNum }), [{ actor: 'upper:upper', action: 1, code: 200 }], 'PTZ logged with the upper platform as actor');

  r.state.set(r.cameraNum, ONLINE.offline, 'camera lost');
  await sim.until(() => sim.notifications.some((n) => n.deviceId === liveChannel && n.event === 'OFF'), 5000, 'OFF notification');
  t.pass('camera loss sent upward as a catalog OFF event');
  t.equal(await sim.subscribeCatalog(LOCAL_ID), 200, 'catalog SUBSCRIBE accepted');
  r.state.set(r.cameraNum, ONLINE.online, 'camera back');
  await sim.until(() => sim.notifications.some((n) => n.deviceId === liveChannel && n.event === 'ON'), 5000, 'ON notification');
  t.pass('camera back sent upward as ON (a NOTIFY on the subscription)');

  for (const transport of ['udp', 'tcp-passive', 'tcp-active'] as const) {
    const play = await sim.invite(LOCAL_ID, liveChannel, transport);
    const ms = await play.firstMedia;
    t.ok(ms < 10_000, `${transport}: first media ${Math.round(ms)} ms after the INVITE`);
    await until(`${transport}: 2 s of video`, () => play.bytes() > 80_000, 15_000);
    const probe = await play.probe();
    t.match(probe, { codec: 'h264', fps: 25 }, `${transport}: the PS decodes to H.264 at 25 fps`);
    t.equal(link.status().streams.length, 1, `${transport}: one stream in the link status`);
    await play.bye();
    await until(`${transport}: stream ended on BYE`, () => link.status().streams.length === 0, 5000);
    t.pass(`${transport}: BYE ends the output`);
  }
});

t.test('a wrong password is refused and named', async (t) => {
  const r = await rig(t);
  const sim = await upper(t);
  const svc = await r.cascade([platform(sim.port, { name: 'wrong', password: 'nope' })]);
  const wrong = svc.links[0]!;
  await until('the wrong password is refused', () => wrong.status().state === 'failed', 5000);
  t.match(wrong.status().lastError, /403.*username and password/, 'the error says what to check');
  t.equal(svc.health().ok, false, 'service unhealthy while a platform is not registered');
  t.match(svc.health().detail, /wrong: failed/, 'health names the platform');
  t.ok(sim.refusals.some((x) => /wrong-password/.test(x)), 'the upper side refused the digest');
  t.notOk(sim.lowers.has(LOCAL_ID), 'not registered');
});

t.test('the upper side restarting and forgetting us: registered again', async (t) => {
  const r = await rig(t);
  const sim = await upper(t);
  const svc = await r.cascade([platform(sim.port)]);
  const link = svc.links[0]!;
  await until('registered', () => link.status().registrations === 1, 5000);
  const before = sim.registrations.length;
  await sim.restart();
  t.notOk(sim.lowers.has(LOCAL_ID), 'the restarted upper side forgot us');
  await until('registered again', () => link.status().registrations === 2, 8000);
  t.ok(sim.refusals.some((x) => /Keepalive from unregistered/.test(x)), 'a keep-alive was refused first');
  t.ok(sim.registrations.length === before + 1, 'one new registration after the restart');
  t.equal(link.status().state, 'registered', 'link registered');
  t.ok(sim.lowers.has(LOCAL_ID), 'the upper side knows us again');
});

t.test('one pull shared by an RTMP push and a PS output; the on-demand limit is shared', async (t) => {
  const r = await rig(t, 2);
  const sim = await upper(t);
  await r.cascade([platform(sim.port)]);
  await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
  const channel = (await sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === r.media.camera('live').record.cameraName)!.deviceId;

  const begun = await r.push.begin({ cameraNum: r.cameraNum, videoType: VIDEO_TYPES.source, serverIp: '127.0.0.1', serverPort: r.media.rtmp.port, pubName: `cascade-${Date.now()}` }, r.media.camera('live'));
  t.equal(begun.code, 200, 'the province push (source copy) started');
  const play = await sim.invite(LOCAL_ID, channel, 'udp');
  await until('PS media', () => play.bytes() > 40_000, 15_000);
  const sources = r.media.engine.statusRows().filter((x) => x.role === 'source' && x.cameraNum === r.cameraNum);
  t.equal(sources.length, 1, 'one camera pull feeds both the RTMP push and the PS output');

  await t.rejects(sim.invite(LOCAL_ID, channel, 'tcp-passive'), /486/, 'a third output is refused: 1 push + 1 PS output of max_outputs 2');
  const third = await r.push.begin({ cameraNum: r.cameraNum, videoType: VIDEO_TYPES.low, serverIp: '127.0.0.1', serverPort: r.media.rtmp.port, pubName: `cascade-low-${Date.now()}` }, r.media.camera('live'));
  t.match(third, { code: 500, msg: /1 of them PS outputs/ }, 'the province push is refused too, naming the PS outputs');
  await play.bye();
  await r.push.stopAll();
});

t.test('an H.265 camera: the PS output decodes as H.265', async (t) => {
  const r = await rig(t, 4, { ...SUB_CIF_H264, codec: 'h265' });
  const sim = await upper(t);
  await r.cascade([platform(sim.port)]);
  await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
  const channel = (await sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === r.media.camera('live').record.cameraName)!.deviceId;
  const play = await sim.invite(LOCAL_ID, channel, 'tcp-passive');
  await until('2 s of H.265', () => play.bytes() > 60_000, 15_000);
  t.match(await play.probe(), { codec: 'hevc', fps: 25 }, 'decodes to H.265 at 25 fps');
  await play.bye();
});

t.test('the upper side dropping a TCP stream without BYE: the output ends and the gateway sends BYE', async (t) => {
  const r = await rig(t);
  const sim = await upper(t);
  const svc = await r.cascade([platform(sim.port)]);
  await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
  const channel = (await sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === r.media.camera('live').record.cameraName)!.deviceId;
  const play = await sim.invite(LOCAL_ID, channel, 'tcp-passive');
  await until('media', () => play.bytes() > 20_000, 15_000);
  await play.dropMedia();
  await until('the output ended', () => svc.links[0]!.status().streams.length === 0, 5000);
  await until('BYE received', () => play.dialog.terminated !== null, 5000);
  t.equal(play.dialog.terminated, 'bye-received', 'the gateway hung up the call');
  await play.bye();
});

t.test('the upper side closing its UDP port (ICMP port unreachable): the output ends after 2 heartbeats and the gateway sends BYE', async (t) => {
  const r = await rig(t);
  const sim = await upper(t);
  const svc = await r.cascade([platform(sim.port)]);
  await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
  const channel = (await sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === r.media.camera('live').record.cameraName)!.deviceId;
  const play = await sim.invite(LOCAL_ID, channel, 'udp');
  await until('media', () => play.bytes() > 20_000, 15_000);
  const link = svc.links[0]!;
  // The receiving socket closes without a BYE: the port answers ICMP port unreachable.
  await play.dropMedia();
  await until('the output ended', () => link.status().streams.length === 0, 10_000);
  await until('BYE received', () => play.dialog.terminated !== null, 5000);
  t.equal(play.dialog.terminated, 'bye-received', 'the gateway hung up the call');
  await play.bye();
});
