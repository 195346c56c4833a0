import t from 'tap';
import { PsDemuxer, guessVideoCodec, type PsUnit, type PsVideoUnit } from '../../../src/protocols/ps/demux.js';
import { PsMuxer } from '../../../src/protocols/ps/mux.js';
import { seededRandom } from '../../../src/sim/random.js';
import { CIF, clipAus, muxClip, type MuxedFrame } from './helpers.js';

function demuxInSteps(ps: Buffer, step: number, d = new PsDemuxer()): PsUnit[] {
  const out: PsUnit[] = [];
  for (let o = 0; o < ps.length; o += step) out.push(...d.push(ps.subarray(o, o + step)));
  out.push(...d.flush());
  return out;
}

const videoOf = (us: PsUnit[]): PsVideoUnit[] => us.filter((u): u is PsVideoUnit => u.kind === 'video');
const same = (got: PsVideoUnit[], want: readonly MuxedFrame[]): boolean =>
  got.length === want.length && got.every((u, i) => u.pts === want[i]!.pts && u.key === want[i]!.key && u.data.equals(want[i]!.data));

/** Removes the system header and PSM units from a frame's PS (devices that send neither). */
function stripTables(ps: Buffer): Buffer {
  if (ps[17] !== 0xbb) return ps;
  const sysLen = 6 + ps.readUInt16BE(18);
  const psmAt = 14 + sysLen;
  const psmLen = 6 + ps.readUInt16BE(psmAt + 4);
  return Buffer.concat([ps.subarray(0, 14), ps.subarray(psmAt + psmLen)]);
}

for (const codec of ['h264', 'h265'] as const) {
  t.test(`${codec}: frames come back whole with their PTS and key flags, whatever the read size`, async (t) => {
    const frames = muxClip(await clipAus(CIF[codec]), 25, { video: codec, maxPesPayload: 3000 });
    const ps = Buffer.concat(frames.map((f) => f.ps));
    for (const step of [1, 7, 1400, ps.length]) {
      const d = new PsDemuxer();
      const got = videoOf(demuxInSteps(ps, step, d));
      t.ok(same(got, frames), `reads of ${step} bytes: ${got.length} frames`);
      t.equal(got[0]!.codec, codec);
    }
  });

  t.test(`${codec}: no system header and no PSM — the codec is read from the NAL headers`, async (t) => {
    const frames = muxClip(await clipAus(CIF[codec]), 25, { video: codec });
    const d = new PsDemuxer();
    const got = videoOf(demuxInSteps(Buffer.concat(frames.map((f) => stripTables(f.ps))), 1400, d));
    t.ok(same(got, frames), 'every frame');
    t.equal(got[0]!.codec, codec);
    t.equal(d.stats.codecGuessed, true);
    t.same([d.stats.psms, d.stats.systemHeaders], [0, 0]);
  });
}

t.test('joining mid-GOP: frames before the first PSM are typed by guessing, keyframes found by NAL type', async (t) => {
  const frames = muxClip(await clipAus(CIF.h265), 25, { video: 'h265' });
  const d = new PsDemuxer();
  const got = videoOf(demuxInSteps(Buffer.concat(frames.slice(10).map((f) => f.ps)), 500, d));
  t.ok(same(got, frames.slice(10)), '40 frames');
  t.same(got.flatMap((u, i) => (u.key ? [i + 10] : [])), [25]);
  t.equal(got[0]!.codec, 'h265');
});

t.test('junk between packs is skipped and counted; start codes inside the video never confuse it', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264' });
  // NAL-like start codes (00 00 01 xx with xx < 0xB9) and stray bytes, as seen from some NVRs.
  const junk = Buffer.from([0xff, 0x00, 0x00, 0x01, 0x41, 0x9a, 0x00, 0x00, 0x00, 0x01, 0x09, 0x10, 0x55]);
  const ps = Buffer.concat(frames.flatMap((f) => [f.ps, junk]));
  const d = new PsDemuxer();
  const got = videoOf(demuxInSteps(ps, 999, d));
  t.ok(same(got, frames), 'every frame');
  t.equal(d.stats.junkBytes, junk.length * frames.length);
});

t.test('frames split into small PES with the PTS repeated in each (a device quirk)', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264', maxPesPayload: 500, ptsOnEveryPes: true });
  const d = new PsDemuxer();
  t.ok(same(videoOf(demuxInSteps(Buffer.concat(frames.map((f) => f.ps)), 1400, d)), frames));
  t.ok(d.stats.videoPes > frames.length * 2, `${d.stats.videoPes} PES for ${frames.length} frames`);
});

t.test('G.711 audio inside the PS: dropped cleanly by default, handed out when asked', async (t) => {
  const aus = await clipAus(CIF.h264);
  const mux = new PsMuxer({ video: 'h264', audio: 'g711a' });
  const parts: Buffer[] = [];
  aus.forEach((au, i) => {
    parts.push(mux.muxAudio({ data: Buffer.alloc(320, 0xd5), pts: i * 3600 }));
    parts.push(mux.muxVideo({ data: Buffer.concat(au.nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n])), pts: i * 3600, key: au.key }));
  });
  const ps = Buffer.concat(parts);
  const drop = new PsDemuxer();
  const dropped = demuxInSteps(ps, 1400, drop);
  t.equal(dropped.length, aus.length, 'video only');
  t.ok(dropped.every((u) => u.kind === 'video'));
  t.equal(drop.stats.audioDropped, aus.length);
  t.same([...drop.streamTypes], [[0xe0, 0x1b], [0xc0, 0x90]], 'the PSM lists G.711A (0x90)');
  const pass = demuxInSteps(ps, 1400, new PsDemuxer({ audio: 'pass' }));
  const audio = pass.filter((u) => u.kind === 'audio');
  t.equal(audio.length, aus.length);
  t.same(audio[1], { kind: 'audio', codec: 'g711a', data: Buffer.alloc(320, 0xd5), pts: 3600 });
});

t.test('bytes lost in transit: the frame is flagged damaged, parsing resynchronises, later frames are whole', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264', maxPesPayload: 2000 });
  const d = new PsDemuxer();
  const out: PsUnit[] = [];
  frames.forEach((f, i) => {
    if (i !== 3) return void out.push(...d.push(f.ps));
    // Frame 3 loses 700 bytes in the middle of its PES, as a lost RTP packet would.
    out.push(...d.push(f.ps.subarray(0, 300)));
    out.push(...d.discontinuity());
    out.push(...d.push(f.ps.subarray(1000)));
  });
  out.push(...d.flush());
  const got = videoOf(out);
  t.equal(got.length, frames.length, 'no frame lost entirely');
  t.same(got.flatMap((u, i) => (u.damaged ? [i] : [])), [3], 'only frame 3 is damaged');
  t.ok(same(got.slice(4), frames.slice(4)) && same(got.slice(0, 3), frames.slice(0, 3)), 'the others are intact');
  t.equal(d.stats.damagedFrames, 1);
});

t.test('random bytes never throw and produce nothing', async (t) => {
  const random = seededRandom(7);
  const bytes = Buffer.alloc(200_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.2 ? [0, 0, 1, 0xba, 0xe0, 0xbc][Math.floor(random() * 6)]! : Math.floor(random() * 256);
  const d = new PsDemuxer();
  let units: PsUnit[] = [];
  t.doesNotThrow(() => (units = demuxInSteps(bytes, 333, d)));
  t.equal(units.length, 0);
  t.ok(d.stats.junkBytes + d.stats.malformed > 0, 'the garbage was counted');
});

t.test('guessVideoCodec tells H.264 from H.265 by the first NAL header', async (t) => {
  const g = (...b: number[]) => guessVideoCodec(Buffer.from([0, 0, 0, 1, ...b]));
  t.equal(g(0x67, 0x64), 'h264', 'SPS');
  t.equal(g(0x09, 0x10), 'h264', 'AUD');
  t.equal(g(0x06, 0x05), 'h264', 'SEI');
  t.equal(g(0x65, 0x88), 'h264', 'IDR');
  t.equal(g(0x40, 0x01), 'h265', 'VPS');
  t.equal(g(0x46, 0x01), 'h265', 'AUD');
  t.equal(g(0x26, 0x01), 'h265', 'IDR_W_RADL');
  t.equal(g(0x80, 0x01), undefined, 'forbidden bit set');
});
