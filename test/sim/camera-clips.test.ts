import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseClip } from '../../src/protocols/h26x/annexb.js';
import {
  clipEncodeArgs,
  clipFileName,
  ensureClip,
  MAIN_1080P_H264,
  MAIN_1080P_H265,
  MAIN_720P_H264,
  SUB_CIF_H264,
  SUB_D1_H264,
  validateClipSpec,
  type ClipSpec,
} from '../../src/sim/camera/clips.js';
import { FFPROBE, runTool } from './camera-helpers.js';

const TINY: ClipSpec = { codec: 'h264', width: 160, height: 120, fps: 25, bitrateKbps: 100, gopFrames: 25, seconds: 2 };
const clipsModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/sim/camera/clips.ts');

async function tmpDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vcgw-clips-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('encoder argv (golden): fixed GOP, no B-frames, in-band headers, CBR-ish, Annex B to stdout', async (t) => {
  t.same(clipEncodeArgs(SUB_CIF_H264), [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=352x288:rate=25',
    '-frames:v', '250', '-an', '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast',
    '-b:v', '256k', '-maxrate', '256k', '-bufsize', '256k',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-bf', '0',
    '-x264-params', 'repeat-headers=1:scenecut=0',
    '-f', 'h264', 'pipe:1',
  ]);
  t.same(clipEncodeArgs({ ...MAIN_1080P_H265, pattern: 'smptebars' }), [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'smptebars=size=1920x1080:rate=25',
    '-vf', 'noise=alls=10:allf=t',
    '-frames:v', '100', '-an', '-pix_fmt', 'yuv420p',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-b:v', '2000k',
    '-x265-params', 'keyint=50:min-keyint=50:scenecut=0:bframes=0:open-gop=0:repeat-headers=1:vbv-maxrate=2000:vbv-bufsize=2000:log-level=error',
    '-f', 'hevc', 'pipe:1',
  ]);
});

t.test('file names tell specs apart; bad specs are refused', async (t) => {
  const names = new Set([MAIN_1080P_H264, MAIN_1080P_H265, MAIN_720P_H264, SUB_CIF_H264, SUB_D1_H264, { ...SUB_CIF_H264, pattern: 'mandelbrot' as const }].map(clipFileName));
  t.equal(names.size, 6);
  t.equal(clipFileName(SUB_CIF_H264), 'h264-352x288-25fps-256k-g50-10s-testsrc2-v1.h264');
  t.throws(() => validateClipSpec({ ...TINY, width: 161 }), /even/);
  t.throws(() => validateClipSpec({ ...TINY, gopFrames: 0 }), /gopFrames/);
  t.throws(() => validateClipSpec({ ...TINY, fps: 0 }), /fps/);
  t.throws(() => validateClipSpec({ ...TINY, codec: 'vp8' as 'h264' }), /codec/);
  await t.rejects(ensureClip({ ...TINY, seconds: -1 }), /seconds/);
});

t.test('ensureClip encodes once, then serves the cached file without FFmpeg', async (t) => {
  const dir = await tmpDir(t);
  const spec: ClipSpec = { ...TINY, pattern: 'smptebars' };
  const file = await ensureClip(spec, { cacheDir: dir });
  t.equal(file, path.join(dir, clipFileName(spec)));
  const clip = parseClip('h264', await fs.readFile(file));
  t.equal(clip.aus.length, 50);
  t.same(clip.aus.flatMap((au, i) => (au.key ? [i] : [])), [0, 25]);
  const again = await ensureClip(spec, { cacheDir: dir, ffmpegPath: '/nonexistent/ffmpeg' });
  t.equal(again, file, 'a cached clip needs no encoder');
  t.same(await fs.readdir(dir), [clipFileName(spec)], 'no tmp files left behind');
  const [a, b] = await Promise.all([ensureClip(TINY, { cacheDir: dir }), ensureClip(TINY, { cacheDir: dir })]);
  t.equal(a, b, 'concurrent calls in one process share one encode');
});

t.test('two processes generating the same clip at once both get a whole file', async (t) => {
  const dir = await tmpDir(t);
  const script = `import { ensureClip } from ${JSON.stringify(clipsModule)};
    const spec = ${JSON.stringify({ ...TINY, pattern: 'mandelbrot' })};
    process.stdout.write(await ensureClip(spec, { cacheDir: ${JSON.stringify(dir)} }));`;
  const args = ['--import', 'tsx', '--input-type=module', '-e', script];
  const results = await Promise.all([runTool(t, process.execPath, args), runTool(t, process.execPath, args)]);
  for (const r of results) t.equal(r.code, 0, r.stderr);
  t.equal(results[0]!.stdout, results[1]!.stdout);
  const file = results[0]!.stdout;
  t.equal(parseClip('h264', await fs.readFile(file)).aus.length, 50, 'the surviving file is complete');
  t.same(await fs.readdir(dir), [path.basename(file)], 'one clip, no tmp files');
});

t.test('an encoder failure rejects with its reason and caches nothing', async (t) => {
  const dir = await tmpDir(t);
  await t.rejects(ensureClip(TINY, { cacheDir: dir, ffmpegPath: '/nonexistent/ffmpeg' }), /cannot run \/nonexistent\/ffmpeg/);
  await t.rejects(ensureClip({ ...TINY, width: 8, height: 8, codec: 'h265' }, { cacheDir: dir }), /failed making h265-8x8-.*\(exit 1\)/);
  t.same(await fs.readdir(dir), []);
});

t.test('every preset is near its bitrate, with the right size, codec, GOP and no B-frames', async (t) => {
  for (const spec of [SUB_CIF_H264, SUB_D1_H264, MAIN_720P_H264, MAIN_1080P_H264, MAIN_1080P_H265]) {
    const name = `${spec.codec} ${spec.width}x${spec.height}`;
    const file = await ensureClip(spec);
    const { size } = await fs.stat(file);
    const kbps = (size * 8) / 1000 / spec.seconds;
    t.ok(kbps > spec.bitrateKbps * 0.8 && kbps < spec.bitrateKbps * 1.2, `${name}: ${kbps.toFixed(0)} kbps for a ${spec.bitrateKbps} kbps target`);
    const clip = parseClip(spec.codec, await fs.readFile(file));
    t.equal(clip.aus.length, spec.seconds * spec.fps, `${name}: one AU per frame`);
    const keys = clip.aus.flatMap((au, i) => (au.key ? [i] : []));
    t.same(keys, Array.from({ length: (spec.seconds * spec.fps) / spec.gopFrames }, (_, i) => i * spec.gopFrames), `${name}: GOP ${spec.gopFrames}`);
    const probe = await runTool(t, FFPROBE, ['-v', 'error', '-of', 'json', '-show_streams', file]);
    const [stream] = (JSON.parse(probe.stdout) as { streams: Array<Record<string, unknown>> }).streams;
    t.match(stream, { codec_name: spec.codec === 'h264' ? 'h264' : 'hevc', width: spec.width, height: spec.height, pix_fmt: 'yuv420p', has_b_frames: 0 }, name);
  }
});
