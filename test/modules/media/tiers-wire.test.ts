// Every tier of CONTRACT §2, verified on the wire: what the RTMP server receives, read by ffprobe.
import t, { type Test } from 'tap';
import { VIDEO_TYPES, type VideoType } from '../../../src/protocols/province/messages.js';
import { SUB_CIF_H264, MAIN_720P_H264, type ClipSpec } from '../../../src/sim/camera/index.js';
import { measureStream, type StreamMeasure } from '../../../src/protocols/ffmpeg/measure.js';
import type { PushParams } from '../../../src/modules/media/engine.js';
import { startMediaRig, until, type MediaRig } from '../../helpers/media.js';
import { pushKey, pushOrder } from '../../../src/modules/uplinks/province/pushOrders.js';

/** A small but busy H.264 camera above 4 Mb/s: the 4M tier must bring it down. */
const MAIN_360P_FAST: ClipSpec = { codec: 'h264', width: 640, height: 360, fps: 25, bitrateKbps: 6000, gopFrames: 50, seconds: 4, pattern: 'mandelbrot' };
/** A small H.265 camera: re-encoding it must stay cheap on a 2-core CI box. */
const MAIN_360P_H265: ClipSpec = { codec: 'h265', width: 640, height: 360, fps: 25, bitrateKbps: 800, gopFrames: 50, seconds: 4 };

const near = (actual: number, expected: number, tolerance: number) => Math.abs(actual - expected) <= expected * tolerance;

let rig: MediaRig;
t.before(async () => {
  rig = await startMediaRig(t, {
    cameras: [
      { id: 'dual', main: MAIN_720P_H264, sub: SUB_CIF_H264 },
      { id: 'hevc', main: MAIN_360P_H265 },
      { id: 'fast', main: MAIN_360P_FAST },
    ],
  });
});

async function pushAndMeasure(t: Test, id: string, videoType: VideoType, params: PushParams = {}): Promise<StreamMeasure> {
  const cam = rig.camera(id);
  const url = rig.rtmp.url('rtmp', `${id}-${videoType}-${Date.now()}`);
  await rig.engine.start(pushOrder(cam, videoType, url, params));
  t.teardown(() => rig.engine.stop(pushKey(cam.record.cameraNum, videoType)));
  return measureStream(url, { seconds: 4, timeoutMs: 20_000 });
}

const detailOf = (id: string, videoType: VideoType) =>
  rig.engine.statusRows().find((r) => r.key === `push:${rig.camera(id).record.cameraNum}:${videoType}`)?.detail ?? '';

// Pushes that cost little CPU (remuxes, small transcodes) are measured side by side: the figures
// asserted are per push, and two light FFmpegs leave a 2-core box room enough. Heavy ones run alone.
t.test('light outputs side by side: low and a 640x360 high', { jobs: 2 }, async (t) => {
  t.test('low: H.264 CIF 25 fps, GOP 25, 128 kb/s, from the sub-stream', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'dual', VIDEO_TYPES.low);
    t.equal(m.codec, 'h264');
    t.same([m.width, m.height], [352, 288]);
    t.ok(near(m.fps, 25, 0.04), `fps ${m.fps}`);
    t.equal(m.gopFrames, 25);
    t.ok(near(m.videoKbps, 128, 0.2), `video ${m.videoKbps} kb/s within ±20 % of 128`);
    t.ok(m.keyframeFirst, 'starts on a keyframe');
    t.equal(m.audio?.codec, 'aac', 'silent AAC track for a fast first screen');
    t.match(detailOf('dual', VIDEO_TYPES.low), / sub /, 'made from the sub-stream');
  });
  t.test('high with request parameters: honoured within bounds, defaults otherwise', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'dual', VIDEO_TYPES.high, { width: 640, height: 360, bitRate: 512, iframe: 50, frameRate: 99 });
    t.same([m.width, m.height], [640, 360], 'requested size');
    t.ok(near(m.videoKbps, 512, 0.2), `requested bitrate (${m.videoKbps})`);
    t.equal(m.gopFrames, 50, 'requested GOP');
    t.ok(near(m.fps, 25, 0.04), `frameRate 99 is out of bounds: 25 kept (${m.fps})`);
  });
});

t.test('high: 1280x720 never above the source, 1 Mb/s, GOP 25', async (t) => {
  const m = await pushAndMeasure(t, 'dual', VIDEO_TYPES.high);
  t.equal(m.codec, 'h264');
  t.same([m.width, m.height], [1280, 720]);
  t.ok(near(m.fps, 25, 0.04), `fps ${m.fps}`);
  t.equal(m.gopFrames, 25);
  t.ok(near(m.videoKbps, 1024, 0.2), `video ${m.videoKbps} kb/s within ±20 % of 1024`);
  t.match(detailOf('dual', VIDEO_TYPES.high), / main /);
});

t.test('copies side by side (no encoder)', { jobs: 2 }, async (t) => {
  t.test('source: an H.264 camera is copied as it is', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'dual', VIDEO_TYPES.source);
    t.equal(m.codec, 'h264');
    t.same([m.width, m.height], [1280, 720]);
    t.equal(m.gopFrames, MAIN_720P_H264.gopFrames, "the camera's own GOP: nothing re-encoded");
    t.ok(near(m.videoKbps, MAIN_720P_H264.bitrateKbps, 0.3), `source rate ${m.videoKbps}`);
    t.match(detailOf('dual', VIDEO_TYPES.source), /copy/);
  });
  t.test('4M: a source below 4 Mb/s is pushed at its own rate (copy)', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'dual', VIDEO_TYPES.fourM);
    t.same([m.width, m.height], [1280, 720]);
    t.equal(m.gopFrames, MAIN_720P_H264.gopFrames);
    t.match(detailOf('dual', VIDEO_TYPES.fourM), /copy/);
  });
});

t.test('4M from a camera above 4 Mb/s: copied at once, then re-planned to 4 Mb/s once its rate is measured', async (t) => {
  const num = rig.camera('fast').record.cameraNum;
  const url = rig.rtmp.url('rtmp', `fast-2-${Date.now()}`);
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.fourM, url, {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.fourM)));
  t.match(detailOf('fast', VIDEO_TYPES.fourM), /copy/, 'the first screen comes from a copy');
  const row = () => rig.engine.statusRows().find((r) => r.key === `push:${num}:2`)!;
  await until('re-planned as a transcode', () => /libx264/.test(row().detail) && row().state === 'running', 20_000);
  const m = await measureStream(url, { seconds: 4, timeoutMs: 20_000 });
  t.same([m.codec, m.width, m.height], ['h264', 640, 360]);
  t.equal(m.gopFrames, 25, 're-encoded: our GOP, not the 50 of the camera');
  t.ok(near(m.videoKbps, 4096, 0.2), `video ${m.videoKbps} kb/s within ±20 % of 4096`);
});

t.test('H.265 camera: two 640x360 transcodes side by side', { jobs: 2 }, async (t) => {
  t.test('4M from an H.265 camera: H.264 at 4 Mb/s, never above the source size', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'hevc', VIDEO_TYPES.fourM);
    t.equal(m.codec, 'h264');
    t.same([m.width, m.height], [640, 360]);
    t.equal(m.gopFrames, 25);
    t.ok(near(m.videoKbps, 4096, 0.2), `video ${m.videoKbps} kb/s within ±20 % of 4096`);
  });
  t.test('source from an H.265 camera: re-encoded to H.264 at the source size (CONTRACT §2)', { buffered: true }, async (t) => {
    const m = await pushAndMeasure(t, 'hevc', VIDEO_TYPES.source);
    t.equal(m.codec, 'h264');
    t.same([m.width, m.height], [640, 360]);
    t.ok(near(m.fps, 25, 0.04));
    t.match(detailOf('hevc', VIDEO_TYPES.source), /libx264/);
  });
});

t.test('one RTSP session per camera stream, whatever the number of outputs', async (t) => {
  const cam = rig.camera('dual');
  const num = cam.record.cameraNum;
  const urls = [VIDEO_TYPES.low, VIDEO_TYPES.high, VIDEO_TYPES.fourM, VIDEO_TYPES.source].map((v) => rig.rtmp.url('rtmp', `one-${v}-${Date.now()}`));
  const before = rig.cams.get('dual')!.stats();
  await Promise.all(urls.map((url, videoType) => rig.engine.start(pushOrder(rig.store.byNum(num)!, videoType as VideoType, url, {}))));
  t.teardown(async () => {
    for (const v of [0, 1, 2, 3] as const) await rig.engine.stop(pushKey(num, v));
  });
  const stats = rig.cams.get('dual')!.stats();
  const main = stats.find((s) => s.path === 'main')!;
  const sub = stats.find((s) => s.path === 'sub')!;
  t.equal(main.sessionsActive, 1, 'high, 4M and source share one pull of the main stream');
  t.equal(sub.sessionsActive, 1, 'low reads the sub-stream once');
  t.ok(main.sessionsTotal - before.find((s) => s.path === 'main')!.sessionsTotal <= 1, 'no extra session was opened on the way');
  const pushes = await rig.rtmp.stats();
  for (const url of urls) {
    const stream = url.split('/').pop()!;
    t.ok(pushes.some((p) => p.stream === stream && p.publishing), `${stream} is publishing`);
  }
});
