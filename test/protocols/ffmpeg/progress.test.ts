// -progress parsing, the line splitter under it, and the redacting stderr ring.
import { PassThrough } from 'node:stream';
import t from 'tap';
import {
  LineSplitter,
  ProgressParser,
  parseProgressStream,
  progressAdvanced,
  type ProgressUpdate,
} from '../../../src/protocols/ffmpeg/progress.js';
import { StderrRing, looksLikeError, redactArgs, redactSecrets } from '../../../src/protocols/ffmpeg/stderrRing.js';

// Captured from ffmpeg 5.1.9 (Debian 12): testsrc → libx264 → mpegts, -stats_period 0.5.
const CAPTURED = `frame=1
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=0
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
frame=13
fps=0.00
stream_0_0_q=16.0
bitrate= 488.8kbits/s
total_size=19552
out_time_us=320011
out_time_ms=320011
out_time=00:00:00.320011
dup_frames=0
drop_frames=0
speed=0.636x
progress=continue
frame=30
fps=24.83
stream_0_0_q=-1.0
bitrate= 299.5kbits/s
total_size=45120
out_time_us=1205011
out_time_ms=1205011
out_time=00:00:01.205011
dup_frames=2
drop_frames=1
speed=0.97x
progress=end
`;

const EXPECTED: ProgressUpdate[] = [
  { frame: 1, fps: 0, totalSize: 0, outTimeUs: 0, dupFrames: 0, dropFrames: 0, end: false },
  { frame: 13, fps: 0, bitrateKbps: 488.8, totalSize: 19552, outTimeUs: 320011, dupFrames: 0, dropFrames: 0, speed: 0.636, end: false },
  { frame: 30, fps: 24.83, bitrateKbps: 299.5, totalSize: 45120, outTimeUs: 1205011, dupFrames: 2, dropFrames: 1, speed: 0.97, end: true },
];

function parseAll(text: string): ProgressUpdate[] {
  const p = new ProgressParser();
  const out: ProgressUpdate[] = [];
  for (const line of text.split('\n')) {
    const u = p.push(line);
    if (u) out.push(u);
  }
  return out;
}

t.test('captured FFmpeg output parses to one update per block', async (t) => {
  t.same(parseAll(CAPTURED), EXPECTED);
});

t.test('N/A values, unknown keys, negative out_time, garbage lines are tolerated', async (t) => {
  const text = [
    'frame=N/A',
    'fps=N/A',
    'bitrate=N/A',
    'total_size=N/A',
    'out_time_us=-9223372036854775807',
    'out_time=-577014:32:22.775808',
    'speed=N/A',
    'stream_1_0_q=3.0',
    'some_future_key=42',
    'not a key value line',
    '=nokey',
    'progress=continue',
  ].join('\n');
  t.same(parseAll(text), [{ frame: 0, fps: 0, end: false }]);
});

t.test('out_time_ms (microseconds, despite the name) is used when out_time_us is missing', async (t) => {
  t.same(parseAll('frame=5\nout_time_ms=200000\nprogress=continue\n'), [{ frame: 5, fps: 0, outTimeUs: 200000, end: false }]);
});

t.test('blocks do not leak keys into the next block', async (t) => {
  const u = parseAll('frame=5\ntotal_size=100\nprogress=continue\nframe=6\nprogress=continue\n');
  t.equal(u[1]!.totalSize, undefined);
});

t.test('stream input split at every byte, with CRLF and multi-byte UTF-8, gives the same updates', async (t) => {
  const crlf = CAPTURED.replace(/\n/g, '\r\n').replace('stream_0_0_q=16.0', 'title=摄像机 K1840+100');
  const bytes = Buffer.from(crlf, 'utf8');
  const stream = new PassThrough();
  const got: ProgressUpdate[] = [];
  parseProgressStream(stream, (u) => got.push(u));
  for (let i = 0; i < bytes.length; i++) stream.write(bytes.subarray(i, i + 1));
  stream.end();
  await new Promise((r) => stream.once('end', r));
  t.same(got, EXPECTED);
});

t.test('a final block without a trailing newline is flushed at end of stream', async (t) => {
  const stream = new PassThrough();
  const got: ProgressUpdate[] = [];
  parseProgressStream(stream, (u) => got.push(u));
  stream.end('frame=7\nprogress=end');
  await new Promise((r) => stream.once('end', r));
  t.same(got, [{ frame: 7, fps: 0, end: true }]);
});

t.test('the detach function stops delivery', async (t) => {
  const stream = new PassThrough();
  const got: ProgressUpdate[] = [];
  const detach = parseProgressStream(stream, (u) => got.push(u));
  stream.write('frame=1\nprogress=continue\n');
  await new Promise((r) => setImmediate(r));
  detach();
  stream.write('frame=2\nprogress=continue\n');
  await new Promise((r) => setImmediate(r));
  t.equal(got.length, 1);
});

t.test('LineSplitter cuts a runaway line instead of growing without bound', async (t) => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 10);
  s.push('0123456789abcdef');
  s.push('gh\nshort\n');
  t.same(lines, ['0123456789abcdef', 'gh', 'short']);
  s.push('tail');
  s.end();
  t.same(lines.at(-1), 'tail');
});

t.test('progressAdvanced: frames, bytes or media time moving on', async (t) => {
  const base: ProgressUpdate = { frame: 10, fps: 25, totalSize: 1000, outTimeUs: 400000, end: false };
  t.notOk(progressAdvanced(base, { ...base }), 'identical block: no advance');
  t.ok(progressAdvanced(base, { ...base, frame: 11 }));
  t.ok(progressAdvanced(base, { ...base, totalSize: 1001 }), 'copy of audio-only: bytes count');
  t.ok(progressAdvanced(base, { ...base, outTimeUs: 400001 }));
  t.notOk(progressAdvanced(base, { frame: 10, fps: 0, end: false }), 'N/A fields are not an advance');
  t.notOk(progressAdvanced(undefined, { frame: 0, fps: 0, end: false }));
  t.ok(progressAdvanced(undefined, { frame: 1, fps: 0, end: false }));
});

t.test('redactSecrets: URL credentials and RTMP query strings', async (t) => {
  t.equal(redactSecrets('rtsp://admin:12345@10.0.0.5:554/Streaming/Channels/101'), 'rtsp://***@10.0.0.5:554/Streaming/Channels/101');
  t.equal(redactSecrets("[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized on 'rtsp://u:p@cam/x'"), "[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized on 'rtsp://***@cam/x'");
  t.equal(redactSecrets('rtsp://admin:p@ss@10.0.0.5/ch1'), 'rtsp://***@10.0.0.5/ch1', 'an unescaped @ in the password');
  t.equal(redactSecrets('rtmp://push.example.cn/live/cam1?txSecret=abc&txTime=65f'), 'rtmp://push.example.cn/live/cam1?***');
  t.equal(redactSecrets('rtmps://u:p@push.example.cn/live/s?k=v: I/O error'), 'rtmps://***@push.example.cn/live/s?***: I/O error');
  t.equal(redactSecrets('http://cam/onvif?x=1'), 'http://cam/onvif?x=1', 'only RTMP query strings are secrets');
  t.equal(redactSecrets('frame=  100 fps= 25 q=28.0 size=512kB'), 'frame=  100 fps= 25 q=28.0 size=512kB');
  t.same(redactArgs(['-i', 'rtsp://a:b@h/x', '-f', 'flv', 'rtmp://h/app/s?sign=1']), ['-i', 'rtsp://***@h/x', '-f', 'flv', 'rtmp://h/app/s?***']);
});

t.test('StderrRing keeps the last N redacted lines and picks error lines', async (t) => {
  const ring = new StderrRing(3);
  ring.push('Input #0, rtsp, from rtsp://admin:pw@10.0.0.5/ch1:');
  ring.push('  Stream #0:0: Video: h264');
  ring.push('[rtsp @ 0x1] Could not find codec parameters');
  ring.push('rtmp://h/live/s?token=x: Connection refused');
  t.equal(ring.size, 3);
  t.same(ring.lines(), ['  Stream #0:0: Video: h264', '[rtsp @ 0x1] Could not find codec parameters', 'rtmp://h/live/s?***: Connection refused']);
  t.same(ring.errorLines(), ['[rtsp @ 0x1] Could not find codec parameters', 'rtmp://h/live/s?***: Connection refused']);
  t.same(ring.errorLines(1), ['rtmp://h/live/s?***: Connection refused']);
  ring.clear();
  t.same(ring.lines(), []);
  t.equal(new StderrRing().capacity, 100);
  t.throws(() => new StderrRing(0), RangeError);
  t.ok(looksLikeError('Error while decoding stream #0:0'));
  t.notOk(looksLikeError('frame=  100 fps= 25'));
});
