// Taking a JPEG for real: from a running pull's GOP cache, from the ONVIF snapshot URI of the
// simulated camera (Digest auth), and by a short pull of its own; each at least CIF.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { registerFromOnvif } from '../../../src/modules/cameras/onvifRegistration.js';
import { cameraStreamsOf } from '../../../src/modules/cameraEncoding/cameraStreams.js';
import { SnapshotCapture, snapshotArgs } from '../../../src/modules/snapshots/capture.js';
import { getWithAuth } from '../../../src/modules/snapshots/httpGet.js';
import { isAtLeastCif, jpegSize } from '../../../src/modules/snapshots/jpeg.js';
import { VIDEO_TYPES } from '../../../src/protocols/province/messages.js';
import { SUB_CIF_H264, SUB_D1_H264, type ClipSpec } from '../../../src/sim/camera/index.js';
import { renderClipJpeg, startSimCamera } from '../../../src/sim/simCamera.js';
import { CameraOnvifStore } from '../../../src/store/cameraOnvif.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { startMediaRig } from '../../helpers/media.js';
import { pushKey, pushOrder } from '../../../src/modules/uplinks/province/pushOrders.js';
import { addCamera, tempDir } from './helpers.js';

const QCIF: ClipSpec = { codec: 'h264', width: 176, height: 144, fps: 25, bitrateKbps: 64, gopFrames: 25, seconds: 4 };
const D1_SHORT: ClipSpec = { ...SUB_D1_H264, seconds: 4, gopFrames: 25 };
const CIF_SHORT: ClipSpec = { ...SUB_CIF_H264, seconds: 4, gopFrames: 25 };

/** Snapshot FFmpegs still alive below this process (they must all be gone after each capture). */
function snapshotChildren(): string[] {
  const out = execFileSync('ps', ['-eo', 'ppid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('image2pipe') && l.includes('-probesize 32768') && l.trim().startsWith(String(process.pid)));
}

t.test('JPEG size from the bytes; CIF is the floor', async (t) => {
  const jpeg = await renderClipJpeg(CIF_SHORT);
  t.same(jpegSize(jpeg), { width: 352, height: 288 });
  t.equal(jpegSize(Buffer.from('<html>401</html>')), undefined, 'an HTML page is not a JPEG');
  t.ok(isAtLeastCif({ width: 352, height: 288 }));
  t.ok(isAtLeastCif({ width: 640, height: 360 }), '16:9 640x360 has more pixels than CIF');
  t.notOk(isAtLeastCif({ width: 320, height: 240 }), 'QVGA is smaller');
  t.notOk(isAtLeastCif({ width: 176, height: 144 }), 'QCIF is smaller');
});

t.test('snapshot argv: no stream-info wait, one decoder thread, one frame, JPEG to stdout', async (t) => {
  t.same(snapshotArgs({ input: 'pipe', quality: 3 }), [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-analyzeduration', '0', '-probesize', '32768', '-f', 'mpegts', '-i', 'pipe:0',
    '-map', '0:v:0', '-frames:v', '1', '-q:v', '3', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1',
  ]);
  t.same(snapshotArgs({ input: 'rtsp://u:p@10.0.0.5/main', rtspTransport: 'tcp', timeoutS: 4, quality: 5 }).slice(10, 16), [
    '-rtsp_transport', 'tcp', '-timeout', '4000000', '-i', 'rtsp://u:p@10.0.0.5/main',
  ]);
});

t.test('from a running pull: the GOP cache of the main stream, at source resolution, no camera connection', async (t) => {
  const rig = await startMediaRig(t, { cameras: [{ id: 'd1', main: D1_SHORT, sub: CIF_SHORT }] });
  const cam = rig.camera('d1');
  const num = cam.record.cameraNum;
  t.equal(rig.engine.sourceStatus(num, 'main'), undefined, 'no pull running yet');
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, rig.rtmp.url('rtmp', `snap-${process.pid}`), {}));
  t.teardown(() => rig.engine.stop(pushKey(num, VIDEO_TYPES.source)));
  t.equal(rig.engine.sourceStatus(num, 'main')?.state, 'running', 'the main stream is pulled');
  const sessionsTotal = () => rig.cams.get('d1')!.stats().reduce((n, x) => n + x.sessionsTotal, 0);
  const sessionsBefore = sessionsTotal();
  const capture = new SnapshotCapture({
    ffmpeg: rig.runtime.ffmpeg,
    frames: rig.engine,
    streams: cameraStreamsOf(rig.db, 'gateway'),
    rtspTransport: 'tcp',
    timeoutMs: 10_000,
    jpegQuality: 3,
    log: silentLogger(),
  });
  const started = Date.now();
  const got = await capture.capture(cam);
  const ms = Date.now() - started;
  t.equal(got.source, 'stream');
  t.same([got.width, got.height], [D1_SHORT.width, D1_SHORT.height], 'the JPEG is the size of the stream');
  t.same(jpegSize(got.jpeg), { width: 704, height: 576 });
  t.ok(ms < 5000, `taken in ${ms} ms`);
  t.equal(sessionsTotal(), sessionsBefore, 'no new RTSP session at the camera');
  t.same(snapshotChildren(), [], 'the snapshot FFmpeg is gone');
  t.comment(`capture from a running D1 pull: ${ms} ms, ${got.jpeg.length} bytes`);
});

t.test('from the ONVIF snapshot URI of the simulated camera (Digest auth), and a short pull', async (t) => {
  const sim = await startSimCamera({ main: D1_SHORT, sub: QCIF, onvif: true, rtspCredentials: { user: 'admin', password: 'admin123' } });
  t.teardown(() => sim.close());
  const dir = tempDir(t);
  const db = openDb(dir);
  t.teardown(() => db.close());
  const reg = await registerFromOnvif({ url: sim.onvif!.url, user: 'admin', password: 'admin123' }, {});
  const snapUri = reg.facts.profiles.find((p) => p.role === 'main')?.snapshotUri;
  t.match(snapUri, /\/onvif\/snapshot\?channel=/, 'GetSnapshotUri advertises the URI');

  // The URI really asks for Digest, and refuses a wrong password.
  const anon = await getWithAuth(snapUri!, {}, { timeoutMs: 5000 });
  t.equal(anon.status, 401);
  const wrong = await getWithAuth(snapUri!, { user: 'admin', password: 'nope' }, { timeoutMs: 5000 });
  t.equal(wrong.status, 401, 'a wrong password is refused');

  const cameras = new CameraStore(db);
  const cam = addCamera(cameras, 1, { onvifUrl: sim.onvif!.url, onvifUser: 'admin', onvifPassword: 'admin123' });
  new CameraOnvifStore(db).put(cam.record.cameraNum, reg.facts, Date.now());
  const ffmpeg = 'ffmpeg';
  const capture = new SnapshotCapture({ ffmpeg, streams: cameraStreamsOf(db, 'gateway'), rtspTransport: 'tcp', timeoutMs: 10_000, jpegQuality: 3, log: silentLogger() });
  const viaOnvif = await capture.capture(cam);
  t.equal(viaOnvif.source, 'onvif', 'without a running pull the camera snapshot URI comes first');
  t.same([viaOnvif.width, viaOnvif.height], [704, 576], "the camera's JPEG at the main stream's size");

  // (c) A short pull: the stream URLs come from ONVIF (with the camera's account); the QCIF sub is never used.
  const started = Date.now();
  const viaPull = await capture.byPull(cam);
  const ms = Date.now() - started;
  t.equal(viaPull?.source, 'pull');
  t.same([viaPull?.width, viaPull?.height], [704, 576], 'the main stream, since the sub is below CIF');
  t.match(viaPull?.from, /^main/);
  t.same(snapshotChildren(), [], 'no FFmpeg left after the short pull');
  t.comment(`short pull of a D1 main stream: ${ms} ms`);

  // A camera with only a QCIF stream gets no snapshot rather than one below CIF.
  const small = addCamera(cameras, 2, { rtspSub: sim.url('sub', true) });
  await t.rejects(capture.capture(small), /smaller than CIF/);

  // A dead camera fails within the timeout and names every way tried.
  const dead = addCamera(cameras, 3, { rtspMain: 'rtsp://127.0.0.1:9/main' });
  const quick = new SnapshotCapture({ ffmpeg, streams: cameraStreamsOf(db, 'gateway'), rtspTransport: 'tcp', timeoutMs: 3000, jpegQuality: 3, log: silentLogger() });
  const t0 = Date.now();
  await t.rejects(quick.capture(dead), /main stream pull/);
  t.ok(Date.now() - t0 < 5000, 'bounded by the timeout');
  t.same(snapshotChildren(), [], 'nothing left behind');
});
