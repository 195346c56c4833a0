import t from 'tap';
import { crc32Mpeg2, readTimestamp, writeTimestamp } from '../../../src/protocols/mpegts/pes.js';
import { PsMuxer } from '../../../src/protocols/ps/mux.js';
import { PsRtpPacketizer } from '../../../src/protocols/ps/rtpPacketizer.js';
import { decodeRtp } from '../../../src/protocols/rtp/packet.js';
import { CIF, clipAus, muxClip, probeBytes } from './helpers.js';

interface Unit {
  code: number;
  bytes: Buffer;
}

/** Walks a PS buffer unit by unit by the lengths in their headers (independent of the demuxer). */
function units(ps: Buffer): Unit[] {
  const out: Unit[] = [];
  for (let o = 0; o < ps.length; ) {
    if (ps.readUIntBE(o, 3) !== 1) throw new Error(`no start code at ${o}`);
    const code = ps[o + 3]!;
    const len = code === 0xba ? 14 + (ps[o + 13]! & 7) : 6 + ps.readUInt16BE(o + 4);
    out.push({ code, bytes: ps.subarray(o, o + len) });
    o += len;
  }
  return out;
}

/** stream_id → stream_type pairs of a PSM. */
function psmEntries(psm: Buffer): Array<[number, number]> {
  const infoLength = psm.readUInt16BE(8);
  const mapLength = psm.readUInt16BE(10 + infoLength);
  const out: Array<[number, number]> = [];
  for (let i = 12 + infoLength; i < 12 + infoLength + mapLength; i += 4 + psm.readUInt16BE(i + 2)) out.push([psm[i + 1]!, psm[i]!]);
  return out;
}

function scrOf(pack: Buffer): number {
  const b = pack;
  const hi = (b[4]! >> 3) & 7;
  const lo = ((b[4]! & 3) << 28) | (b[5]! << 20) | ((b[6]! >> 3) << 15) | ((b[6]! & 3) << 13) | (b[7]! << 5) | (b[8]! >> 3);
  return hi * 2 ** 30 + (lo >>> 0);
}

for (const codec of ['h264', 'h265'] as const) {
  t.test(`${codec} clip muxed to PS is read by FFmpeg's PS demuxer with the right codec, size and rate`, async (t) => {
    const frames = muxClip(await clipAus(CIF[codec]), 25, { video: codec, maxPesPayload: 4096 });
    const probe = await probeBytes(Buffer.concat(frames.map((f) => f.ps)), 'mpeg');
    t.equal(probe.measure.codec, codec === 'h264' ? 'h264' : 'hevc');
    t.same([probe.measure.width, probe.measure.height], [352, 288]);
    t.equal(probe.measure.fps, 25);
    t.equal(probe.decoded, 50, 'every frame decodes');
  });
}

t.test('system header and PSM before keyframes only; SCR and PTS from the source clock', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264' });
  const key = units(frames[0]!.ps);
  const next = units(frames[1]!.ps);
  t.same(key.map((u) => u.code), [0xba, 0xbb, 0xbc, 0xe0], 'keyframe: pack, system header, PSM, PES');
  t.same(next.map((u) => u.code), [0xba, 0xe0], 'other frames: pack and PES');
  t.equal(scrOf(next[0]!.bytes), frames[1]!.pts, 'SCR is the frame time');
  const pes = next[1]!.bytes;
  t.equal(pes[7]! & 0xc0, 0x80, 'PTS only (no B-frames, DTS = PTS)');
  t.equal(readTimestamp(pes, 9), frames[1]!.pts);
  t.equal(frames[25]!.key, true, 'the clip has a keyframe every 25 frames');
  t.same(units(frames[25]!.ps).map((u) => u.code), [0xba, 0xbb, 0xbc, 0xe0], 'the next keyframe carries them again');
});

t.test('PSM stream types: 0x1B H.264, 0x24 H.265, 0x90 G.711A, 0x0F AAC; its CRC checks', async (t) => {
  const cases = [
    [{ video: 'h264' }, [[0xe0, 0x1b]]],
    [{ video: 'h265', audio: 'g711a' }, [[0xe0, 0x24], [0xc0, 0x90]]],
    [{ video: 'h264', audio: 'aac' }, [[0xe0, 0x1b], [0xc0, 0x0f]]],
  ] as const;
  for (const [opts, want] of cases) {
    const ps = new PsMuxer(opts).muxVideo({ data: Buffer.from([0, 0, 0, 1, 0x65, 1]), pts: 0, key: true });
    const psm = units(ps).find((u) => u.code === 0xbc)!.bytes;
    t.same(psmEntries(psm), want, JSON.stringify(opts));
    t.equal(crc32Mpeg2(psm), 0, 'CRC over the PSM and its CRC is zero');
  }
  t.throws(() => new PsMuxer({ video: 'mpeg2' as never }), /video codec/);
  t.throws(() => new PsMuxer({ video: 'h264', audio: 'h264' as never }), /audio codec/);
  t.throws(() => new PsMuxer({ video: 'h264', maxPesPayload: 70_000 }), /maxPesPayload/);
});

t.test('a large access unit is split over several PES, PTS/DTS on the first (or every one, as some devices do)', async (t) => {
  const data = Buffer.alloc(200_000, 7);
  data.writeUInt32BE(1, 0);
  for (const every of [false, true]) {
    const ps = new PsMuxer({ video: 'h264', ptsOnEveryPes: every }).muxVideo({ data, pts: 12_345, dts: 9_000, key: false });
    const pes = units(ps).filter((u) => u.code === 0xe0).map((u) => u.bytes);
    t.equal(pes.length, 4, '200 kB in PES of at most 65 535 bytes');
    t.same(
      pes.map((p) => p[7]! & 0xc0),
      every ? [0xc0, 0xc0, 0xc0, 0xc0] : [0xc0, 0, 0, 0],
      every ? 'PTS and DTS in every PES' : 'PTS and DTS in the first only',
    );
    t.same([readTimestamp(pes[0]!, 9), readTimestamp(pes[0]!, 14)], [12_345, 9_000]);
    t.same(Buffer.concat(pes.map((p) => p.subarray(9 + p[8]!))), data, 'the payloads put back together are the frame');
  }
});

t.test('33-bit timestamps round-trip, wrapping at 2^33', async (t) => {
  const buf = Buffer.alloc(5);
  for (const ts of [0, 1, 2 ** 32 + 5, 2 ** 33 - 1]) {
    writeTimestamp(buf, 0, 2, ts);
    t.equal(readTimestamp(buf, 0), ts);
  }
  writeTimestamp(buf, 0, 2, 2 ** 33 + 7);
  t.equal(readTimestamp(buf, 0), 7);
});

t.test('RTP packetiser: PT 96, MTU-sized payloads, marker on the last, 90 kHz timestamp from the source', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264' });
  const pk = new PsRtpPacketizer({ ssrc: 100000001, sequence: 65534 });
  const f0 = frames[0]!;
  const packets = pk.packetize(f0.ps, f0.pts).map(decodeRtp);
  t.ok(packets.length > 2, 'the keyframe takes several packets');
  t.ok(packets.every((p) => p.payload.length <= 1400 && p.payloadType === 96 && p.ssrc === 100000001));
  t.same(packets.map((p) => p.marker), packets.map((_, i) => i === packets.length - 1));
  t.same(packets.slice(0, 3).map((p) => p.sequence), [65534, 65535, 0], 'sequence wraps');
  t.same(Buffer.concat(packets.map((p) => p.payload)), f0.ps);
  const f1 = frames[1]!;
  const next = pk.packetize(f1.ps, f1.pts).map(decodeRtp);
  t.equal(next[0]!.timestamp - packets[0]!.timestamp, 3600, 'one frame at 25 fps is 3600 ticks of 90 kHz');
  t.equal(next[0]!.timestamp, f1.pts, 'the timestamp is the frame PTS');
  t.throws(() => new PsRtpPacketizer({ ssrc: -1 }), /ssrc/);
});
