import t from 'tap';
import { TsFanout } from '../../../src/protocols/mpegts/fanout.js';
import { PsToMpegTs } from '../../../src/protocols/ps/toMpegTs.js';
import { PsRtpPacketizer } from '../../../src/protocols/ps/rtpPacketizer.js';
import { decodeRtp } from '../../../src/protocols/rtp/packet.js';
import { CIF, clipAus, muxClip, probeBytes } from './helpers.js';

for (const codec of ['h264', 'h265'] as const) {
  t.test(`${codec}: PS → MPEG-TS feeds the engine's fan-out and decodes`, async (t) => {
    const frames = muxClip(await clipAus(CIF[codec]), 25, { video: codec });
    const fanout = new TsFanout();
    const ts: Buffer[] = [];
    let readyCodec: string | undefined;
    fanout.once('ready', (c: string) => (readyCodec = c));
    const convert = new PsToMpegTs((b) => {
      ts.push(b);
      fanout.push(b);
    });
    const pk = new PsRtpPacketizer({ ssrc: 1 });
    for (const f of frames) for (const p of pk.packetize(f.ps, f.pts)) convert.pushRtp(decodeRtp(p));
    convert.flush();
    t.equal(readyCodec, codec, 'the fan-out found the tables and a keyframe');
    t.equal(fanout.stats().codec, codec);
    t.equal(convert.stats().framesOut, frames.length, 'each frame handed out at its RTP marker');
    const probe = await probeBytes(Buffer.concat(ts), 'mpegts');
    t.same([probe.measure.codec, probe.measure.width, probe.measure.height, probe.measure.fps], [codec === 'h264' ? 'h264' : 'hevc', 352, 288, 25]);
    t.equal(probe.decoded, frames.length, 'every frame decodes');
    t.equal(probe.measure.gopFrames, 25, 'keyframes flagged where they are');
  });
}

t.test('frames before the first keyframe are dropped; each TS write is whole packets', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264' });
  const writes: Buffer[] = [];
  const convert = new PsToMpegTs((b) => writes.push(b));
  for (const f of frames.slice(5)) convert.pushPs(f.ps, true);
  convert.flush();
  t.equal(convert.stats().beforeFirstKey, 20, 'frames 5–24 waited for the keyframe at 25');
  t.equal(convert.stats().framesOut, 25);
  t.ok(writes.every((w) => w.length % 188 === 0 && w[0] === 0x47), 'whole 188-byte packets');
});

t.test('a device that sets the RTP marker inside frames: markers stop being trusted, frames stay whole', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264', maxPesPayload: 1000 });
  const ts: Buffer[] = [];
  const convert = new PsToMpegTs((b) => ts.push(b));
  // Marker on every 1400-byte chunk, as some encoders do.
  for (const f of frames) for (let o = 0; o < f.ps.length; o += 1400) convert.pushPs(f.ps.subarray(o, o + 1400), true);
  convert.flush();
  const s = convert.stats();
  t.equal(s.trustMarker, false);
  t.ok(s.framesOut >= frames.length - 2, `${s.framesOut} frames out of ${frames.length}`);
  const probe = await probeBytes(Buffer.concat(ts), 'mpegts');
  t.ok(probe.decoded >= frames.length - 2, `${probe.decoded} frames decode`);
});

t.test('markers inside frames with the PTS on every PES are caught too', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264', maxPesPayload: 1000, ptsOnEveryPes: true });
  const convert = new PsToMpegTs(() => {});
  for (const f of frames) for (let o = 0; o < f.ps.length; o += 1400) convert.pushPs(f.ps.subarray(o, o + 1400), true);
  convert.flush();
  t.equal(convert.stats().trustMarker, false);
  t.ok(convert.stats().earlyEnds >= 1);
});
