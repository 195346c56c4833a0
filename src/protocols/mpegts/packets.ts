// Just enough MPEG-TS (ISO/IEC 13818-1) to relay a stream by packets: header fields, PAT and
// PMT. Hand-written because the npm demuxers decode whole PES payloads, and the fan-out only
// needs to find programme tables and keyframe starts without copying video data.

export const TS_PACKET = 188;
export const SYNC_BYTE = 0x47;

export interface TsHeader {
  pid: number;
  /** payload_unit_start_indicator: a PES or a table starts in this packet. */
  unitStart: boolean;
  /** random_access_indicator from the adaptation field (FFmpeg sets it on keyframes). */
  randomAccess: boolean;
  /** Offset of the payload in the packet, or -1 when there is none. */
  payloadOffset: number;
}

export function parseHeader(pkt: Buffer, at = 0): TsHeader {
  const b1 = pkt[at + 1]!;
  const b3 = pkt[at + 3]!;
  const pid = ((b1 & 0x1f) << 8) | pkt[at + 2]!;
  const adaptation = (b3 & 0x20) !== 0;
  const payload = (b3 & 0x10) !== 0;
  let offset = 4;
  let randomAccess = false;
  if (adaptation) {
    const len = pkt[at + 4]!;
    if (len > 0) randomAccess = (pkt[at + 5]! & 0x40) !== 0;
    offset = 5 + len;
  }
  return { pid, unitStart: (b1 & 0x40) !== 0, randomAccess, payloadOffset: payload && offset < TS_PACKET ? offset : -1 };
}

/** Stream types of video codecs we relay (ISO/IEC 13818-1 Table 2-34, H.222 amendments). */
export const VIDEO_STREAM_TYPES: Readonly<Record<number, 'h264' | 'h265' | 'mpeg2' | 'mpeg4'>> = {
  0x1b: 'h264',
  0x24: 'h265',
  0x02: 'mpeg2',
  0x10: 'mpeg4',
};

/** Section bytes of a PSI table starting in this packet (pointer field honoured), or undefined. */
function section(pkt: Buffer, at: number, h: TsHeader): Buffer | undefined {
  if (!h.unitStart || h.payloadOffset < 0) return undefined;
  const start = at + h.payloadOffset + 1 + pkt[at + h.payloadOffset]!;
  if (start + 3 > at + TS_PACKET) return undefined;
  const length = ((pkt[start + 1]! & 0x0f) << 8) | pkt[start + 2]!;
  const end = Math.min(start + 3 + length, at + TS_PACKET);
  return pkt.subarray(start, end);
}

/** PMT PID of the first programme in a PAT packet. */
export function parsePat(pkt: Buffer, at = 0): number | undefined {
  const h = parseHeader(pkt, at);
  const s = section(pkt, at, h);
  if (!s || s[0] !== 0x00) return undefined;
  // 8-byte header, 4-byte programme entries, 4-byte CRC.
  for (let i = 8; i + 4 <= s.length - 4; i += 4) {
    const programme = (s[i]! << 8) | s[i + 1]!;
    if (programme !== 0) return ((s[i + 2]! & 0x1f) << 8) | s[i + 3]!;
  }
  return undefined;
}

export interface PmtVideo {
  pid: number;
  codec: 'h264' | 'h265' | 'mpeg2' | 'mpeg4';
}

/** The first video elementary stream of a PMT packet. */
export function parsePmt(pkt: Buffer, at = 0): PmtVideo | undefined {
  const h = parseHeader(pkt, at);
  const s = section(pkt, at, h);
  if (!s || s[0] !== 0x02 || s.length < 12) return undefined;
  const programInfoLength = ((s[10]! & 0x0f) << 8) | s[11]!;
  for (let i = 12 + programInfoLength; i + 5 <= s.length - 4; ) {
    const type = s[i]!;
    const pid = ((s[i + 1]! & 0x1f) << 8) | s[i + 2]!;
    const infoLength = ((s[i + 3]! & 0x0f) << 8) | s[i + 4]!;
    const codec = VIDEO_STREAM_TYPES[type];
    if (codec) return { pid, codec };
    i += 5 + infoLength;
  }
  return undefined;
}

/**
 * Whether the PES starting in this packet begins a keyframe, by its NAL units: the fallback
 * for muxers that do not set random_access_indicator. Looks only inside this first packet.
 */
export function pesStartsWithKeyNal(pkt: Buffer, at: number, h: TsHeader, codec: PmtVideo['codec']): boolean {
  if (!h.unitStart || h.payloadOffset < 0) return false;
  const pes = at + h.payloadOffset;
  if (pkt[pes] !== 0 || pkt[pes + 1] !== 0 || pkt[pes + 2] !== 1) return false;
  const end = at + TS_PACKET;
  for (let i = pes + 9 + pkt[pes + 8]!; i + 4 < end; i++) {
    if (pkt[i] === 0 && pkt[i + 1] === 0 && pkt[i + 2] === 1) {
      const b = pkt[i + 3]!;
      if (codec === 'h264' && (b & 0x1f) === 5) return true;
      if (codec === 'h265') {
        const type = (b >> 1) & 0x3f;
        if (type >= 16 && type <= 21) return true;
      }
    }
  }
  return false;
}
