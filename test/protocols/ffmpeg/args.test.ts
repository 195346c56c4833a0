// Golden tests: config → exact argv (ARCHITECTURE convention 5).
import t from 'tap';
import { outputArgs, sourceArgs, type VideoEncode } from '../../../src/protocols/ffmpeg/args.js';

const HEAD = ['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:3', '-stats_period', '0.25'];
const TS_IN = ['-f', 'mpegts', '-analyzeduration', '0', '-probesize', '4096', '-i', 'pipe:4'];
const URL = 'rtmp://10.0.0.1:1935/rtmp/cam?t=1&k=2';

const low: VideoEncode = {
  encoder: 'libx264', fit: 'exact', width: 352, height: 288, fps: 25, bitrateKbps: 128, gopFrames: 25,
  preset: 'veryfast', threads: 1, fastDecode: true,
};

t.test('source: RTSP pull relayed as MPEG-TS on stdout', async (t) => {
  t.same(sourceArgs({ url: 'rtsp://u:p@10.0.0.9:554/main', rtspTransport: 'tcp', timeoutS: 5 }), [
    '-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:3', '-stats_period', '0.25',
    '-rtsp_transport', 'tcp', '-timeout', '5000000',
    '-analyzeduration', '0', '-probesize', '4096', '-fflags', '+genpts',
    '-i', 'rtsp://u:p@10.0.0.9:554/main',
    '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'dump_extra=freq=keyframe',
    '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', 'pipe:1',
  ]);
  const http = sourceArgs({ url: 'http://nvr/live.flv', rtspTransport: 'tcp', timeoutS: 2.5 });
  t.same(http.slice(8, 10), ['-rw_timeout', '2500000'], 'HTTP sources get a read/write timeout instead');
  t.notOk(http.includes('-rtsp_transport'));
});

t.test('low tier: fast decode, exact CIF, CBR x264, silent AAC', async (t) => {
  t.same(outputArgs({ encode: low, audio: 'silent', url: URL }), [
    ...HEAD,
    '-flags2', 'fast', '-skip_loop_filter', 'all', '-threads', '1',
    ...TS_IN,
    '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono',
    '-map', '0:v:0', '-map', '1:a:0',
    '-vf', 'fps=25,scale=352:288:flags=fast_bilinear,setsar=1,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main',
    '-b:v', '128k', '-maxrate', '128k', '-bufsize', '128k', '-x264-params', 'nal-hrd=cbr:force-cfr=1',
    '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-bf', '0', '-threads', '1',
    '-c:a', 'aac', '-b:a', '32k', '-shortest',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', URL,
  ]);
});

t.test('high tier fits within 1280x720 without upscaling', async (t) => {
  const args = outputArgs({
    encode: { ...low, fit: 'within', width: 1280, height: 720, bitrateKbps: 1024, threads: 0, fastDecode: false },
    audio: 'none',
    url: URL,
  });
  t.same(args.slice(args.indexOf('-vf'), args.indexOf('-vf') + 2), [
    '-vf',
    "fps=25,scale=w='min(1280,iw)':h='min(720,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2:flags=bicubic,format=yuv420p",
  ]);
  t.notOk(args.includes('-flags2'), 'full-quality decode');
  t.notOk(args.includes('anullsrc=r=44100:cl=mono'), 'no audio when switched off');
  t.notOk(args.slice(args.indexOf('-c:v')).includes('-threads'), 'encoder threads left to x264');
});

t.test('copy output keeps the video as is', async (t) => {
  t.same(outputArgs({ audio: 'none', url: URL }), [...HEAD, ...TS_IN, '-map', '0:v:0', '-c:v', 'copy', '-f', 'flv', '-flvflags', 'no_duration_filesize', URL]);
});

t.test('hardware encoders', async (t) => {
  const hw = (encoder: VideoEncode['encoder']) => outputArgs({ encode: { ...low, encoder, fastDecode: false }, audio: 'none', url: URL });
  const vaapi = hw('h264_vaapi');
  t.same(vaapi.slice(8, 10), ['-vaapi_device', '/dev/dri/renderD128'], 'VAAPI device before the input');
  t.match(vaapi[vaapi.indexOf('-vf') + 1], /format=nv12,hwupload$/);
  t.same(vaapi.slice(vaapi.indexOf('-c:v'), vaapi.indexOf('-c:v') + 4), ['-c:v', 'h264_vaapi', '-rc_mode', 'CBR']);
  const nvenc = hw('h264_nvenc');
  t.same(nvenc.slice(nvenc.indexOf('-c:v'), nvenc.indexOf('-c:v') + 8), ['-c:v', 'h264_nvenc', '-preset', 'p1', '-tune', 'll', '-rc', 'cbr']);
  for (const e of ['h264_qsv', 'h264_rkmpp', 'h264_v4l2m2m'] as const) {
    const a = hw(e);
    t.equal(a[a.indexOf('-c:v') + 1], e);
    t.ok(a.includes('-g'), `${e} gets the GOP`);
    t.notOk(a.includes('-x264-params'), `${e} gets no x264 options`);
  }
});

t.test('an overlay filter is drawn after scaling, before the pixel format and hardware upload', async (t) => {
  const overlayFilter = "drawtext=text=a:x=1:y=1,drawtext=text=b:x=1:y=20";
  const vf = (encode: VideoEncode) => {
    const args = outputArgs({ encode, audio: 'none', url: URL });
    return args[args.indexOf('-vf') + 1];
  };
  t.equal(vf({ ...low, overlayFilter }), `fps=25,scale=352:288:flags=fast_bilinear,setsar=1,${overlayFilter},format=yuv420p`);
  t.equal(
    vf({ ...low, encoder: 'h264_vaapi', fastDecode: false, overlayFilter }),
    `fps=25,scale=352:288:flags=bicubic,setsar=1,${overlayFilter},format=nv12,hwupload`,
  );
  t.equal(vf({ ...low, overlayFilter: '' }), 'fps=25,scale=352:288:flags=fast_bilinear,setsar=1,format=yuv420p', 'empty: no filter');
});
