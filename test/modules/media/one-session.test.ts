// One RTSP session per camera stream, whatever starts first (issue 15): the constant push, a
// snapshot and a quality burst started together must all land on the engine's one shared pull
// of each stream, counted at the simulated camera.
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { cameraStreamsOf } from '../../../src/modules/cameraEncoding/cameraStreams.js';
import { readBurst } from '../../../src/modules/quality/start.js';
import { SnapshotCapture } from '../../../src/modules/snapshots/capture.js';
import { SUB_CIF_H264, SUB_D1_H264, type ClipSpec } from '../../../src/sim/camera/index.js';
import { startMediaRig, until } from '../../helpers/media.js';
import { constantKey, constantOrder } from '../../../src/modules/uplinks/province/constantPush.js';

const D1: ClipSpec = { ...SUB_D1_H264, seconds: 4, gopFrames: 25 };
const CIF: ClipSpec = { ...SUB_CIF_H264, seconds: 4, gopFrames: 25 };
const ROUNDS = 5;

t.test('constant push + snapshot + quality burst started together: one session per camera stream, every time', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'c', main: D1, sub: CIF, pushType: 1 }] });
  const cam = rig.camera('c');
  const num = cam.record.cameraNum;
  const streams = cameraStreamsOf(rig.db, 'gateway');
  const capture = new SnapshotCapture({
    ffmpeg: rig.runtime.ffmpeg,
    frames: rig.engine,
    streams,
    rtspTransport: 'tcp',
    timeoutMs: 10_000,
    jpegQuality: 5,
    log: silentLogger(),
  });
  const camera = rig.cams.get('c')!;
  const totals = () => new Map(camera.stats().map((s) => [s.path, s.sessionsTotal]));
  const pushRow = () => rig.engine.statusRows().find((r) => r.key === `constant:${num}`);

  for (let round = 0; round < ROUNDS; round++) {
    const before = totals();
    // Every order of the three starts, each on its own turn of the event loop.
    const starts = [
      async () => void (await rig.engine.start(constantOrder(cam, async () => rig.rtmp.url('rtmp', `one-${num}-${round}`), () => ({})))),
      async () => void (await capture.capture(cam)),
      async () => void (await readBurst(cam, { frames: rig.engine, streams, seconds: 0.5, ffmpeg: rig.runtime.ffmpeg })),
    ].sort(() => Math.random() - 0.5);
    await Promise.all(starts.map((start, i) => new Promise((r) => setTimeout(r, i * Math.random() * 50)).then(start)));
    await until('the constant push running', () => pushRow()?.state === 'running', 20_000);
    await rig.engine.stop(constantKey(num));
    await until('every camera session closed', () => camera.stats().every((s) => s.sessionsActive === 0), 20_000);
    const after = totals();
    const opened = (path: string) => (after.get(path) ?? 0) - (before.get(path) ?? 0);
    t.equal(opened('sub'), 1, `round ${round}: one session on the sub stream (push, burst and maybe the snapshot)`);
    t.ok(opened('main') <= 1, `round ${round}: at most one on the main stream (${opened('main')}; a snapshot that started first)`);
  }
});
