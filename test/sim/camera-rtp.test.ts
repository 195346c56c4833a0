import fs from 'node:fs/promises';
import t from 'tap';
import { nalType, parseClip, type VideoCodec } from '../../src/protocols/h26x/annexb.js';
import { ensureClip, SUB_CIF_H264 } from '../../src/sim/camera/clips.js';
import { decodeRtp, RTP_MAX_PAYLOAD } from '../../src/protocols/rtp/packet.js';
import { fragmentAccessUnit, RtpDepacketizer, RtpSender, type DepacketizedUnit } from '../../src/sim/camera/rtp.js';
import { CIF_H265 } from './camera-helpers.js';

function bigNal(codec: VideoCodec, type: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 7 + 3) & 0xff;
  if (codec === 'h264') b[0] = 0x60 | type;
  else {
    b[0] = type << 1;
    b[1] = 0x01;
  }
  return b;
}

function roundTrip(codec: VideoCodec, aus: Buffer[][], sender = new RtpSender()): DepacketizedUnit[] {
  const depack = new RtpDepacketizer(codec);
  const out: DepacketizedUnit[] = [];
  aus.forEach((nals, i) => {
    for (const pkt of sender.packets(fragmentAccessUnit(codec, nals), i * 3600)) {
      const unit = depack.push(decodeRtp(pkt));
      if (unit) out.push(unit);
    }
  });
  return out;
}

t.test('H.264: small NAL units go as single-NAL packets, large ones as FU-A (RFC 6184)', async (t) => {
  const sps = Buffer.from([0x67, 0x64, 0x00, 0x1e]);
  const idr = bigNal('h264', 5, 4000);
  const frags = fragmentAccessUnit('h264', [sps, idr]);
  t.equal(frags.length, 1 + Math.ceil((4000 - 1) / (RTP_MAX_PAYLOAD - 2)));
  t.same([...frags[0]!.prefix], [], 'SPS: single NAL unit packet');
  t.equal(frags[0]!.body, sps);
  const fus = frags.slice(1);
  for (const f of fus) {
    t.equal(f.prefix[0]! & 0x1f, 28, 'FU indicator type 28');
    t.equal(f.prefix[0]! & 0x60, 0x60, 'FU indicator keeps the NRI');
    t.equal(f.prefix[1]! & 0x1f, 5, 'FU header carries the NAL type');
    t.ok(f.prefix.length + f.body.length <= RTP_MAX_PAYLOAD, 'payload within the limit');
  }
  t.same(
    fus.map((f) => f.prefix[1]! & 0xc0),
    fus.map((_, i) => (i === 0 ? 0x80 : 0) | (i === fus.length - 1 ? 0x40 : 0)),
    'S bit on the first fragment, E bit on the last',
  );
  t.same(
    frags.map((f) => f.marker),
    frags.map((_, i) => i === frags.length - 1),
    'marker only on the last packet of the access unit',
  );
  t.same(Buffer.concat(fus.map((f) => f.body)), idr.subarray(1), 'fragments hold the NAL payload in order');
  t.equal(fragmentAccessUnit('h264', [bigNal('h264', 1, RTP_MAX_PAYLOAD)]).length, 1, 'a NAL of exactly the limit is not fragmented');
});

t.test('H.265: FU type 49 with the layer/TID bits kept (RFC 7798)', async (t) => {
  const nal = bigNal('h265', 19, 3000);
  const frags = fragmentAccessUnit('h265', [nal]);
  t.equal(frags.length, Math.ceil((3000 - 2) / (RTP_MAX_PAYLOAD - 3)));
  for (const f of frags) {
    t.equal((f.prefix[0]! >> 1) & 0x3f, 49);
    t.equal(f.prefix[1], 0x01, 'TID copied from the NAL header');
    t.equal(f.prefix[2]! & 0x3f, 19);
  }
  t.equal(frags[0]!.prefix[2]! & 0x80, 0x80);
  t.equal(frags.at(-1)!.prefix[2]! & 0x40, 0x40);
});

t.test('fragment → RTP → reassemble round trip, synthetic and real clips', async (t) => {
  const synthetic = [[bigNal('h264', 7, 12), bigNal('h264', 8, 4), bigNal('h264', 5, 10_000)], [bigNal('h264', 1, 1500)], [bigNal('h264', 1, 20)]];
  t.same(roundTrip('h264', synthetic).map((u) => u.nals), synthetic);

  const cif = parseClip('h264', await fs.readFile(await ensureClip(SUB_CIF_H264)));
  const cifAus = cif.aus.slice(0, 60).map((au) => au.nals);
  const units = roundTrip('h264', cifAus);
  t.equal(units.length, 60);
  t.ok(units.every((u, i) => Buffer.concat(u.nals).equals(Buffer.concat(cifAus[i]!)) && u.nals.length === cifAus[i]!.length), 'H.264 clip AUs survive');
  t.same(units.map((u) => u.timestamp).slice(0, 3), [0, 3600, 7200]);

  const hevc = parseClip('h265', await fs.readFile(await ensureClip(CIF_H265)));
  const hevcAus = hevc.aus.map((au) => au.nals);
  const hevcUnits = roundTrip('h265', hevcAus);
  t.equal(hevcUnits.length, hevcAus.length);
  t.ok(hevcUnits.every((u, i) => Buffer.concat(u.nals).equals(Buffer.concat(hevcAus[i]!))), 'H.265 clip AUs survive');
  t.equal(nalType('h265', hevcUnits[0]!.nals[0]!), 32);
});

t.test('RtpSender: header fields, sequence wrap, interleaved framing', async (t) => {
  const sender = new RtpSender({ ssrc: 0xdeadbeef, sequence: 0xfffe });
  const frags = fragmentAccessUnit('h264', [bigNal('h264', 5, 3000)]);
  const pkts = sender.packets(frags, 0x1_0000_0005 % 2 ** 32);
  const parsed = pkts.map((p) => decodeRtp(p));
  t.same(parsed.map((p) => p.sequence), [0xfffe, 0xffff, 0, 1].slice(0, parsed.length));
  t.ok(parsed.every((p) => p.ssrc === 0xdeadbeef && p.payloadType === 96 && p.timestamp === 5));
  t.equal(pkts[0]![0]! >> 6, 2, 'RTP version 2');
  t.equal(sender.nextSequence, (0xfffe + pkts.length) & 0xffff);
  t.equal(sender.packetCount, pkts.length);

  const il = sender.interleaved(frags, 42, 4);
  let off = 0;
  const seen: number[] = [];
  while (off < il.length) {
    t.equal(il[off], 0x24, '$ magic');
    t.equal(il[off + 1], 4, 'channel');
    const len = il.readUInt16BE(off + 2);
    const p = decodeRtp(il.subarray(off + 4, off + 4 + len));
    seen.push(p.sequence);
    t.equal(p.timestamp, 42);
    off += 4 + len;
  }
  t.equal(off, il.length, 'frames tile the buffer exactly');
  t.equal(seen.length, frags.length);
  t.equal(seen[0], (0xfffe + pkts.length) & 0xffff, 'sequence continues across calls');

  const a = new RtpSender();
  const b = new RtpSender();
  t.not(a.ssrc, b.ssrc, 'random SSRC per session');
});

t.test('the depacketizer drops an FU that lost a fragment', async (t) => {
  const sender = new RtpSender({ sequence: 100 });
  const nals = [bigNal('h264', 5, 5000)];
  const pkts = sender.packets(fragmentAccessUnit('h264', nals), 0).map((p) => decodeRtp(p));
  const depack = new RtpDepacketizer('h264');
  let unit: DepacketizedUnit | undefined;
  for (const p of pkts.filter((_, i) => i !== 1)) unit = depack.push(p) ?? unit;
  t.same(unit?.nals, [], 'the damaged NAL is not delivered');
  const next = sender.packets(fragmentAccessUnit('h264', [bigNal('h264', 1, 50)]), 3600).map((p) => decodeRtp(p));
  t.equal(depack.push(next[0]!)?.nals.length, 1, 'and the next AU is clean');
});

