import t from 'tap';
import { applyParams, offTier, planOutput, TIER_DEFAULTS } from '../../../src/modules/media/tiers.js';

const h264 = { codec: 'h264' as const, kbps: 6000, stream: 'main' as const };
const opts = { hevcPassthrough: false };

t.test('CONTRACT §2 defaults per videoType', async (t) => {
  const low = planOutput('low', {}, { ...h264, stream: 'sub' }, opts);
  t.same(low.encode, { fit: 'exact', width: 352, height: 288, fps: 25, bitrateKbps: 128, gopFrames: 25 });
  t.equal(low.stream, 'sub', 'the plan names the stream it was given');
  t.match(low.why, /from the sub stream/);
  t.same(planOutput('high', {}, h264, opts).encode, { fit: 'within', width: 1280, height: 720, fps: 25, bitrateKbps: 1024, gopFrames: 25 });
  t.same(planOutput('fourM', {}, h264, opts).encode, TIER_DEFAULTS.fourM, '4M transcoded from a source above 4 Mb/s');
  const source = planOutput('source', {}, h264, opts);
  t.equal(source.encode, undefined, 'source tier copies H.264');
  t.equal(source.stream, 'main');
});

t.test('4M pushes the source rate when the source is below 4 Mb/s', async (t) => {
  t.equal(planOutput('fourM', {}, { ...h264, kbps: 2500 }, opts).encode, undefined);
  t.equal(planOutput('fourM', {}, { ...h264, kbps: 4400 }, opts).encode, undefined, 'a nominal 4 Mb/s camera measured a little above is copied too');
  t.ok(planOutput('fourM', {}, { ...h264, kbps: 5000 }, opts).encode, 'a clearly faster source is brought down to 4 Mb/s');
  const early = planOutput('fourM', {}, { ...h264, kbps: undefined }, opts);
  t.equal(early.encode, undefined, 'rate not measured yet: copied at once (first screen)…');
  t.ok(early.provisional, '…and planned again once a whole GOP is measured');
  t.ok(planOutput('fourM', {}, { ...h264, codec: 'h265', kbps: 2500 }, opts).encode, 'an H.265 source is never copied by default');
});

t.test('H.265 sources', async (t) => {
  const hevc = { codec: 'h265' as const, kbps: 2000, stream: 'main' as const };
  const p = planOutput('source', {}, hevc, opts);
  t.ok(p.encode, 're-encoded to H.264');
  t.equal(p.encode!.bitrateKbps, 2600, 'a third more bits than the HEVC source');
  t.equal(p.encode!.fps, undefined, 'source frame rate kept');
  t.equal(planOutput('source', {}, hevc, { hevcPassthrough: true }).encode, undefined, 'copied with hevc_passthrough');
  t.equal(planOutput('source', {}, { ...hevc, kbps: 100 }, opts).encode!.bitrateKbps, 1024, 'floor');
});

t.test('request parameters: honoured within the tier bounds, logged otherwise', async (t) => {
  const ok = applyParams('high', TIER_DEFAULTS.high, { width: 960, height: 540, bitRate: 800, frameRate: 20, iframe: 50 });
  t.same(ok.video, { fit: 'within', width: 960, height: 540, fps: 20, bitrateKbps: 800, gopFrames: 50 });
  t.same(ok.deviations, []);
  const bad = applyParams('high', TIER_DEFAULTS.high, { width: 1920, height: 1080, bitRate: 99999, frameRate: 0, iframe: 1 });
  t.same(bad.video, TIER_DEFAULTS.high, 'every bad value falls back to the default');
  t.equal(bad.deviations.length, 4);
  t.match(bad.deviations.join('\n'), /bitRate=99999 outside 256–2048/);
  // E-4.1's demo values (50 fps, 382x198, 32 kb/s) are placeholders, not a low-tier profile.
  const demo = applyParams('low', TIER_DEFAULTS.low, { frameRate: 50, width: 382, height: 198, bitRate: 32, iframe: 25 });
  t.same(demo.video, TIER_DEFAULTS.low);
  t.equal(demo.deviations.length, 3);
  t.same(applyParams('low', TIER_DEFAULTS.low, { width: 704, height: 576 }).video.width, 704, 'D1 is a low size');
  t.same(applyParams('low', TIER_DEFAULTS.low, { width: 353 }).deviations.length, 1, 'odd sizes refused');
});

t.test('camera-side encoding: copied while the request asks for the tier defaults', async (t) => {
  const sub = { codec: 'h264' as const, kbps: 130, stream: 'sub' as const, cameraEncoded: true };
  const plan = planOutput('low', {}, sub, opts);
  t.equal(plan.encode, undefined, 'remuxed');
  t.ok(plan.cameraEncoded, 'watched for drift');
  t.match(plan.why, /camera-side encoding/);
  t.equal(planOutput('low', { bitRate: 128, width: 352, height: 288, frameRate: 25, iframe: 25 }, sub, opts).encode, undefined, 'explicit defaults still copy');
  const other = planOutput('low', { bitRate: 256 }, sub, opts);
  t.equal(other.encode?.bitrateKbps, 256, 'another rate is transcoded from the same stream');
  t.match(other.why, /request asks for other bitrateKbps/);
  t.ok(planOutput('high', {}, { ...sub, stream: 'third', kbps: 1000 }, opts).cameraEncoded, 'high tier too');
  t.ok(planOutput('low', {}, { ...sub, cameraEncoded: false }, opts).encode, 'without camera encoding: transcoded');
});

t.test('offTier: rate and keyframe spacing against the tier ±20 %', async (t) => {
  const low = TIER_DEFAULTS.low;
  t.equal(offTier({ gopKbps: 140, keyIntervalMs: 1000 }, low), undefined);
  t.equal(offTier({}, low), undefined, 'unmeasured is not drift');
  t.match(offTier({ gopKbps: 256, keyIntervalMs: 1000 }, low), /256 kb\/s, not 128/);
  t.match(offTier({ gopKbps: 128, keyIntervalMs: 2000 }, low), /keyframes every 2.00 s, not every 1.00 s/);
});
