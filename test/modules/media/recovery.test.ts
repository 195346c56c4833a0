// Pushes recover by themselves (camera drop, RTMP server restart), a late output starts from the
// GOP cache, and on-demand pushes that deliver nothing are given up.
import t from 'tap';
import { VIDEO_TYPES } from '../../../src/protocols/province/messages.js';
import { SUB_CIF_H264, type ClipSpec } from '../../../src/sim/camera/index.js';
import { waitFirstFrame } from '../../../src/sim/rtmp/index.js';
import { CameraFaultError } from '../../../src/modules/media/engine.js';
import { startMediaRig, until } from '../../helpers/media.js';
import { pushKey, pushOrder } from '../../../src/modules/uplinks/province/pushOrders.js';
import { constantKey, constantOrder } from '../../../src/modules/uplinks/province/constantPush.js';

/** CIF with a 4 s GOP: long enough that "before the next keyframe" is unambiguous. */
const LONG_GOP: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 100, seconds: 8 };

const publishing = async (rig: { rtmp: { stats(): Promise<Array<{ stream: string; publishing: boolean }>> } }, stream: string) =>
  (await rig.rtmp.stats()).some((s) => s.stream === stream && s.publishing);

t.test('the constant push survives a camera restart and an RTMP server restart', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'c', main: SUB_CIF_H264, pushType: 1 }] });
  const cam = rig.camera('c');
  const stream = `const-${cam.record.cameraNum}`;
  await rig.engine.start(constantOrder(cam, async () => rig.rtmp.url('rtmp', stream), () => ({})));
  t.ok(rig.engine.statusRows().some((r) => r.key === constantKey(cam.record.cameraNum)), 'the constant push runs');
  await until('constant push publishing', () => publishing(rig, stream));
  const row = () => rig.engine.statusRows().find((r) => r.key === `constant:${cam.record.cameraNum}`)!;

  // The camera reboots: its connections drop and it is gone for a moment.
  const port = rig.cams.get('c')!.port;
  await rig.cams.get('c')!.close();
  await until('the push notices', () => row().state !== 'running');
  await rig.startCamera({ id: 'c', main: SUB_CIF_H264, port });
  await until('push back after the camera restart', async () => row().state === 'running' && (await publishing(rig, stream)), 30_000);
  const reader = waitFirstFrame(rig.rtmp.url('rtmp', stream), { timeoutMs: 15_000 });
  t.teardown(() => reader.close());
  t.ok(await reader.firstFrame, 'a player gets frames after the camera came back');
  await reader.close();

  await rig.rtmp.restart();
  await until('push back after the RTMP server restart', () => publishing(rig, stream), 30_000);
  const again = waitFirstFrame(rig.rtmp.url('rtmp', stream), { timeoutMs: 15_000 });
  t.teardown(() => again.close());
  t.ok(await again.firstFrame, 'a player gets frames after the server came back');
  t.ok(row().restarts >= 2, `restarts counted (${row().restarts})`);
  t.equal(rig.cams.get('c')!.stats()[0]!.sessionsActive, 1, 'still one camera session');
});

t.test('an output started late begins from the GOP cache, before the camera sends its next keyframe', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'g', main: LONG_GOP, pushType: 1 }] });
  const cam = rig.camera('g');
  const num = cam.record.cameraNum;
  await rig.engine.start(constantOrder(cam, async () => rig.rtmp.url('rtmp', `low-${num}`), () => ({})));
  const src = () => rig.engine.sourceStatus(num, 'main');
  await until('a keyframe interval measured', () => (src()?.keyIntervalMs ?? 0) > 0, 20_000);
  const seenKey = src()!.lastKeyAt!;
  await until('the next keyframe', () => (src()?.lastKeyAt ?? 0) > seenKey, 10_000);
  const keyAt = src()!.lastKeyAt!;
  const nextKeyAt = keyAt + src()!.keyIntervalMs!;
  t.ok(nextKeyAt - keyAt >= 3500, `camera GOP ≈ 4 s (${src()!.keyIntervalMs} ms)`);

  const url = rig.rtmp.url('rtmp', `src-${num}`);
  const reader = waitFirstFrame(url, { timeoutMs: 15_000 });
  t.teardown(() => reader.close());
  await reader.ready;
  const begin = Date.now();
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, url, {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.source)));
  const first = await reader.firstFrame;
  t.ok(first < nextKeyAt, `first frame ${first - begin} ms after the start, ${nextKeyAt - first} ms before the camera's next keyframe`);
  t.equal(src()!.lastKeyAt, keyAt, 'no new keyframe from the camera was needed');
});

t.test('an on-demand push that keeps being refused is given up and reported gone', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'r', main: SUB_CIF_H264 }], media: { give_up_s: 3 } });
  const num = rig.camera('r').record.cameraNum;
  const gone: string[] = [];
  rig.events.on('outputGone', (key, reason) => gone.push(`${key}:${reason}`));
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, rig.rtmp.url('rtmp', 'refused'), {}));
  await rig.rtmp.stop(); // every reconnect is now refused
  t.teardown(() => rig.rtmp.restart());
  await until('the push is given up', () => gone.length > 0, 20_000);
  t.match(gone[0], `${pushKey(num, VIDEO_TYPES.source)}:`);
  t.notOk(rig.engine.statusRows().some((r) => r.key === `push:${num}:3`), 'no pipeline left behind');
  t.equal(rig.engine.budget.inUse(), 0, 'its slot is free again');
  await until('the camera pull is released', () => rig.engine.sourceStatus(num, 'main')?.state === 'idle', 10_000);
});

t.test('a camera that gives no video fails the start with a camera fault', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'd', main: SUB_CIF_H264 }], media: { start_timeout_s: 2, rtsp_timeout_s: 1 } });
  const num = rig.camera('d').record.cameraNum;
  await rig.cams.get('d')!.close();
  const err = await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.high, rig.rtmp.url('rtmp', 'dark'), {})).catch((e: unknown) => e);
  t.ok(err instanceof CameraFaultError, `CameraFaultError (${String(err)})`);
  t.notOk(rig.engine.statusRows().some((r) => r.role === 'ondemand'), 'nothing left running');
  t.equal(rig.engine.budget.inUse(), 0, 'the failed start holds no slot');
});

t.test('adding and removing on-demand outputs of the same camera never interrupts the constant push', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'm', main: SUB_CIF_H264, pushType: 1 }] });
  const cam = rig.camera('m');
  const num = cam.record.cameraNum;
  const stream = `steady-${num}`;
  await rig.engine.start(constantOrder(cam, async () => rig.rtmp.url('rtmp', stream), () => ({})));
  const row = () => rig.engine.statusRows().find((r) => r.key === `constant:${num}`)!;
  await until('constant push running', async () => row().state === 'running' && (await publishing(rig, stream)));
  t.same(rig.engine.budget.list().map((x) => [x.key, x.standing]), [[constantKey(num), true]], 'the constant push is in the accounting, standing');
  t.equal(rig.engine.budget.inUse(), 0, 'outside the on-demand limits');
  const bytes = async () => (await rig.rtmp.stats()).find((s) => s.stream === stream)?.bytesIn ?? 0;
  let lastBytes = await bytes();
  const framesBefore = row().frames ?? 0;
  for (const videoType of [VIDEO_TYPES.source, VIDEO_TYPES.high, VIDEO_TYPES.fourM]) {
    await rig.engine.start(pushOrder(rig.store.byNum(num)!, videoType, rig.rtmp.url('rtmp', `od-${videoType}`), {}));
    await rig.engine.stop(pushKey(num, videoType));
    const now = await bytes();
    t.ok(now >= lastBytes, `the constant stream was not republished (bytes ${lastBytes} → ${now})`);
    lastBytes = now;
  }
  t.equal(row().restarts, 0, 'no restart of the constant push');
  t.ok((row().frames ?? 0) > framesBefore, 'and it kept sending frames');
  t.equal(rig.cams.get('m')!.stats()[0]!.sessionsTotal, 1, 'one camera session all along');
});
