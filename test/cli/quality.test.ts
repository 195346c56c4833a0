// `vcgw quality diagnose FILE|URL|CAMERA`: a clip file, a simulated camera's RTSP URL and a
// registered camera, diagnosed in process; the JSON shape outside sets are scored with; bad input.
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { ensureSceneClip } from '../../src/sim/scene/encode.js';
import { startSimCamera } from '../../src/sim/simCamera.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { addCamera, tempDir } from '../modules/snapshots/helpers.js';
import { DAY } from '../modules/quality/scenes.js';

const CONDITIONS = ['signalLost', 'occluded', 'blurred', 'brightness', 'frozen', 'noise', 'flicker', 'stripes'];

t.test('a clip file: nine flags, eight confidences and the measures, as text and as JSON', async (t) => {
  const dir = tempDir(t, 'vcgw-qcli-');
  const vcgw = cliRunner(writeMinimalConfig(dir));
  const clip = await ensureSceneClip(
    { scene: DAY, defects: [{ kind: 'occluder', material: 'bag', cover: 0.6, from: 'bottom' }], width: 352, height: 288, fps: 25, seconds: 2, bitrateKbps: 256, gopFrames: 50, container: 'mpegts' },
    { cacheDir: path.join(os.homedir(), '.cache', 'vcgw', 'test-quality-cli') },
  );
  const json = await vcgw('quality', 'diagnose', clip, '--json');
  t.equal(json.code, 0, json.err);
  const r = JSON.parse(json.out) as { kind: string; frames: number; status: string; confidence: number[]; details: Record<string, string>; flags: Record<string, boolean> };
  t.equal(r.kind, 'file');
  t.equal(r.frames, 50, 'two seconds at 25 fps');
  t.equal(r.status, '001000000', 'occluded, and nothing else');
  t.equal(r.confidence.length, 8);
  t.ok(r.confidence.every((c) => c >= 0 && c <= 1), 'confidences in [0, 1]');
  t.ok(r.confidence[1]! >= 0.5, 'occlusion confidence');
  t.same(Object.keys(r.details), CONDITIONS, 'one measure per condition, in cameraStatus order');
  const text = await vcgw('quality', 'diagnose', clip, '--seconds', '1');
  t.equal(text.code, 0, text.err);
  t.match(text.out, /^file .*: 25 frames/, 'one second read');
  t.match(text.out, /3\s+occluded\s+YES\s+1\.00\s+covered-lens score/);
  t.match(text.out, /cameraStatus 001000000\ncameraConfidence 0\.00\|1\.00(\|\d\.\d\d){6}/);
});

t.test('a stream URL and a registered camera showing a black screen', async (t) => {
  const dir = tempDir(t, 'vcgw-qcli-');
  const config = writeMinimalConfig(dir);
  const vcgw = cliRunner(config);
  const sim = await startSimCamera({ main: { ...SUB_CIF_H264, seconds: 4, pattern: 'black' }, sub: false });
  t.teardown(() => sim.close());
  const url = await vcgw('quality', 'diagnose', sim.url('main'), '--json');
  t.equal(url.code, 0, url.err);
  t.match(JSON.parse(url.out), { kind: 'url', status: '010000000' }, 'signal lost');
  const db = openDb(path.join(dir, 'data'));
  const cam = addCamera(new CameraStore(db), 0, { ip: '127.0.0.1', rtspMain: sim.url('main') });
  db.close();
  const byCamera = await vcgw('quality', 'diagnose', cam.id);
  t.equal(byCamera.code, 0, byCamera.err);
  t.match(byCamera.out, new RegExp(`^camera ${cam.id}: 50 frames`));
  t.match(byCamera.out, /cameraStatus 010000000/);
});

t.test('bad input is refused naming what is wrong', async (t) => {
  const config = writeMinimalConfig(tempDir(t, 'vcgw-qcli-'));
  const vcgw = cliRunner(config);
  const seconds = await vcgw('quality', 'diagnose', 'rtsp://127.0.0.1:1/x', '--seconds', '0');
  t.equal(seconds.code, 2);
  t.match(seconds.err, /--seconds: expected a number of seconds 0\.5–10, got 0/);
  const unknown = await vcgw('quality', 'diagnose', 'no-such-camera');
  t.equal(unknown.code, 2);
  t.match(unknown.err, /TARGET: no-such-camera is no file, no URL/);
  const notVideo = await vcgw('quality', 'diagnose', config, '--seconds', '1');
  t.equal(notVideo.code, 1, 'a file that is no video');
  t.match(notVideo.err, /gateway\.toml: no frames decoded/);
});
