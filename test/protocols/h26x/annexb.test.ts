import fs from 'node:fs/promises';
import t from 'tap';
import {
  findParameterSets,
  groupAccessUnits,
  h264ProfileLevelId,
  nalType,
  parseClip,
  splitNalUnits,
} from '../../../src/protocols/h26x/annexb.js';
import { ensureClip, SUB_CIF_H264 } from '../../../src/sim/camera/clips.js';
import { CIF_H265 } from '../../sim/camera-helpers.js';

const sc3 = Buffer.from([0, 0, 1]);
const sc4 = Buffer.from([0, 0, 0, 1]);
const h264 = (type: number, firstSlice = true, len = 6): Buffer => {
  const b = Buffer.alloc(len, 0x11);
  b[0] = 0x60 | type;
  b[1] = firstSlice ? 0x88 : 0x08;
  return b;
};
const h265 = (type: number, firstSlice = true, len = 6): Buffer => {
  const b = Buffer.alloc(len, 0x22);
  b[0] = type << 1;
  b[1] = 0x01; // nuh_temporal_id_plus1 = 1
  b[2] = firstSlice ? 0x80 : 0x00;
  return b;
};

t.test('splitNalUnits handles 3- and 4-byte start codes and trailing zero bytes', async (t) => {
  const a = Buffer.from([0x67, 1, 2]);
  const b = Buffer.from([0x68, 3]);
  const c = Buffer.from([0x65, 0x88, 0, 0, 3, 4]); // emulation prevention bytes stay in the NAL
  const stream = Buffer.concat([sc4, a, Buffer.from([0, 0]), sc3, b, sc4, c, Buffer.from([0])]);
  const nals = splitNalUnits(stream);
  t.same(nals.map((n) => [...n]), [[...a], [...b], [...c]]);
  t.same(splitNalUnits(Buffer.from([1, 2, 3])), [], 'no start code, no NAL units');
  t.same(splitNalUnits(Buffer.concat([sc4, sc4, a])).map((n) => [...n]), [[...a]], 'empty NAL units are skipped');
});

t.test('groupAccessUnits: H.264 pictures, multi-slice pictures and key flags', async (t) => {
  const nals = [h264(7), h264(8), h264(6), h264(5), h264(5, false), h264(1), h264(1), h264(1, false), h264(9), h264(1), h264(12)];
  const aus = groupAccessUnits('h264', nals);
  t.same(
    aus.map((au) => au.nals.map((n) => nalType('h264', n))),
    [[7, 8, 6, 5, 5], [1], [1, 1], [9, 1, 12]],
  );
  t.same(aus.map((au) => au.key), [true, false, false, false]);
});

t.test('groupAccessUnits: H.265 IRAP range and parameter sets', async (t) => {
  const nals = [h265(32), h265(33), h265(34), h265(39), h265(19), h265(19, false), h265(1), h265(40), h265(21), h265(1), h265(16)];
  const aus = groupAccessUnits('h265', nals);
  t.same(
    aus.map((au) => au.nals.map((n) => nalType('h265', n))),
    [[32, 33, 34, 39, 19, 19], [1, 40], [21], [1], [16]],
  );
  t.same(aus.map((au) => au.key), [true, false, true, false, true]);
  const ps = findParameterSets('h265', nals);
  t.same([ps?.vps?.[0], ps?.sps[0], ps?.pps[0]], [32 << 1, 33 << 1, 34 << 1]);
  t.equal(findParameterSets('h265', [h265(33), h265(34)]), undefined, 'H.265 needs a VPS too');
});

t.test('parseClip rejects streams a client could not join', async (t) => {
  t.throws(() => parseClip('h264', Buffer.alloc(10)), /no h264 NAL units/);
  const noKey = Buffer.concat([sc4, h264(1), sc4, h264(1)]);
  t.throws(() => parseClip('h264', noKey), /does not start with a key access unit/);
  const bareIdr = Buffer.concat([sc4, h264(5)]);
  t.throws(() => parseClip('h264', bareIdr), /carries no parameter sets/);
  const ok = parseClip('h264', Buffer.concat([sc4, h264(7, true, 4), sc4, h264(8), sc4, h264(5), sc4, h264(1)]));
  t.equal(ok.aus.length, 2);
});

t.test('the CIF H.264 preset: one AU per frame, an IDR with SPS/PPS every GOP', async (t) => {
  const clip = parseClip('h264', await fs.readFile(await ensureClip(SUB_CIF_H264)));
  t.equal(clip.aus.length, SUB_CIF_H264.seconds * SUB_CIF_H264.fps);
  const keys = clip.aus.flatMap((au, i) => (au.key ? [i] : []));
  t.same(keys, [0, 50, 100, 150, 200], 'fixed GOP, scene-cut detection off');
  for (const i of keys) {
    const types = clip.aus[i]!.nals.map((n) => nalType('h264', n));
    t.same(types.slice(0, 2), [7, 8], `AU ${i} starts with SPS, PPS`);
    t.equal(types.at(-1), 5, `AU ${i} ends with its IDR slice`);
  }
  const pictureless = clip.aus.filter((au) => !au.nals.some((n) => [1, 5].includes(nalType('h264', n))));
  t.equal(pictureless.length, 0, 'every AU holds a picture');
  t.equal(nalType('h264', clip.params.sps), 7);
  t.equal(nalType('h264', clip.params.pps), 8);
  t.match(h264ProfileLevelId(clip.params.sps), /^64[0-9A-F]{2}[0-9A-F]{2}$/, 'High profile (profile_idc 100)');
});

t.test('a small H.265 clip: IDR pictures with VPS/SPS/PPS every GOP', async (t) => {
  const clip = parseClip('h265', await fs.readFile(await ensureClip(CIF_H265)));
  t.equal(clip.aus.length, 50);
  const keys = clip.aus.flatMap((au, i) => (au.key ? [i] : []));
  t.same(keys, [0, 25]);
  for (const i of keys) {
    const types = clip.aus[i]!.nals.map((n) => nalType('h265', n));
    t.same(types.slice(0, 3), [32, 33, 34], `AU ${i} starts with VPS, SPS, PPS`);
    t.ok(types.some((ty) => ty === 19 || ty === 20), `AU ${i} is an IDR (closed GOP), got ${types.join(',')}`);
  }
  t.ok(clip.params.vps);
});
