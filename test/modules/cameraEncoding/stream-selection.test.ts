import t from 'tap';
import { selectStreams, type StreamFacts } from '../../../src/modules/cameraEncoding/streamSelection.js';
import { assignRoles } from '../../../src/modules/cameras/onvifFacts.js';
import type { OnvifProfileInfo } from '../../../src/protocols/onvif/index.js';

const main: StreamFacts = { role: 'main', url: 'rtsp://c/main', codec: 'H264', width: 1920, height: 1080, fps: 25, kbps: 4096, gop: 50 };
const sub: StreamFacts = { role: 'sub', url: 'rtsp://c/sub', codec: 'H264', width: 352, height: 288, fps: 25, kbps: 256, gop: 50 };
const third: StreamFacts = { role: 'third', url: 'rtsp://c/third', codec: 'H264', width: 1280, height: 720, fps: 25, kbps: 2048, gop: 50 };
const none = { override: {}, cameraEncoded: {} };

t.test('the cheapest stream that satisfies each output', async (t) => {
  const s = selectStreams({ streams: [main, sub, third], ...none })!;
  t.equal(s.low.stream, 'sub', 'low from the CIF sub-stream');
  t.match(s.low.why, /smallest of at least CIF/);
  t.equal(s.high.stream, 'third', '1 Mbps from the 720p third stream, not the 1080p main');
  t.equal(s.fourM.stream, 'main');
  t.equal(s.source.stream, 'main');
  t.match(s.source.why, /H.264: copied/);
  t.notOk(s.low.cameraEncoded);

  const two = selectStreams({ streams: [main, sub], ...none })!;
  t.equal(two.high.stream, 'main', 'no 720p stream: main');
  t.match(two.high.why, /no smaller stream of at least 720p/);

  const qcif = selectStreams({ streams: [main, { ...sub, width: 176, height: 144 }], ...none })!;
  t.equal(qcif.low.stream, 'main', 'a QCIF sub-stream would be upscaled: main instead');

  const d1 = selectStreams({ streams: [main, { ...sub, width: 704, height: 576 }, third], ...none })!;
  t.equal(d1.low.stream, 'sub', 'a D1 sub-stream is still cheaper than 720p');
});

t.test('RTSP-only cameras: sizes unknown', async (t) => {
  const s = selectStreams({ streams: [{ role: 'main', url: 'a' }, { role: 'sub', url: 'b' }], ...none })!;
  t.equal(s.low.stream, 'sub');
  t.equal(s.high.stream, 'main');
  t.match(s.source.why, /codec learnt on the first pull/);
  const onlySub = selectStreams({ streams: [{ role: 'sub', url: 'b' }], ...none })!;
  t.equal(onlySub.source.stream, 'sub', 'the only stream feeds everything');
  t.equal(selectStreams({ streams: [], ...none }), undefined);
  const hevc = selectStreams({ streams: [{ ...main, codec: 'H265' }], ...none })!;
  t.match(hevc.source.why, /H.265: re-encoded/);
});

t.test('per-camera override and camera-side encoding', async (t) => {
  const o = selectStreams({ streams: [main, sub, third], override: { low: 'main', high: 'main' }, cameraEncoded: {} })!;
  t.equal(o.low.stream, 'main');
  t.match(o.low.why, /lowStream = main \(set for this camera\)/);
  t.equal(o.high.stream, 'main');
  const missing = selectStreams({ streams: [main, sub], override: { high: 'third' }, cameraEncoded: {} })!;
  t.equal(missing.high.stream, 'main');
  t.match(missing.high.why, /highStream = third ignored: the camera has no third stream/);
  const enc = selectStreams({ streams: [main, sub, third], override: { low: 'main' }, cameraEncoded: { low: 'sub', high: 'third' } })!;
  t.same([enc.low.stream, enc.low.cameraEncoded, enc.high.stream, enc.high.cameraEncoded], ['sub', true, 'third', true], 'verified camera encoding wins over the override');
  t.match(enc.low.why, /camera-side encoding/);
});

const profile = (token: string, width: number, height: number, encoderToken = `E${token}`, encoding = 'H264'): OnvifProfileInfo => ({
  token,
  name: token,
  encoding,
  width,
  height,
  fps: 25,
  bitrateKbps: 1000,
  gop: 50,
  encoderToken,
});

t.test('ONVIF profiles get roles by picture size', async (t) => {
  const roles = assignRoles([profile('P2', 352, 288), profile('P1', 1920, 1080), profile('P3', 1280, 720)]);
  t.same(Object.fromEntries(roles), { P1: 'main', P2: 'sub', P3: 'third' });
  t.same(Object.fromEntries(assignRoles([profile('A', 1920, 1080), profile('B', 704, 576)])), { A: 'main', B: 'sub' });
  t.same(Object.fromEntries(assignRoles([profile('A', 1920, 1080), profile('B', 1920, 1080, 'EA')])), { A: 'main' }, 'two profiles on one encoder are one stream');
  t.same(Object.fromEntries(assignRoles([profile('A', 1920, 1080), profile('J', 640, 480, 'EJ', 'JPEG')])), { A: 'main' }, 'MJPEG is not a video stream for the gateway');
  t.same(Object.fromEntries(assignRoles([profile('A', 1920, 1080), profile('B', 1920, 1080)])), { A: 'main' }, 'a second full-size stream is not a cheap sub-stream');
  t.same(assignRoles([]).size, 0);
});
