// Hand-written H.264/H.265 Annex B walker (no maintained npm library does just this): splits a byte
// stream into NAL units, groups them into access units and pulls out the parameter sets for the SDP.

export type VideoCodec = 'h264' | 'h265';

export interface AccessUnit {
  /** NAL units without start codes, in stream order (parameter sets and SEI included). */
  nals: Buffer[];
  /** H.264 IDR (type 5) or H.265 IRAP (types 16–21): a decoder can start here. */
  key: boolean;
}

export interface ParameterSets {
  /** H.265 only. */
  vps?: Buffer;
  sps: Buffer;
  pps: Buffer;
}

export interface ParsedClip {
  codec: VideoCodec;
  aus: AccessUnit[];
  params: ParameterSets;
}

export const H264 = { SLICE: 1, IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9, FU_A: 28 } as const;
export const H265 = { IRAP_FIRST: 16, IRAP_LAST: 21, VPS: 32, SPS: 33, PPS: 34, AUD: 35, PREFIX_SEI: 39, FU: 49 } as const;

const START_CODE = Buffer.from([0, 0, 1]);

/** Splits an Annex B stream at its 3- and 4-byte start codes; the returned NAL units share memory with `buf`. */
export function splitNalUnits(buf: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let start = -1;
  let pos = buf.indexOf(START_CODE, 0);
  while (pos !== -1) {
    if (start !== -1) pushNal(nals, buf, start, pos);
    start = pos + 3;
    pos = buf.indexOf(START_CODE, start);
  }
  if (start !== -1) pushNal(nals, buf, start, buf.length);
  return nals;
}

function pushNal(nals: Buffer[], buf: Buffer, start: number, end: number): void {
  // Zero bytes before a start code are the first byte of a 4-byte start code or trailing_zero_8bits.
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) nals.push(buf.subarray(start, end));
}

export function nalType(codec: VideoCodec, nal: Buffer): number {
  const b = nal[0] ?? 0;
  return codec === 'h264' ? b & 0x1f : (b >> 1) & 0x3f;
}

export function isVcl(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type >= 1 && type <= 5 : type <= 31;
}

export function isKeyNal(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type === H264.IDR : type >= H265.IRAP_FIRST && type <= H265.IRAP_LAST;
}

export function isParameterSet(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type === H264.SPS || type === H264.PPS : type >= H265.VPS && type <= H265.PPS;
}

/** The NAL header length: the FU and single-NAL payload formats of RFC 6184 / RFC 7798 build on it. */
export function nalHeaderLength(codec: VideoCodec): number {
  return codec === 'h264' ? 1 : 2;
}

/**
 * Whether this slice opens a new picture: first_mb_in_slice == 0 (H.264) or
 * first_slice_segment_in_pic_flag (H.265). Both are the first bit after the NAL header
 * (ue(v) of 0 is a single 1 bit), which emulation prevention never touches.
 */
function firstSliceOfPicture(codec: VideoCodec, nal: Buffer): boolean {
  const b = nal[nalHeaderLength(codec)] ?? 0;
  return (b & 0x80) !== 0;
}

/** Non-VCL NAL types that may only appear before the first slice of an access unit. */
function opensAccessUnit(codec: VideoCodec, type: number): boolean {
  if (codec === 'h264') return type === H264.SEI || type === H264.SPS || type === H264.PPS || type === H264.AUD || (type >= 14 && type <= 18);
  // H.265 §7.4.2.4.4: VPS, SPS, PPS, AUD, prefix SEI, 41–44, 48–55.
  return (type >= H265.VPS && type <= H265.AUD) || type === H265.PREFIX_SEI || (type >= 41 && type <= 44) || (type >= 48 && type <= 55);
}

/** Groups NAL units into access units (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4): one per picture. */
export function groupAccessUnits(codec: VideoCodec, nals: readonly Buffer[]): AccessUnit[] {
  const aus: AccessUnit[] = [];
  let current: AccessUnit = { nals: [], key: false };
  let sawSlice = false;
  for (const nal of nals) {
    const type = nalType(codec, nal);
    const vcl = isVcl(codec, type);
    const boundary = sawSlice && (opensAccessUnit(codec, type) || (vcl && firstSliceOfPicture(codec, nal)));
    if (boundary) {
      aus.push(current);
      current = { nals: [], key: false };
      sawSlice = false;
    }
    current.nals.push(nal);
    if (vcl) {
      sawSlice = true;
      if (isKeyNal(codec, type)) current.key = true;
    }
  }
  if (current.nals.length > 0) aus.push(current);
  return aus;
}

/** The first VPS/SPS/PPS found, as the SDP's sprop-* carry them. */
export function findParameterSets(codec: VideoCodec, nals: Iterable<Buffer>): ParameterSets | undefined {
  let vps: Buffer | undefined;
  let sps: Buffer | undefined;
  let pps: Buffer | undefined;
  const [VPS, SPS, PPS] = codec === 'h264' ? [-1, H264.SPS, H264.PPS] : [H265.VPS, H265.SPS, H265.PPS];
  for (const nal of nals) {
    const type = nalType(codec, nal);
    if (type === VPS) vps ??= nal;
    else if (type === SPS) sps ??= nal;
    else if (type === PPS) pps ??= nal;
    if (sps && pps && (codec === 'h264' || vps)) break;
  }
  if (!sps || !pps || (codec === 'h265' && !vps)) return undefined;
  return codec === 'h265' ? { vps, sps, pps } : { sps, pps };
}

/**
 * Parses a clip for replay. It must start with a key access unit that carries its parameter
 * sets, and so must every later key unit: clients join there, and the replay loops back to AU 0.
 */
export function parseClip(codec: VideoCodec, buf: Buffer): ParsedClip {
  const aus = groupAccessUnits(codec, splitNalUnits(buf));
  const first = aus[0];
  if (!first) throw new Error(`no ${codec} NAL units in the clip`);
  if (!first.key) throw new Error(`the clip does not start with a key access unit (first NAL type ${nalType(codec, first.nals[0]!)})`);
  aus.forEach((au, i) => {
    if (au.key && !au.nals.some((n) => isParameterSet(codec, nalType(codec, n)))) {
      throw new Error(`key access unit ${i} carries no parameter sets`);
    }
  });
  const params = findParameterSets(codec, first.nals);
  if (!params) throw new Error('the first access unit lacks its parameter sets');
  return { codec, aus, params };
}

/** H.264 profile-level-id for the SDP: profile_idc, constraint flags and level_idc, as hex. */
export function h264ProfileLevelId(sps: Buffer): string {
  return sps.subarray(1, 4).toString('hex').toUpperCase();
}
