// The frame reader against real FFmpeg: RTSP from the simulated camera, a file, an MPEG-TS byte
// stream through the media engine's fan-out, a JPEG; timeouts and that no FFmpeg is left behind.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { groupAlive } from '../../../src/protocols/ffmpeg/childGroup.js';
import { TsFanout } from '../../../src/protocols/mpegts/fanout.js';
import { ANALYSIS_HEIGHT, ANALYSIS_WIDTH, FrameSplitter, frameReaderArgs, framesFromStream, jpegToFrame, readFrames } from '../../../src/modules/quality/frames.js';
import { startRtspCamera, type ClipSpec } from '../../../src/sim/camera/index.js';

const TINY: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 200, gopFrames: 25, seconds: 2 };

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], (err) => (err ? reject(err) : resolve())));
}

async function tmpDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vcgw-quality-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('argv (golden): scaled rawvideo yuv420p on stdout, bounded by frames and time, RTSP over TCP', async (t) => {
  t.same(frameReaderArgs({ url: 'rtsp://u:p@10.0.0.5/sub' }, { seconds: 3 }), [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-rtsp_transport', 'tcp', '-i', 'rtsp://u:p@10.0.0.5/sub', '-t', '3',
    '-an', '-sn', '-dn', '-frames:v', '50',
    '-vf', 'scale=320:180:flags=bilinear,format=yuv420p',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ]);
  t.same(frameReaderArgs({ stdin: 'mpegts' }, { maxFrames: 10, width: 176, height: 144 }).slice(4, 8), ['-f', 'mpegts', '-i', 'pipe:0']);
  t.throws(() => frameReaderArgs({ url: 'x' }, { width: 321 }), RangeError);
});

t.test('FrameSplitter cuts frames across chunk boundaries', async (t) => {
  const s = new FrameSplitter(4, 2);
  const bytes = Buffer.from(Array.from({ length: 12 * 2 + 5 }, (_, i) => i));
  s.push(bytes.subarray(0, 7));
  s.push(bytes.subarray(7, 20));
  s.push(bytes.subarray(20));
  t.equal(s.frames.length, 2);
  t.same([...s.frames[1]!.y], [12, 13, 14, 15, 16, 17, 18, 19]);
  t.same([...s.frames[1]!.u, ...s.frames[1]!.v], [20, 21, 22, 23]);
});

t.test('a burst over RTSP from the simulated camera, and the FFmpeg group is gone after', async (t) => {
  const cam = await startRtspCamera({ host: '127.0.0.1', port: 0, streams: [{ path: 'sub', clip: TINY }] });
  t.teardown(() => cam.close());
  let pid = 0;
  const burst = await readFrames(cam.url('sub', true), { maxFrames: 12, timeoutMs: 15_000, onSpawn: (p) => (pid = p) });
  t.equal(burst.ended, 'count');
  t.equal(burst.frames.length, 12);
  const f = burst.frames[0]!;
  t.same([f.width, f.height, f.y.length, f.u.length, f.v.length], [ANALYSIS_WIDTH, ANALYSIS_HEIGHT, 57600, 14400, 14400]);
  t.ok(new Set(f.y).size > 50, 'a real picture, not a blank buffer');
  t.ok(pid > 0);
  t.notOk(groupAlive(pid), 'no FFmpeg left');
});

t.test('a file that ends early gives its frames and "eof"; a missing one an error with FFmpeg\'s words', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'short.ts');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=352x288:r=25', '-frames:v', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', file]);
  const burst = await readFrames(file, { maxFrames: 50 });
  t.equal(burst.ended, 'eof');
  t.equal(burst.frames.length, 8);
  const missing = await readFrames(path.join(dir, 'nope.ts'));
  t.equal(missing.ended, 'error');
  t.equal(missing.frames.length, 0);
  t.match(missing.error, /No such file/);
});

t.test('timeout: a camera that accepts and never answers is given up and FFmpeg killed', async (t) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as net.AddressInfo).port;
  let pid = 0;
  const t0 = Date.now();
  const burst = await readFrames(`rtsp://127.0.0.1:${port}/sub`, { timeoutMs: 800, onSpawn: (p) => (pid = p) });
  const took = Date.now() - t0;
  t.equal(burst.ended, 'timeout');
  t.equal(burst.frames.length, 0);
  t.ok(took >= 700 && took < 5000, `gave up after ${took} ms`);
  t.notOk(groupAlive(pid), 'no FFmpeg left');
});

t.test('an MPEG-TS byte stream through the TsFanout sink: a burst, then the sink reports destroyed', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'live.ts');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=352x288:r=25', '-frames:v', '75', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-bf', '0', '-f', 'mpegts', file]);
  const data = await fs.readFile(file);
  const fanout = new TsFanout();
  let pid = 0;
  const reader = framesFromStream({ maxFrames: 20, timeoutMs: 15_000, onSpawn: (p) => (pid = p) });
  t.teardown(() => reader.stop());
  const unsubscribe = fanout.subscribe(reader.sink);
  t.teardown(unsubscribe);
  t.notOk(reader.sink.destroyed);
  // Fed in packet-sized runs, as a pull delivers it, until the reader has had enough.
  for (let off = 0; off < data.length && !reader.sink.destroyed; off += 188 * 40) {
    fanout.push(data.subarray(off, off + 188 * 40));
    await new Promise((r) => setImmediate(r));
  }
  reader.end();
  const burst = await reader.burst;
  t.equal(burst.frames.length, 20);
  t.equal(burst.frames[0]!.width, ANALYSIS_WIDTH);
  t.ok(reader.sink.destroyed, 'the fan-out will drop it on its next write');
  t.equal(reader.sink.write(Buffer.alloc(188)), false);
  t.notOk(groupAlive(pid), 'no FFmpeg left');
});

t.test('stop() mid-stream ends the burst at once and leaves no child', async (t) => {
  let pid = 0;
  const reader = framesFromStream({ maxFrames: 50, timeoutMs: 30_000, onSpawn: (p) => (pid = p) });
  reader.sink.write(Buffer.alloc(188 * 10, 0xff));
  await reader.stop();
  const burst = await reader.burst;
  t.equal(burst.frames.length, 0);
  t.ok(reader.sink.destroyed);
  t.notOk(groupAlive(pid), 'no FFmpeg left');
});

t.test('jpegToFrame decodes a snapshot at the analysis size', async (t) => {
  const dir = await tmpDir(t);
  const jpg = path.join(dir, 'snap.jpg');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=704x576', '-frames:v', '1', jpg]);
  const f = await jpegToFrame(jpg);
  t.same([f.width, f.height], [ANALYSIS_WIDTH, ANALYSIS_HEIGHT]);
  t.ok(new Set(f.y).size > 50);
  await t.rejects(jpegToFrame(path.join(dir, 'none.jpg')), /cannot decode/);
});
