// RtspCamera.setClip: a stream re-encoded on the fly, measured on the wire with ffprobe.
import t from 'tap';
import type { ClipSpec } from '../../src/sim/camera/index.js';
import { measureStream } from '../../src/protocols/ffmpeg/measure.js';
import { probe, RawRtspClient, startCamera, waitUntil, withTimeout } from './camera-helpers.js';

const CIF_256K: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 50, seconds: 4 };
const QCIF_128K: ClipSpec = { codec: 'h264', width: 176, height: 144, fps: 25, bitrateKbps: 128, gopFrames: 25, seconds: 4 };

t.test('setClip: the path serves the new size, bitrate and GOP; its sessions are dropped, other paths keep theirs', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'a', clip: CIF_256K }, { path: 'b', clip: CIF_256K }] });
  const before = await probe(t, cam.url('a'));
  t.match(before.streams, [{ width: 352, height: 288 }], before.result.stderr);

  const onA = await RawRtspClient.connect(t, cam.port);
  const onB = await RawRtspClient.connect(t, cam.port);
  await onA.play(cam.url('a'));
  await onB.play(cam.url('b'));
  await Promise.all([onA.waitForFrames(0, 5, 5000), onB.waitForFrames(0, 5, 5000)]);

  await cam.setClip('a', QCIF_128K);
  await withTimeout(onA.closed, 5000, 'the client of the re-encoded path to be dropped');
  const seen = onB.frames.length;
  await onB.waitForFrames(0, seen + 10, 5000);
  t.ok(onB.isOpen, 'the client of the other path keeps its session');
  await waitUntil('stats settle', () => cam.stats()[0]!.sessionsActive === 0, 5000);
  t.match(cam.stats(), [{ path: 'a', sessionsActive: 0, sessionsTotal: 2 }, { path: 'b', sessionsActive: 1 }]);

  const m = await measureStream(cam.url('a'), { seconds: 3 });
  t.match(m, { codec: 'h264', width: 176, height: 144, gopFrames: 25 }, JSON.stringify(m));
  t.ok(m.videoKbps > 100 && m.videoKbps < 170, `≈128 kb/s on the wire (${m.videoKbps})`);
  const other = await probe(t, cam.url('b'));
  t.match(other.streams, [{ width: 352, height: 288 }], 'the other path still serves its clip');
});

t.test('setClip refuses an unknown path and an invalid spec, and keeps serving the old clip', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'a', clip: QCIF_128K }] });
  const client = await RawRtspClient.connect(t, cam.port);
  await client.play(cam.url('a'));
  await t.rejects(cam.setClip('nope', CIF_256K), /no stream path "nope"/);
  await t.rejects(cam.setClip('a', { ...CIF_256K, width: 351 }), { name: 'RangeError', message: /even/ });
  await t.rejects(cam.setClip('a', { ...CIF_256K, bitrateKbps: 0 }), { name: 'RangeError', message: /bitrateKbps/ });
  const seen = client.frames.length;
  await client.waitForFrames(0, seen + 10, 5000);
  t.ok(client.isOpen, 'a refused change does not restart the stream');
  const after = await probe(t, cam.url('/a/'));
  t.match(after.streams, [{ width: 176, height: 144 }]);
  await cam.close();
  await t.rejects(cam.setClip('a', CIF_256K), /closed/);
});

t.test('overlapping setClip calls on one path: the later call wins', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'a', clip: QCIF_128K }] });
  await Promise.all([cam.setClip('a', { ...QCIF_128K, bitrateKbps: 96 }), cam.setClip('a', CIF_256K)]);
  const p = await probe(t, cam.url('a'));
  t.match(p.streams, [{ width: 352, height: 288 }], p.result.stderr);
});
