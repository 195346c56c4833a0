import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { TsFanout, type FanoutSink } from '../../../src/protocols/mpegts/fanout.js';
import { parseHeader, TS_PACKET } from '../../../src/protocols/mpegts/packets.js';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-ts-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 3 s of CIF at 25 fps, GOP 25, as FFmpeg's MPEG-TS muxer writes it for a camera pull. */
async function makeTs(codec: 'libx264' | 'libx265', name: string): Promise<Buffer> {
  const file = path.join(dir, name);
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=352x288:rate=25', '-t', '3',
    '-c:v', codec, '-preset', 'ultrafast', '-g', '25', '-bf', '0',
    ...(codec === 'libx265' ? ['-x265-params', 'log-level=error:keyint=25:min-keyint=25:scenecut=0'] : ['-sc_threshold', '0']),
    '-bsf:v', 'dump_extra=freq=keyframe', '-f', 'mpegts', file,
  ]);
  return fs.readFileSync(file);
}

class Collect implements FanoutSink {
  chunks: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  write(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function probeFile(buf: Buffer, name: string): Promise<{ codec: string; firstKey: boolean; frames: number }> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, buf);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', '-show_streams', '-show_packets', '-select_streams', 'v:0', file]);
  const j = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; packets: Array<{ flags: string }> };
  // A decode of the whole file must not report errors: the consumer got a clean start.
  const decode = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  if (decode.stderr.trim() !== '') throw new Error(`decode errors: ${decode.stderr}`);
  return { codec: j.streams[0]!.codec_name, firstKey: j.packets[0]!.flags.startsWith('K'), frames: j.packets.length };
}

function feed(f: TsFanout, buf: Buffer, chunk: number, until = buf.length): void {
  for (let o = 0; o < until; o += chunk) f.push(buf.subarray(o, Math.min(o + chunk, until)));
}

t.test('finds the programme, the codec and every keyframe, whatever the chunking', async (t) => {
  const ts = await makeTs('libx264', 'h264.ts');
  for (const chunk of [188, 1000, 4096, 65536]) {
    const f = new TsFanout();
    let keys = 0;
    f.on('keyframe', () => keys++);
    feed(f, ts, chunk);
    t.equal(f.codec, 'h264', `codec with ${chunk}-byte chunks`);
    t.equal(keys, 3, `3 s at GOP 25 = 3 keyframes (chunks of ${chunk})`);
    t.ok(f.ready);
    t.equal(f.stats().bytesIn, ts.length);
  }
});

t.test('a consumer joining mid-GOP starts with the tables and the cached keyframe', async (t) => {
  const ts = await makeTs('libx264', 'h264b.ts');
  const f = new TsFanout();
  const half = Math.floor(ts.length / 2 / TS_PACKET) * TS_PACKET;
  feed(f, ts, 1316, half); // about 1.5 s in: between the 2nd and 3rd keyframe
  const late = new Collect();
  f.subscribe(late);
  t.ok(late.chunks.length >= 3, 'tables and the cached GOP arrive at once');
  t.equal(parseHeader(late.chunks[0]!).pid, 0, 'PAT first');
  feed(f, ts.subarray(half), 1316);
  const p = await probeFile(late.data, 'late.ts');
  t.equal(p.codec, 'h264');
  t.ok(p.firstKey, 'the first video packet is a keyframe');
  t.ok(p.frames > 25, `the cached part of the GOP is included (${p.frames} frames, more than the last GOP)`);
});

t.test('before the first keyframe a consumer waits for it', async (t) => {
  const ts = await makeTs('libx264', 'h264c.ts');
  const f = new TsFanout();
  const early = new Collect();
  f.subscribe(early);
  f.push(ts.subarray(0, TS_PACKET * 2)); // PAT + PMT only
  t.equal(early.chunks.length, 0, 'nothing before a keyframe');
  feed(f, ts.subarray(TS_PACKET * 2), 2000);
  const p = await probeFile(early.data, 'early.ts');
  t.ok(p.firstKey);
  t.equal(p.frames, 75, 'then everything');
});

t.test('a lagging consumer is cut off until the next keyframe; others are not held up', async (t) => {
  const ts = await makeTs('libx264', 'h264d.ts');
  const f = new TsFanout({ maxLagBytes: 1000 });
  const slow = new Collect();
  const fast = new Collect();
  f.subscribe(slow);
  f.subscribe(fast);
  let lagging = 0;
  f.on('lagging', () => lagging++);
  const third = Math.floor(ts.length / 3 / TS_PACKET) * TS_PACKET;
  feed(f, ts, 1316, third);
  slow.writableLength = 5000; // its pipe is full
  feed(f, ts.subarray(third), 1316, Math.floor(ts.length / 2 / TS_PACKET) * TS_PACKET - third);
  t.ok(lagging > 0, 'lag reported');
  const before = slow.chunks.length;
  slow.writableLength = 0;
  feed(f, ts.subarray(Math.floor(ts.length / 2 / TS_PACKET) * TS_PACKET), 1316);
  t.ok(slow.chunks.length > before, 'resumes');
  t.equal(parseHeader(slow.chunks[before]!).pid, 0, 'resumes with the tables');
  const pFast = await probeFile(fast.data, 'fast.ts');
  t.equal(pFast.frames, 75, 'the fast consumer got every frame');
});

t.test('reset: a restarted source is not mixed with the old one', async (t) => {
  const ts = await makeTs('libx264', 'h264e.ts');
  const f = new TsFanout();
  feed(f, ts, 1316);
  t.ok(f.ready);
  f.reset();
  t.notOk(f.ready, 'not ready after reset');
  t.equal(f.codec, undefined);
  const c = new Collect();
  f.subscribe(c);
  t.equal(c.chunks.length, 0, 'no stale GOP is handed out');
  feed(f, ts, 1316);
  t.ok((await probeFile(c.data, 'reset.ts')).firstKey);
});

t.test('an over-size GOP is not cached', async (t) => {
  const ts = await makeTs('libx264', 'h264f.ts');
  const f = new TsFanout({ maxCacheBytes: 2000 });
  feed(f, ts, 1316, Math.floor(ts.length / 2 / TS_PACKET) * TS_PACKET);
  t.notOk(f.ready, 'no cache to start from');
  t.equal(f.stats().cachedBytes, 0);
});

t.test('H.265 sources are recognised and their keyframes found', async (t) => {
  const ts = await makeTs('libx265', 'h265.ts');
  const f = new TsFanout();
  let keys = 0;
  f.on('keyframe', () => keys++);
  feed(f, ts, 1316);
  t.equal(f.codec, 'h265');
  t.equal(keys, 3);
});

t.test('garbage between packets is skipped', async (t) => {
  const ts = await makeTs('libx264', 'h264g.ts');
  const f = new TsFanout();
  const c = new Collect();
  f.subscribe(c);
  const cut = TS_PACKET * 40;
  f.push(ts.subarray(0, cut));
  f.push(Buffer.from('not a transport stream packet'));
  f.push(ts.subarray(cut));
  t.ok(f.ready);
  t.equal(f.codec, 'h264');
});

t.test('the bitrate of a whole GOP, for tier decisions', async (t) => {
  const ts = await makeTs('libx264', 'h264h.ts');
  let fed = 0;
  // Bytes arrive evenly over the clip's 3 s, as from a camera.
  const f = new TsFanout({ now: () => (fed / ts.length) * 3000 });
  for (let o = 0; o < ts.length; o += 1316) {
    const chunk = ts.subarray(o, Math.min(o + 1316, ts.length));
    fed += chunk.length;
    f.push(chunk);
  }
  const s = f.stats();
  const average = Math.round((ts.length * 8) / 3000);
  t.ok(s.keyIntervalMs! > 900 && s.keyIntervalMs! < 1100, `GOP ≈ 1 s (${s.keyIntervalMs} ms)`);
  t.ok(Math.abs(s.gopKbps! - average) < average * 0.25, `GOP rate ${s.gopKbps} kb/s ≈ the stream's ${average} kb/s`);
  f.reset();
  t.equal(f.stats().gopKbps, undefined, 'forgotten on reset');
});

t.test('GOPs are timed by their timestamps: bytes that arrive in bursts (a loaded box, a jittery link) do not change the GOP or its rate', async (t) => {
  const ts = await makeTs('libx264', 'h264burst.ts');
  const steady = new TsFanout();
  feed(steady, ts, 1316);
  // The same bytes, arriving in bursts: the clock leaps 700 ms every 20 chunks and stands still between.
  let now = 0;
  let n = 0;
  const bursty = new TsFanout({ now: () => now });
  for (let o = 0; o < ts.length; o += 1316) {
    if (++n % 20 === 0) now += 700;
    bursty.push(ts.subarray(o, Math.min(o + 1316, ts.length)));
  }
  const a = steady.stats();
  const b = bursty.stats();
  t.equal(a.keyIntervalMs, 1000, 'GOP 25 at 25 fps is 1.000 s by its timestamps');
  t.equal(b.keyIntervalMs, 1000, 'whatever the arrival');
  t.equal(b.gopKbps, a.gopKbps, 'and so is its rate');
});

t.test('the GOP rate counts video payload, not the TS packets that carry it', async (t) => {
  // A 128 kb/s CIF stream: 4–5 packets a frame, the last mostly stuffing.
  const file = path.join(dir, 'cif128.ts');
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=352x288:rate=25', '-t', '4',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-bf', '0', '-sc_threshold', '0',
    '-b:v', '128k', '-maxrate', '128k', '-bufsize', '128k', '-f', 'mpegts', file,
  ]);
  const ts = fs.readFileSync(file);
  const sizes = await probePacketSizes(file);
  let fed = 0;
  const f = new TsFanout({ now: () => (fed / ts.length) * 4000 });
  for (let o = 0; o < ts.length; o += 1316) {
    const chunk = ts.subarray(o, Math.min(o + 1316, ts.length));
    fed += chunk.length;
    f.push(chunk);
  }
  // Bytes arrive evenly, so the last whole GOP's share of the file's time is its share of the bytes.
  const esKbps = (sizes.reduce((a, b) => a + b, 0) * 8) / 4000;
  const tsKbps = (ts.length * 8) / 4000;
  t.ok(tsKbps > esKbps * 1.1, `the TS carries ${Math.round(tsKbps)} kb/s for ${Math.round(esKbps)} kb/s of video`);
  t.ok(Math.abs(f.stats().gopKbps! - esKbps) < esKbps * 0.15, `GOP rate ${f.stats().gopKbps} kb/s ≈ the video's ${Math.round(esKbps)} kb/s`);
});

/** Sizes of the video packets (access units) ffprobe reads from a file. */
async function probePacketSizes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file]);
  return stdout.split('\n').filter(Boolean).map((l) => parseInt(l, 10));
}
