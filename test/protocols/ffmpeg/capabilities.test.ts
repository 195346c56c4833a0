// Locating FFmpeg, reading its capabilities (parsers on captured text, then the real binary),
// and the hardware encoder trial (no GPU here: every trial must fail, quickly, with a reason).
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  parseEncoders,
  parseFilters,
  parseHwaccels,
  parseVersion,
  probeCapabilities,
  supportsHevcInFlv,
} from '../../../src/protocols/ffmpeg/capabilities.js';
import { hwTrialArgs, trialFailureReason, trialHardwareEncoders } from '../../../src/protocols/ffmpeg/hwTrial.js';
import { FfmpegNotFoundError, locateFfmpeg } from '../../../src/protocols/ffmpeg/locate.js';

const FFMPEG = '/usr/bin/ffmpeg';
const FAKE = path.resolve(import.meta.dirname, '../../fixtures/fake-ffmpeg.mjs');

// Captured from ffmpeg 5.1.9 (Debian 12), trimmed.
const VERSION_51 = `ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers
built with gcc 12 (Debian 12.2.0-14+deb12u1)
configuration: --prefix=/usr --extra-version=0+deb12u1 --enable-gpl --enable-libx264
libavutil      57. 28.100 / 57. 28.100
libavcodec     59. 37.100 / 59. 37.100
libavformat    59. 27.100 / 59. 27.100
libavdevice    59.  7.100 / 59.  7.100
`;

const ENCODERS = `Encoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ..S... = Slice-level multithreading
 ...X.. = Codec is experimental
 ....B. = Supports draw_horiz_band
 .....D = Supports direct rendering method 1
 ------
 V....D a64multi             Multicolor charset for Commodore 64 (codec a64_multi)
 V....D libaom-av1           libaom AV1 (codec av1)
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V..... h264_qsv             H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (Intel Quick Sync Video acceleration) (codec h264)
 V..... h264_v4l2m2m         V4L2 mem2mem H.264 encoder wrapper (codec h264)
 V....D h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 V....D libx265              libx265 H.265 / HEVC (codec hevc)
 A..... aac                  AAC (Advanced Audio Coding)
 A..X.D opus                 Opus
 S..... srt                  SubRip subtitle
`;

const FILTERS = `Filters:
  T.. = Timeline support
  .S. = Slice threading
  ..C = Command support
  A = Audio input/output
  V = Video input/output
  N = Dynamic number and/or type of input/output
  | = Source or sink filter
 ... abench            A->A       Benchmark part of a filtergraph.
 ... blurdetect        V->V       Blurdetect filter.
 T.C drawtext          V->V       Draw text on top of video frames using libfreetype library.
 ... fps               V->V       Force constant framerate.
 ..C scale             V->V       Scale the input video size and/or convert the image format.
 ... setsar            V->V       Set the pixel sample aspect ratio.
 ... split             V->N       Pass on the input to N video outputs.
 ... testsrc2          |->V       Generate another test pattern.
 ... nullsink          V->|       Do absolutely nothing with the input video.
`;

const HWACCELS = `Hardware acceleration methods:
vdpau
cuda
vaapi
qsv
drm
opencl
vulkan

`;

t.test('parseVersion: releases, distro builds, git builds', async (t) => {
  t.match(parseVersion(VERSION_51), { version: '5.1.9-0+deb12u1', major: 5, minor: 1, libavformat: [59, 27, 100] });
  t.match(parseVersion('ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023'), { major: 6, minor: 1 });
  t.match(parseVersion('ffmpeg version n7.0.2 Copyright'), { version: 'n7.0.2', major: 7, minor: 0 });
  t.match(parseVersion('ffmpeg version 6.0-static https://johnvansickle.com/ffmpeg/'), { major: 6, minor: 0 });
  t.match(
    parseVersion('ffmpeg version N-113456-g1234abcd-20240101 Copyright\nlibavformat    60. 20.100 / 60. 20.100\n'),
    { version: 'N-113456-g1234abcd-20240101', major: 6, minor: 1 },
    'a git build is dated by its libavformat',
  );
  t.match(parseVersion('ffmpeg version N-1-gdeadbeef Copyright'), { major: 0, minor: 0 }, 'unknown stays unknown');
  t.throws(() => parseVersion('Usage: avconv'), /not an FFmpeg version output/);
});

t.test('HEVC in FLV from FFmpeg 6.1 (enhanced RTMP muxing landed in flvenc in July 2023)', async (t) => {
  t.notOk(supportsHevcInFlv(parseVersion(VERSION_51)));
  t.notOk(supportsHevcInFlv(parseVersion('ffmpeg version 6.0.1 Copyright')));
  t.ok(supportsHevcInFlv(parseVersion('ffmpeg version 6.1 Copyright')));
  t.ok(supportsHevcInFlv(parseVersion('ffmpeg version 7.1.1 Copyright')));
});

t.test('list parsers read the tables, not the legends', async (t) => {
  t.same(parseEncoders(ENCODERS), ['a64multi', 'libaom-av1', 'libx264', 'h264_nvenc', 'h264_qsv', 'h264_v4l2m2m', 'h264_vaapi', 'libx265', 'aac', 'opus', 'srt']);
  t.same(parseFilters(FILTERS), ['abench', 'blurdetect', 'drawtext', 'fps', 'scale', 'setsar', 'split', 'testsrc2', 'nullsink']);
  t.same(parseHwaccels(HWACCELS), ['vdpau', 'cuda', 'vaapi', 'qsv', 'drm', 'opencl', 'vulkan']);
  t.same(parseHwaccels('Hardware acceleration methods:\n\n'), []);
});

t.test('capabilities of /usr/bin/ffmpeg', async (t) => {
  const caps = await probeCapabilities(FFMPEG);
  t.equal(caps.major, 5);
  t.match(caps.version, /^5\.1/);
  t.ok(caps.encoders.includes('libx264'), 'libx264 present');
  t.ok(caps.encoders.includes('aac'));
  t.notOk(caps.encoders.includes('opus'), 'only encoders of interest are listed');
  for (const f of ['fps', 'scale', 'setsar', 'drawtext', 'blurdetect']) t.ok(caps.filters.includes(f), `filter ${f}`);
  t.ok(caps.hwaccels.includes('vaapi'));
  t.equal(caps.hevcInFlv, false, 'FFmpeg 5.1 cannot put HEVC in FLV');
  await t.rejects(probeCapabilities('/nonexistent/ffmpeg'), /ENOENT/);
});

t.test('hardware trial argv', async (t) => {
  const tail = ['-f', 'lavfi', '-i', 'testsrc2=size=352x288:rate=25', '-t', '1'];
  const head = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  t.same(hwTrialArgs('h264_nvenc'), [...head, ...tail, '-c:v', 'h264_nvenc', '-f', 'null', '-']);
  t.same(hwTrialArgs('h264_vaapi'), [
    ...head,
    '-vaapi_device',
    '/dev/dri/renderD128',
    ...tail,
    '-vf',
    'format=nv12,hwupload',
    '-c:v',
    'h264_vaapi',
    '-f',
    'null',
    '-',
  ]);
  t.same(hwTrialArgs('h264_vaapi', { vaapi: '/dev/dri/renderD129' }).slice(4, 6), ['-vaapi_device', '/dev/dri/renderD129']);
  t.same(hwTrialArgs('h264_qsv'), [
    ...head,
    '-init_hw_device',
    'qsv=hw',
    '-filter_hw_device',
    'hw',
    ...tail,
    '-vf',
    'format=nv12',
    '-c:v',
    'h264_qsv',
    '-f',
    'null',
    '-',
  ]);
  t.same(hwTrialArgs('h264_v4l2m2m'), [...head, ...tail, '-vf', 'format=yuv420p', '-c:v', 'h264_v4l2m2m', '-f', 'null', '-']);
});

t.test('trialFailureReason keeps the driver message', async (t) => {
  const stderr = `[h264_nvenc @ 0x564f77efc4c0] Cannot load libcuda.so.1
Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height
`;
  t.equal(
    trialFailureReason(stderr, 1, null),
    'Cannot load libcuda.so.1; Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height (exit code 1)',
  );
  t.equal(trialFailureReason('', null, 'SIGSEGV'), 'killed by SIGSEGV');
});

t.test('hardware trial on this GPU-less machine: every encoder reported not ok, quickly', async (t) => {
  const caps = await probeCapabilities(FFMPEG);
  const before = Date.now();
  const results = await trialHardwareEncoders(FFMPEG, caps, { timeoutMs: 10_000 });
  const took = Date.now() - before;
  const listed = ['h264_nvenc', 'h264_vaapi', 'h264_qsv', 'h264_rkmpp', 'h264_v4l2m2m'].filter((e) => caps.encoders.includes(e));
  t.same(
    results.map((r) => r.encoder),
    listed,
    'one trial per listed hardware encoder',
  );
  t.ok(results.length >= 3);
  for (const r of results) {
    t.equal(r.ok, false, `${r.encoder} not ok: ${r.reason}`);
    t.match(r.reason, /\S.*\(exit code \d+\)$/, `${r.encoder} carries FFmpeg's reason`);
    t.ok(r.ms < 10_000);
  }
  t.match(results.find((r) => r.encoder === 'h264_nvenc')?.reason, /libcuda/);
  t.ok(took < 15_000, `all trials in ${took} ms`);
  t.same(await trialHardwareEncoders(FFMPEG, { encoders: ['libx264', 'aac'] }), [], 'no hardware listed, nothing tried');
});

t.test('a trial that hangs is killed at its timeout; a missing binary is a reason too', async (t) => {
  const pidfile = path.join(t.testdir(), 'pids');
  const saved = process.env['FAKE_FFMPEG_PIDFILE'];
  process.env['FAKE_FFMPEG_PIDFILE'] = pidfile;
  t.teardown(() => {
    if (saved === undefined) delete process.env['FAKE_FFMPEG_PIDFILE'];
    else process.env['FAKE_FFMPEG_PIDFILE'] = saved;
  });
  // The fake ignores the trial argv and runs until killed: a driver stuck in init.
  const [r] = await trialHardwareEncoders(FAKE, { encoders: ['h264_nvenc'] }, { timeoutMs: 1500 });
  t.match(r, { encoder: 'h264_nvenc', ok: false, reason: 'no result within 1500 ms' });
  t.ok(r!.ms >= 1500 && r!.ms < 5000);
  const pid = Number(/main (\d+)/.exec(fs.readFileSync(pidfile, 'utf8'))?.[1]);
  t.ok(pid > 0);
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the hung trial is gone');

  const [missing] = await trialHardwareEncoders('/nonexistent/ffmpeg', { encoders: ['h264_vaapi'] });
  t.match(missing, { encoder: 'h264_vaapi', ok: false, reason: /cannot run \/nonexistent\/ffmpeg: .*ENOENT/ });
});

t.test('locateFfmpeg', async (t) => {
  const dir = t.testdir({
    'not-exec': 'x',
    'bin-own': {},
    'empty': {},
  });
  fs.symlinkSync(FAKE, path.join(dir, 'bin-own', 'ffmpeg'));
  fs.writeFileSync(path.join(dir, 'installer.mjs'), `export const path = ${JSON.stringify(FAKE)};\n`);

  t.same(await locateFfmpeg({ ffmpegPath: FFMPEG }), { ffmpeg: FFMPEG, ffprobe: '/usr/bin/ffprobe', source: 'config' });
  t.same(await locateFfmpeg({ ffmpegPath: 'ffmpeg', pathEnv: '/usr/bin' }), { ffmpeg: FFMPEG, ffprobe: '/usr/bin/ffprobe', source: 'config' }, 'a bare name is looked up on PATH');
  await t.rejects(locateFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg' }), { name: 'FfmpegNotFoundError', message: /^media\.ffmpeg_path: \/nonexistent\/ffmpeg does not exist or is not an executable file/ });
  await t.rejects(locateFfmpeg({ ffmpegPath: path.join(dir, 'not-exec') }), /media\.ffmpeg_path: .*not-exec/);
  await t.rejects(locateFfmpeg({ ffmpegPath: dir }), /media\.ffmpeg_path/, 'a directory is not an ffmpeg');
  await t.rejects(locateFfmpeg({ ffmpegPath: FFMPEG, ffprobePath: '/nonexistent/ffprobe' }), /media\.ffprobe_path/);

  t.same(await locateFfmpeg({ pathEnv: '/usr/bin' }), { ffmpeg: FFMPEG, ffprobe: '/usr/bin/ffprobe', source: 'system' });
  t.same(
    await locateFfmpeg({ pathEnv: [path.join(dir, 'empty'), path.join(dir, 'bin-own'), '/usr/bin'].join(':') }),
    { ffmpeg: path.join(dir, 'bin-own', 'ffmpeg'), ffprobe: '/usr/bin/ffprobe', source: 'system' },
    'first on PATH wins; ffprobe found further down when not beside it',
  );

  const empty = path.join(dir, 'empty');
  await t.rejects(locateFfmpeg({ pathEnv: empty }), FfmpegNotFoundError);
  await t.rejects(locateFfmpeg({ pathEnv: empty }), /apt-get install ffmpeg/, 'the optional npm package is absent here and says how to install');
  t.same(
    await locateFfmpeg({ pathEnv: empty, npmPackages: { ffmpeg: path.join(dir, 'installer.mjs'), ffprobe: path.join(dir, 'nope.mjs') } }),
    { ffmpeg: FAKE, source: 'npm' },
    'an importable installer package is used last',
  );
});
