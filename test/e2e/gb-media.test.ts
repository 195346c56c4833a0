// A GB/T 28181 channel as a camera of the real media engine: the gateway's registrar, a simulated
// camera/NVR streaming PS over RTP (UDP, TCP passive, TCP active) on 127.0.0.1, FFmpeg and the real
// RTMP server (nginx-rtmp). What the RTMP server receives is read by ffprobe.
import crypto from 'node:crypto';
import t from 'tap';
import { VIDEO_TYPES } from '../../src/protocols/province/messages.js';
import { cameraRecordSchema } from '../../src/protocols/province/messages.js';
import { SUB_CIF_H264, type ClipSpec } from '../../src/sim/camera/index.js';
import { measureStream } from '../../src/protocols/ffmpeg/measure.js';
import type { GbCameraSimOptions } from '../../src/sim/gb28181/index.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';
import type { GbService } from '../../src/modules/gb28181/service.js';
import { gbNvr, gbService } from '../helpers/gb.js';
import { sourceKindOf } from '../../src/modules/media/source.js';
import { mediaConfig, startMediaRig, until, type MediaRig } from '../helpers/media.js';
import { pushKey, pushOrder } from '../../src/modules/uplinks/province/pushOrders.js';
import { constantKey, constantOrder } from '../../src/modules/uplinks/province/constantPush.js';

const CIF_H265: ClipSpec = { ...SUB_CIF_H264, codec: 'h265', bitrateKbps: 256 };
const near = (actual: number, expected: number, tolerance: number) => Math.abs(actual - expected) <= expected * tolerance;

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A port range of 40 somewhere in 40000–59999, so parallel test files rarely meet. */
function mediaRange(): { media_port_min: number; media_port_max: number } {
  const min = 40000 + Math.floor(Math.random() * 499) * 40;
  return { media_port_min: min, media_port_max: min + 39 };
}

async function gbRig(t: Teardown, transport: 'udp' | 'tcp-passive' | 'tcp-active', cam: Partial<GbCameraSimOptions> = {}) {
  const svc: GbService = await gbService(t, { config: { stream_transport: transport, ...mediaRange() } });
  const rig: MediaRig = await startMediaRig(t, { cameras: [], sourceKinds: [sourceKindOf('gb28181', () => svc.pullFactory(mediaConfig()))] });
  const sim = await gbNvr(t, svc.registrar.port, cam);
  await sim.device.register(3600);
  const channelId = sim.device.channelIds()[1]!;
  rig.store.put({
    id: 'gb-cam',
    record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(1, { pushType: 2 }), cameraNum: crypto.randomUUID() }),
    access: { gbDeviceId: sim.deviceId, gbChannelId: channelId },
    source: 'cli',
  });
  return { svc, rig, sim, channelId, cam: rig.camera('gb-cam') };
}

for (const transport of ['udp', 'tcp-passive', 'tcp-active'] as const) {
  t.test(`${transport}: INVITE → PS decoded → source push is the camera's H.264 CIF 25 fps; BYE and ports released on stop`, async (t) => {
    const { svc, rig, sim, channelId, cam } = await gbRig(t, transport);
    const num = cam.record.cameraNum;
    const url = rig.rtmp.url('rtmp', `gb-${transport}-${Date.now()}`);
    await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, url, {}));
    t.same(sim.invites.map((i) => [i.channelId, i.transport]), [[channelId, transport]], 'one INVITE of the channel with the configured transport');
    t.match(sim.invites[0]!.ssrc, /^0\d{9}$/, 'y= SSRC of a live stream');
    const m = await measureStream(url, { seconds: 3, timeoutMs: 20_000 });
    t.equal(m.codec, 'h264');
    t.same([m.width, m.height], [352, 288]);
    t.ok(near(m.fps, 25, 0.04), `fps ${m.fps}`);
    t.equal(rig.engine.sourceStatus(num, 'main')?.state, 'running', 'the GB pull shows as a running source');
    if (transport !== 'tcp-active') t.equal(svc.ports.inUse, 1, 'one media port of the range in use');
    else t.equal(svc.ports.inUse, 0, 'TCP active: the gateway connects out, no port of the range');
    await rig.engine.stop(pushKey(num, VIDEO_TYPES.source));
    await rig.engine.close();
    await until('the device saw the BYE', () => sim.activeStreams() === 0 && sim.device.activeCalls() === 0, 10_000);
    t.equal(svc.ports.inUse, 0, 'media port released');
  });
}

t.test('H.265 over UDP decodes to H.265 of the right size (low tier transcodes it to H.264 CIF)', async (t) => {
  const { rig, cam } = await gbRig(t, 'udp', { clip: CIF_H265 });
  const num = cam.record.cameraNum;
  const url = rig.rtmp.url('rtmp', `gb-h265-${Date.now()}`);
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.low, url, {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.low)));
  t.equal(rig.engine.sourceStatus(num, 'main')?.codec, 'h265', 'the source reads H.265 from the PS');
  const m = await measureStream(url, { seconds: 2, timeoutMs: 20_000 });
  t.equal(m.codec, 'h264');
  t.same([m.width, m.height], [352, 288], 'decoded at the CIF size of the device');
});

t.test('one INVITE per channel however many outputs; the constant 128 kbps push and a 1 Mbps on-demand push', async (t) => {
  const { rig, sim, cam } = await gbRig(t, 'udp');
  const num = cam.record.cameraNum;
  const constant = rig.rtmp.url('rtmp', `gb-const-${Date.now()}`);
  await rig.engine.start(constantOrder(cam, async () => constant, () => ({})));
  t.ok(rig.engine.statusRows().some((r) => r.key === constantKey(cam.record.cameraNum)), 'the constant push runs');
  const high = rig.rtmp.url('rtmp', `gb-high-${Date.now()}`);
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.high, high, {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.high)));
  const low = await measureStream(constant, { seconds: 4, timeoutMs: 20_000 });
  t.equal(low.codec, 'h264');
  t.same([low.width, low.height], [352, 288]);
  t.ok(near(low.videoKbps, 128, 0.25), `constant push ${low.videoKbps} kb/s ≈ 128`);
  const h = await measureStream(high, { seconds: 3, timeoutMs: 20_000 });
  t.equal(h.codec, 'h264');
  t.same([h.width, h.height], [352, 288], 'never upscaled above the CIF source');
  t.equal(sim.invites.length, 1, 'both outputs share one INVITE');
});

t.test('media loss → the stream is given up and INVITEd again', async (t) => {
  const { rig, sim, cam } = await gbRig(t, 'udp');
  const num = cam.record.cameraNum;
  await rig.engine.start(constantOrder(cam, async () => rig.rtmp.url('rtmp', `gb-loss-${Date.now()}`), () => ({})));
  t.ok(rig.engine.statusRows().some((r) => r.key === constantKey(cam.record.cameraNum)), 'the constant push runs');
  await until('constant push running', () => rig.engine.sourceStatus(num, 'main')?.state === 'running', 20_000);
  await sim.muteMedia();
  await until('the source notices the silence', () => rig.engine.sourceStatus(num, 'main')?.state !== 'running', 15_000);
  t.match(rig.engine.sourceStatus(num, 'main')?.lastError ?? '', /no media|INVITE|dialog/);
  sim.unmute();
  await until('a new INVITE brings the video back', () => sim.invites.length >= 2 && rig.engine.sourceStatus(num, 'main')?.state === 'running', 30_000);
  t.ok(sim.invites.length >= 2, `re-INVITEd (${sim.invites.length} INVITEs)`);
  await rig.engine.stop(constantKey(num));
});

t.test('quirks in the media: G.711 audio in the PS, a 4 s GOP, an SSRC differing from y=', async (t) => {
  const { rig, cam } = await gbRig(t, 'tcp-passive', { media: { g711Audio: true, longGop: true, streamSsrc: 0x7fff0001 } });
  const num = cam.record.cameraNum;
  const url = rig.rtmp.url('rtmp', `gb-quirks-${Date.now()}`);
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, url, {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.source)));
  const m = await measureStream(url, { seconds: 5, timeoutMs: 25_000 });
  t.equal(m.codec, 'h264', 'video read past the audio');
  t.same([m.width, m.height], [352, 288]);
  t.ok(m.gopFrames >= 90, `the device's 4 s GOP passed through (${m.gopFrames} frames)`);
});
