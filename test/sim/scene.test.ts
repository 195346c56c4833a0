// The scene generator: deterministic frames, a clock that ticks unless the picture is frozen, the
// FFmpeg argv, the cache, and the simulator's --picture clips made from it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readFrames } from '../../src/modules/quality/frames.js';
import { parseClip } from '../../src/protocols/h26x/annexb.js';
import { ensureClip, SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { ensureSceneClip, sceneClipFileName, sceneEncodeArgs, type SceneClipSpec } from '../../src/sim/scene/encode.js';
import { SCENE_PICTURES } from '../../src/sim/scene/pictures.js';
import { SceneRenderer, type SceneSpec } from '../../src/sim/scene/render.js';

const SCENE: SceneSpec = { seed: 3, light: 'day', weather: 'clear', traffic: 4, lamps: 2, vegetation: 0.5, caption: 'G15 K1+000', clock: 'tl' };
const W = 192;
const H = 108;
/** Bytes of the clock's top-left corner region (first text line). */
const clockBytes = (b: Buffer): Buffer => Buffer.concat(Array.from({ length: 20 }, (_, y) => b.subarray((4 + y) * W, (4 + y) * W + 120)));

t.test('frames are deterministic; the clock ticks every second; a frozen picture stops it too', async (t) => {
  const a = new SceneRenderer(SCENE, [], W, H);
  const b = new SceneRenderer(SCENE, [], W, H);
  t.equal(a.frame(0).length, (W * H * 3) / 2, 'one yuv420p frame');
  t.ok(a.frame(7).equals(b.frame(7)), 'same spec, same picture');
  t.notOk(a.frame(0).equals(a.frame(1)), 'traffic and grain change every frame');
  t.notOk(clockBytes(a.frame(0)).equals(clockBytes(a.frame(30))), 'the clock shows another second 1.2 s later');
  const frozen = new SceneRenderer(SCENE, [{ kind: 'frozen', atFrame: 3 }], W, H);
  t.ok(frozen.frame(3).equals(frozen.frame(40)), 'frozen: the whole picture, clock included, repeats');
  t.notOk(frozen.frame(0).equals(frozen.frame(3)), 'before freezing it was live');
  t.throws(() => new SceneRenderer(SCENE, [], 191, 108), RangeError, 'odd sizes refused');
});

const spec = (over: Partial<SceneClipSpec> = {}): SceneClipSpec => ({ scene: SCENE, defects: [], width: 352, height: 288, fps: 25, seconds: 1, bitrateKbps: 256, gopFrames: 25, container: 'mpegts', ...over });

t.test('encoder argv: raw frames in, CBR H.264 out; wide clips rendered at 960 and scaled; the cache name follows the spec', async (t) => {
  const args = sceneEncodeArgs(spec());
  t.same(args.slice(args.indexOf('-f'), args.indexOf('-i') + 2), ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '352x288', '-r', '25', '-i', 'pipe:0']);
  t.same(args.slice(args.indexOf('-b:v'), args.indexOf('-b:v') + 6), ['-b:v', '256k', '-maxrate', '256k', '-bufsize', '256k']);
  t.same(args.slice(-3), ['-f', 'mpegts', 'pipe:1']);
  const hd = sceneEncodeArgs(spec({ width: 1920, height: 1080, container: 'h264' }));
  t.equal(hd[hd.indexOf('-s') + 1], '960x540', 'rendered at 960 wide');
  t.equal(hd[hd.indexOf('-vf') + 1], 'scale=1920:1080:flags=bicubic');
  t.not(sceneClipFileName(spec()), sceneClipFileName(spec({ defects: [{ kind: 'noise', sigma: 20 }] })));
  t.match(sceneClipFileName(spec()), /^scene-352x288-256k-[0-9a-f]{12}\.ts$/);
});

t.test('a clip is rendered, encoded and cached once; it decodes to its frames', async (t) => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-scene-'));
  t.teardown(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const file = await ensureSceneClip(spec(), { cacheDir });
  const mtime = fs.statSync(file).mtimeMs;
  t.equal(await ensureSceneClip(spec(), { cacheDir }), file, 'the same file again');
  t.equal(fs.statSync(file).mtimeMs, mtime, 'not made twice');
  const burst = await readFrames(file, { maxFrames: 50 });
  t.equal(burst.frames.length, 25, 'one second at 25 fps');
});

t.test('the simulator shows the generator\'s pictures (--picture)', async (t) => {
  t.ok(SCENE_PICTURES.includes('road') && SCENE_PICTURES.includes('occluded') && SCENE_PICTURES.includes('frozen'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-scene-'));
  t.teardown(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const file = await ensureClip({ ...SUB_CIF_H264, seconds: 1, pattern: 'occluded' }, { cacheDir });
  const clip = parseClip('h264', fs.readFileSync(file));
  t.equal(clip.aus.length, 25, 'an Annex B clip of 25 pictures the RTSP simulator replays');
  await t.rejects(ensureClip({ ...SUB_CIF_H264, codec: 'h265', seconds: 1, pattern: 'road' }, { cacheDir }), /H\.264 only/);
});
