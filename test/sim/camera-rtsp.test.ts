// The RTSP camera simulator against real FFmpeg clients over loopback.
import net from 'node:net';
import t from 'tap';
import { MAIN_1080P_H264, MAIN_1080P_H265, SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { FFMPEG, probe, RawRtspClient, runTool, spawnTool, startCamera, waitUntil, withTimeout } from './camera-helpers.js';

const decodeArgs = (url: string, frames: number): string[] => ['-hide_banner', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-frames:v', String(frames), '-f', 'null', '-'];
/** An open-ended client that reports progress (ARCHITECTURE §3) until told to quit with `q`. */
const watchArgs = (url: string): string[] => ['-hide_banner', '-v', 'error', '-nostats', '-rtsp_transport', 'tcp', '-i', url, '-progress', 'pipe:1', '-f', 'null', '-'];
const decodedFrames = (out: string): boolean => /frame=[1-9]/.test(out);

t.test('ffprobe sees the codec and size of main (1080p H.264), sub (CIF) and an H.265 stream', async (t) => {
  const cam = await startCamera(t, {
    streams: [
      { path: 'main', clip: MAIN_1080P_H264 },
      { path: 'sub', clip: SUB_CIF_H264 },
      { path: 'h265', clip: MAIN_1080P_H265 },
    ],
  });
  const [main, sub, hevc] = await Promise.all([probe(t, cam.url('main')), probe(t, cam.url('sub')), probe(t, cam.url('h265'))]);
  t.match(main.streams, [{ codec_name: 'h264', width: 1920, height: 1080, profile: 'High', r_frame_rate: '25/1' }], main.result.stderr);
  t.match(sub.streams, [{ codec_name: 'h264', width: 352, height: 288 }], sub.result.stderr);
  t.match(hevc.streams, [{ codec_name: 'hevc', width: 1920, height: 1080 }], hevc.result.stderr);
  t.equal(main.streams.length, 1, 'video only');
});

t.test('ffmpeg decodes 25 frames of the 1080p stream without an error', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'main', clip: MAIN_1080P_H264 }] });
  const r = await runTool(t, FFMPEG, decodeArgs(cam.url('main'), 25), 30_000);
  t.equal(r.code, 0);
  t.equal(r.stderr.trim(), '', 'no decoder or demuxer complaints');
});

t.test('stream paths accept a leading slash, a trailing slash and query strings; unknown paths are 404', async (t) => {
  const cam = await startCamera(t, {
    streams: [
      { path: '/Streaming/Channels/101', clip: SUB_CIF_H264 },
      { path: 'sub/', clip: SUB_CIF_H264 },
    ],
  });
  t.equal(cam.url('/sub'), `rtsp://127.0.0.1:${cam.port}/sub`);
  const [hik, slash, missing] = await Promise.all([
    probe(t, cam.url('Streaming/Channels/101?transportmode=unicast')),
    probe(t, `${cam.url('sub')}/`),
    probe(t, cam.url('nope')),
  ]);
  t.match(hik.streams, [{ codec_name: 'h264', width: 352 }], hik.result.stderr);
  t.match(slash.streams, [{ codec_name: 'h264' }], slash.result.stderr);
  t.not(missing.result.code, 0);
  t.match(missing.result.stderr, /404 Not Found/);
  t.match(cam.stats(), [{ path: 'Streaming/Channels/101', sessionsTotal: 1 }, { path: 'sub', sessionsTotal: 1 }]);
});

t.test('UDP transport is refused with 461 and FFmpeg falls back to TCP', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const { result, streams } = await probe(t, cam.url('sub'), []);
  t.match(streams, [{ codec_name: 'h264' }], result.stderr);
  t.match(result.stderr, /461 Unsupported Transport/);
});

t.test('stats count concurrent sessions and forget them when the clients quit', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }, { path: 'idle', clip: SUB_CIF_H264 }] });
  const a = spawnTool(t, FFMPEG, watchArgs(cam.url('sub')));
  const b = spawnTool(t, FFMPEG, watchArgs(cam.url('sub')));
  await Promise.all([a.waitForStdout(decodedFrames, 20_000), b.waitForStdout(decodedFrames, 20_000)]);
  t.same(cam.stats(), [
    { path: 'sub', sessionsActive: 2, sessionsTotal: 2, playing: 2 },
    { path: 'idle', sessionsActive: 0, sessionsTotal: 0, playing: 0 },
  ]);
  a.child.stdin!.write('q');
  b.child.stdin!.write('q');
  const [ra, rb] = await Promise.all([a.result, b.result]);
  t.same([ra.code, rb.code], [0, 0], `${ra.stderr}${rb.stderr}`);
  await waitUntil('both sessions gone', () => cam.stats()[0]!.sessionsActive === 0, 5000);
  t.same(cam.stats()[0], { path: 'sub', sessionsActive: 0, sessionsTotal: 2, playing: 0 });
});

t.test('dropSessions: a connected FFmpeg sees the stream end, and the camera keeps listening', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const client = spawnTool(t, FFMPEG, watchArgs(cam.url('sub')));
  await client.waitForStdout(decodedFrames, 20_000);
  cam.dropSessions();
  t.same(cam.stats()[0], { path: 'sub', sessionsActive: 0, sessionsTotal: 1, playing: 0 }, 'sessions are gone at once');
  const ended = await withTimeout(client.result, 15_000, 'FFmpeg to end after the drop');
  t.equal(ended.signal, null, 'FFmpeg ended on its own');
  t.match(client.stdout(), /progress=end/, 'FFmpeg saw the end of its input');
  const again = await probe(t, cam.url('sub'));
  t.match(again.streams, [{ codec_name: 'h264' }], 'a new client is served after the drop');
});

t.test('garbage input gets a 4xx/5xx or a closed connection, never a crash', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const base = cam.url('sub');
  const inputs: Array<[string, string | Buffer, RegExp]> = [
    ['binary noise', Buffer.concat([Buffer.from([0xff, 0x00, 0x13, 0x37]), Buffer.alloc(64, 0xaa), Buffer.from('\r\n\r\n')]), /^(400|closed)$/],
    ['no CSeq', `OPTIONS ${base} RTSP/1.0\r\n\r\n`, /^400$/],
    ['CSeq not a number', `OPTIONS ${base} RTSP/1.0\r\nCSeq: abc\r\n\r\n`, /^400$/],
    ['two-part request line', `DESCRIBE RTSP/1.0\r\nCSeq: 1\r\n\r\n`, /^400$/],
    ['header without a colon', `DESCRIBE ${base} RTSP/1.0\r\nCSeq: 1\r\nthis is not a header\r\n\r\n`, /^400$/],
    ['HTTP instead of RTSP', `GET / HTTP/1.1\r\nHost: x\r\n\r\n`, /^400$/],
    ['RTSP/2.0', `OPTIONS ${base} RTSP/2.0\r\nCSeq: 1\r\n\r\n`, /^505$/],
    ['unknown method', `FROB ${base} RTSP/1.0\r\nCSeq: 1\r\n\r\n`, /^501$/],
    ['negative Content-Length', `SET_PARAMETER ${base} RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -5\r\n\r\n`, /^400$/],
    ['huge Content-Length', `SET_PARAMETER ${base} RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 999999999\r\n\r\n`, /^400$/],
    ['oversized header block', `DESCRIBE ${base} RTSP/1.0\r\nCSeq: 1\r\nX: ${'a'.repeat(10_000)}`, /^(400|closed)$/],
    ['oversized but complete header block', `DESCRIBE ${base} RTSP/1.0\r\nCSeq: 1\r\nX: ${'a'.repeat(10_000)}\r\n\r\n`, /^(400|closed)$/],
    ['malformed URL', `DESCRIBE rtsp://[::1/sub RTSP/1.0\r\nCSeq: 1\r\n\r\n`, /^404$/],
    ['bad percent-encoding', `DESCRIBE /%E0%A4%A RTSP/1.0\r\nCSeq: 1\r\n\r\n`, /^404$/],
    ['PLAY without a session', `PLAY ${base} RTSP/1.0\r\nCSeq: 1\r\nSession: 1234\r\n\r\n`, /^454$/],
    ['SETUP with garbage Transport', `SETUP ${base}/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: ;;;==,\r\n\r\n`, /^461$/],
    ['interleaved frame then OPTIONS', Buffer.concat([Buffer.from([0x24, 1, 0, 3, 1, 2, 3]), Buffer.from(`OPTIONS ${base} RTSP/1.0\r\nCSeq: 7\r\n\r\n`)]), /^200$/],
  ];
  for (const [name, payload, expect] of inputs) {
    const c = await RawRtspClient.connect(t, cam.port);
    const outcome = await c.send(payload, 5000).then(
      (r) => String(r.status),
      (err: Error) => (/closed/.test(err.message) ? 'closed' : err.message),
    );
    t.match(outcome, expect, name);
    c.close();
  }
  // Random byte flips of a valid request, then a hang-up: any reply or a close will do.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const valid = Buffer.from(`DESCRIBE ${base} RTSP/1.0\r\nCSeq: 3\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`);
  for (let i = 0; i < 20; i++) {
    const mutated = Buffer.from(valid);
    for (let j = 0; j < 1 + rand(6); j++) mutated[rand(mutated.length)] = rand(256);
    const c = await RawRtspClient.connect(t, cam.port);
    const reply = c.send(Buffer.concat([mutated, Buffer.from('\r\n\r\n')]), 5000);
    c.socket.end();
    const outcome = await reply.then(
      (r) => String(r.status),
      (err: Error) => (/closed/.test(err.message) ? 'closed' : err.message),
    );
    t.match(outcome, /^(\d{3}|closed)$/, `mutation ${i}`);
  }
  // A half-sent request followed by a hang-up must not leave anything behind either.
  const s = net.connect(cam.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.end(`DESCRIBE ${base} RTSP/1.0\r\nCSe`);
  await new Promise((r) => s.once('close', r));
  const ok = await probe(t, cam.url('sub'));
  t.match(ok.streams, [{ codec_name: 'h264' }], 'the camera still serves after the fuzzing');
});

t.test('a silent session times out; GET_PARAMETER keep-alives hold it', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }], sessionTimeoutS: 1 });
  const kept = await RawRtspClient.connect(t, cam.port);
  const silent = await RawRtspClient.connect(t, cam.port);
  const { session, setup } = await kept.play(cam.url('sub'));
  t.match(setup.headers.get('session'), /;timeout=1$/);
  await silent.play(cam.url('sub'));
  t.equal(cam.stats()[0]!.sessionsActive, 2);
  // Keep one session alive for twice the timeout, one request every 300 ms.
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    const r = await kept.request('GET_PARAMETER', cam.url('sub'), { Session: session });
    t.equal(r.status, 200);
    await new Promise((r) => setTimeout(r, 300));
  }
  await withTimeout(silent.closed, 1000, 'the silent session to be closed');
  t.ok(kept.isOpen, 'the kept session is still open');
  t.match(cam.stats()[0], { sessionsActive: 1, sessionsTotal: 2, playing: 1 });
  await withTimeout(kept.closed, 3000, 'the kept session to time out once quiet');
  t.match(cam.stats()[0], { sessionsActive: 0 });
});
