import t from 'tap';
import {
  decodeRtp,
  encodeRtp,
  looksLikeRtcp,
  RtpFormatError,
  senderReport,
  sequenceDelta,
} from '../../../src/protocols/rtp/packet.js';
import { frameRfc4571, frameRfc4571All, Rfc4571Deframer } from '../../../src/protocols/rtp/framing.js';

t.test('encodeRtp and decodeRtp round-trip CSRCs, a header extension and padding', async (t) => {
  const payload = Buffer.from('PS bytes here');
  const buf = encodeRtp({
    payloadType: 96,
    marker: true,
    sequence: 65535,
    timestamp: 0xfffffff0,
    ssrc: 0x12345678,
    csrcs: [1, 0xdeadbeef],
    extension: { profile: 0xbede, data: Buffer.from([1, 2, 3, 4]) },
    payload,
    padTo: 4,
  });
  t.equal(buf.length % 4, 0, 'padded to a multiple of 4');
  t.equal(buf[0]! & 0x20, 0x20, 'P bit set');
  const p = decodeRtp(buf);
  t.same(
    { pt: p.payloadType, m: p.marker, seq: p.sequence, ts: p.timestamp, ssrc: p.ssrc, csrcs: p.csrcs },
    { pt: 96, m: true, seq: 65535, ts: 0xfffffff0, ssrc: 0x12345678, csrcs: [1, 0xdeadbeef] },
  );
  t.equal(p.extension?.profile, 0xbede);
  t.same([...p.extension!.data], [1, 2, 3, 4]);
  t.equal(p.payload.toString(), 'PS bytes here', 'payload without padding');
  t.equal(p.paddingLength, buf.length - 12 - 8 - 8 - payload.length);
});

t.test('decodeRtp names the field that is wrong', async (t) => {
  const field = (b: Buffer): string | undefined => {
    try {
      decodeRtp(b);
      return undefined;
    } catch (err) {
      return err instanceof RtpFormatError ? err.field : 'not an RtpFormatError';
    }
  };
  t.equal(field(Buffer.alloc(5)), 'length');
  t.equal(field(Buffer.from([0x40, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 'version');
  t.equal(field(Buffer.from([0x82, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), 'csrcs');
  t.equal(field(Buffer.from([0x90, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 9])), 'extension');
  t.equal(field(Buffer.from([0xa0, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 40])), 'padding');
  t.throws(() => encodeRtp({ payloadType: 200, marker: false, sequence: 0, timestamp: 0, ssrc: 0, payload: Buffer.alloc(0) }), /payloadType/);
});

t.test('sequenceDelta wraps at 2^16', async (t) => {
  t.equal(sequenceDelta(65535, 0), 1);
  t.equal(sequenceDelta(0, 65535), -1);
  t.equal(sequenceDelta(100, 90), -10);
  t.equal(sequenceDelta(65000, 200), 736);
});

t.test('RTCP is told from RTP on a shared port (RFC 5761)', async (t) => {
  t.equal(looksLikeRtcp(senderReport(1, Date.now(), 0, 0, 0)), true);
  t.equal(looksLikeRtcp(encodeRtp({ payloadType: 96, marker: true, sequence: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(4) })), false);
});

t.test('senderReport is a 28-byte RTCP SR with NTP time', async (t) => {
  const sr = senderReport(0x01020304, Date.UTC(2024, 0, 1, 0, 0, 0, 500), 90_000, 10, 12_345);
  t.equal(sr.length, 28);
  t.equal(sr[1], 200);
  t.equal(sr.readUInt32BE(4), 0x01020304);
  t.equal(sr.readUInt32BE(8), Date.UTC(2024, 0, 1) / 1000 + 2_208_988_800);
  t.equal(sr.readUInt32BE(12), 0x8000_0000, 'half a second');
  t.same([sr.readUInt32BE(16), sr.readUInt32BE(20), sr.readUInt32BE(24)], [90_000, 10, 12_345]);
});

t.test('RFC 4571 deframer survives any read boundary and skips empty frames', async (t) => {
  const packets = [Buffer.alloc(1, 1), Buffer.alloc(300, 2), Buffer.alloc(0), Buffer.alloc(1400, 3), Buffer.alloc(65535, 4)];
  const stream = frameRfc4571All(packets);
  t.same(stream.subarray(0, 3), frameRfc4571(packets[0]!), 'one frame is its length then its bytes');
  for (const step of [1, 2, 3, 1401, stream.length]) {
    const d = new Rfc4571Deframer();
    const out: Buffer[] = [];
    for (let o = 0; o < stream.length; o += step) out.push(...d.push(stream.subarray(o, o + step)));
    t.same(
      out.map((b) => [b.length, b[0]]),
      [
        [1, 1],
        [300, 2],
        [1400, 3],
        [65535, 4],
      ],
      `reads of ${step} bytes`,
    );
    t.equal(d.emptyFrames, 1);
    t.equal(d.buffered, 0, 'nothing left over');
  }
  t.throws(() => frameRfc4571(Buffer.alloc(65536)), /65535/);
});
