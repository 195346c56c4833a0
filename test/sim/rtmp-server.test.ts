// The nginx-rtmp test server and the on-the-wire measurements, with real ffmpeg publishers.
import fs from 'node:fs';
import t from 'tap';
import { RtmpServerUnavailableError, parseRtmpStat, renderNginxConf, startRtmpServer, waitFirstFrame } from '../../src/sim/rtmp/index.js';
import { groupAlive } from '../../src/protocols/ffmpeg/childGroup.js';
import { measureStream, summarizeProbe, type ProbeJson } from '../../src/protocols/ffmpeg/measure.js';
import { freePort } from '../../src/sim/ports.js';
import { publishCif, startServer, within } from './rtmp-helpers.js';

t.test('a CIF publish measured on the wire: h264 352x288, 25 fps, GOP 25, ~128 kbps, AAC', async (t) => {
  const server = await startServer(t);
  const url = server.url('rtmp', 'cam1');
  t.equal(url, `rtmp://127.0.0.1:${server.port}/rtmp/cam1`);
  t.equal(server.baseUrl(), `rtmp://127.0.0.1:${server.port}/rtmp`);
  t.equal(server.baseUrl('live'), `rtmp://127.0.0.1:${server.port}/live`);
  publishCif(t, url);

  const m = await measureStream(url, { seconds: 4 });
  t.comment(`measured: ${JSON.stringify(m)}`);
  t.equal(m.codec, 'h264');
  t.equal(m.width, 352);
  t.equal(m.height, 288);
  t.ok(Math.abs(m.fps - 25) < 0.5, `fps ${m.fps} ≈ 25`);
  t.equal(m.gopFrames, 25, 'keyframe every 25 frames');
  t.ok(m.videoKbps > 128 * 0.7 && m.videoKbps < 128 * 1.3, `video ${m.videoKbps} kbps within ±30 % of 128`);
  t.ok(m.keyframeFirst, 'the server hands a joining reader a keyframe first (wait_key on)');
  t.ok(m.packets >= 90, `${m.packets} video packets in 4 s`);
  t.match(m.audio, { codec: 'aac', sampleRate: 44100 });
  t.ok(m.audioPackets > 0);

  const stats = await server.stats();
  const cam = stats.find((s) => s.app === 'rtmp' && s.stream === 'cam1');
  t.ok(cam?.publishing, 'stats: cam1 is being published');
  t.ok((cam?.clients ?? 0) >= 1);
  t.ok((cam?.bytesIn ?? 0) > 10_000, `stats: ${cam?.bytesIn} bytes in`);
});

t.test('restart() drops the publisher and accepts a new publish on the same port', async (t) => {
  const server = await startServer(t);
  const port = server.port;
  const url = server.url('live', 'cam2');
  const first = publishCif(t, url, { audio: false });
  const reader = waitFirstFrame(url, { timeoutMs: 15_000 });
  t.teardown(() => reader.close());
  await reader.firstFrame;
  const oldPid = server.pid!;

  await server.restart();
  const gone = await within(first.exited, 10_000, 'first publisher exit');
  t.not(gone.code, 0, `the publisher failed when the server went away (code ${gone.code}): ${gone.stderr.trim().split('\n').pop()}`);
  t.notOk(groupAlive(oldPid), 'the old nginx process group is gone');
  t.not(server.pid, oldPid, 'a new nginx');
  t.equal(server.port, port);

  const again = waitFirstFrame(url, { timeoutMs: 15_000 });
  t.teardown(() => again.close());
  await again.ready;
  const second = publishCif(t, url, { audio: false });
  t.ok((await again.firstFrame) >= second.spawnedAt, 'a frame of the new publish arrived');
  t.match(await server.stats(), [{ app: 'live', stream: 'cam2', publishing: true }]);
});

t.test('waitFirstFrame: the reader waits for a stream not yet published, then sees its first frame', async (t) => {
  const server = await startServer(t);
  for (const audio of [true, false]) {
    const url = server.url('rtmp', `ff-${audio ? 'av' : 'v'}`);
    const reader = waitFirstFrame(url, { timeoutMs: 15_000, stats: () => server.stats() });
    t.teardown(() => reader.close());
    await reader.ready;
    const waiting = (await server.stats()).find((s) => s.stream === `ff-${audio ? 'av' : 'v'}`);
    t.match(waiting, { publishing: false, clients: 1 }, 'the reader is waiting on an idle stream');
    const pub = publishCif(t, url, { audio });
    const at = await reader.firstFrame;
    t.ok(at >= pub.spawnedAt, 'the first frame came after the publisher started');
    t.comment(`first frame ${at - pub.spawnedAt} ms after the publisher was spawned (${audio ? 'with' : 'without'} audio)`);
    await pub.kill();
  }
});

t.test('waitFirstFrame gives up after its timeout and measureStream names the missing stream', async (t) => {
  const server = await startServer(t);
  const reader = waitFirstFrame(server.url('rtmp', 'nobody'), { timeoutMs: 1500 });
  await reader.ready;
  await t.rejects(reader.firstFrame, /no decoded frame within 1500 ms/);
  await reader.close();
  await t.rejects(measureStream(server.url('rtmp', 'nobody'), { seconds: 1, timeoutMs: 1500 }), /no result within 1500 ms/);
});

t.test('close() ends the nginx process group and removes its tmp dir; stop() + restart() come back', async (t) => {
  const server = await startRtmpServer({ apps: ['app1'] });
  t.teardown(() => server.close());
  t.match(server.conf, /load_module \/usr\/(lib|share)\/nginx\/modules\/ngx_rtmp_module\.so;/);
  t.match(server.conf, /application app1 \{/);
  t.notMatch(server.conf, /on_publish/);
  const pid = server.pid!;
  t.ok(groupAlive(pid));
  await server.stop();
  t.notOk(groupAlive(pid), 'stopped');
  t.equal(server.pid, undefined);
  await t.rejects(server.stats(), /stopped/);
  await server.restart();
  const pid2 = server.pid!;
  t.ok(groupAlive(pid2));
  t.same(await server.stats(), [], 'no streams yet');
  await server.close();
  t.notOk(groupAlive(pid2), 'closed');
  t.notOk(fs.existsSync(server.dir), 'tmp dir removed');
});

t.test('a fixed port, a caller-owned dir, and clear errors', async (t) => {
  const port = await freePort();
  const dir = fs.mkdtempSync('/tmp/vcgw-rtmp-test-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = await startServer(t, { port, dir, onPublishUrl: 'http://127.0.0.1:9/hook' });
  t.equal(server.port, port);
  t.equal(fs.readFileSync(`${dir}/nginx.conf`, 'utf8'), server.conf);
  t.match(server.conf, /on_publish http:\/\/127\.0\.0\.1:9\/hook;/);
  await t.rejects(startRtmpServer({ port }), /Address already in use/, 'a taken fixed port is an error, not a silent move');
  await server.close();
  t.ok(fs.existsSync(`${dir}/error.log`), 'a caller-owned dir is kept');

  await t.rejects(startRtmpServer({ nginxPath: '/nonexistent/nginx' }), RtmpServerUnavailableError);
  await t.rejects(startRtmpServer({ modulePath: '/nonexistent/ngx_rtmp_module.so' }), /run scripts\/deps\.sh/);
  await t.rejects(startRtmpServer({ onPublishUrl: 'https://127.0.0.1/x' }), /plain http/);
  await t.rejects(startRtmpServer({ apps: ['a b'] }), /app name/);
});

t.test('renderNginxConf: one process, files inside the prefix dir, one block per app', async (t) => {
  const conf = renderNginxConf({
    dir: '/tmp/x/',
    modulePath: '/m/ngx_rtmp_module.so',
    host: '127.0.0.1',
    port: 1935,
    statPort: 8080,
    apps: ['rtmp', 'live'],
    onPublishUrl: 'http://127.0.0.1:1/p',
  });
  t.match(conf, /^load_module \/m\/ngx_rtmp_module\.so;$/m);
  t.match(conf, /^daemon off;$/m);
  t.match(conf, /^master_process off;$/m);
  t.match(conf, /^error_log \/tmp\/x\/error\.log info;$/m);
  t.match(conf, /^pid \/tmp\/x\/nginx\.pid;$/m);
  t.match(conf, /listen 127\.0\.0\.1:8080;\s+location \/stat \{\s+rtmp_stat all;/);
  t.match(conf, /listen 127\.0\.0\.1:1935;\s+chunk_size 4096;/);
  t.equal(conf.match(/on_publish http:\/\/127\.0\.0\.1:1\/p;/g)?.length, 2, 'on_publish in every app');
  for (const line of conf.split('\n').filter((l) => /_temp_path /.test(l))) t.match(line, /\/tmp\/x\/tmp\//);
});

t.test('parseRtmpStat reads stream-level fields, not the clients’', async (t) => {
  const xml = `<?xml version="1.0" encoding="utf-8" ?><rtmp><server>
<application><name>rtmp</name><live>
<stream><name>a&amp;b</name><time>1</time><bw_in>0</bw_in><bytes_in>53811</bytes_in>
<client><id>4</id><address>127.0.0.1</address><publishing/><active/></client>
<client><id>5</id><address>127.0.0.1</address></client>
<meta><video><width>352</width></video></meta><nclients>2</nclients><publishing/><active/></stream>
<stream><name>idle</name><bytes_in>0</bytes_in><client><id>6</id></client><nclients>1</nclients></stream>
<nclients>3</nclients></live></application>
<application><name>live</name><live><nclients>0</nclients></live></application>
</server></rtmp>`;
  t.same(parseRtmpStat(xml), [
    { app: 'rtmp', stream: 'a&b', publishing: true, clients: 2, bytesIn: 53811 },
    { app: 'rtmp', stream: 'idle', publishing: false, clients: 1, bytesIn: 0 },
  ]);
  t.same(parseRtmpStat('<rtmp></rtmp>'), []);
});

t.test('summarizeProbe: fps from timestamps, GOP median, bitrate over whole GOPs only', async (t) => {
  const packets: NonNullable<ProbeJson['packets']> = [];
  // 10 fps, GOP 5, keyframes 1000 bytes, others 100; the read ends 2 frames into a GOP.
  for (let i = 0; i < 17; i++) {
    packets.push({ stream_index: 0, dts_time: (3.2 + i / 10).toFixed(3), size: i % 5 === 0 ? '1000' : '100', flags: i % 5 === 0 ? 'K_' : '__' });
    if (i % 2 === 0) packets.push({ stream_index: 1, dts_time: (3.2 + i / 10).toFixed(3), size: '6', flags: 'K_' });
  }
  const m = summarizeProbe({
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'h264', width: 352, height: 288 },
      { index: 1, codec_type: 'audio', codec_name: 'aac', sample_rate: '44100', channels: 2 },
    ],
    packets,
  });
  t.match(m, {
    codec: 'h264',
    width: 352,
    height: 288,
    fps: 10,
    gopFrames: 5,
    keyframeFirst: true,
    packets: 17,
    audioPackets: 9,
    audio: { codec: 'aac', sampleRate: 44100, channels: 2 },
  });
  // Three whole GOPs (0..14): 3 × (1000 + 4 × 100) bytes over 1.5 s.
  t.equal(m?.videoKbps, (3 * 1400 * 8) / 1.5 / 1000);
  t.equal(summarizeProbe({ streams: [{ index: 0, codec_type: 'audio' }], packets: [] }), undefined, 'no video');
  const late = summarizeProbe({
    streams: [{ index: 0, codec_type: 'video', codec_name: 'h264' }],
    packets: [
      { stream_index: 0, dts_time: '0.00', size: '100', flags: '__' },
      { stream_index: 0, dts_time: '0.04', size: '100', flags: '__' },
    ],
  });
  t.match(late, { keyframeFirst: false, gopFrames: 0, fps: 25 });
  t.equal(late?.videoKbps, (200 * 8) / 0.08 / 1000, 'no whole GOP: everything read over its span + one frame');
});
