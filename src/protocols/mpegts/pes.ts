// What MPEG-TS and MPEG-PS share (ISO/IEC 13818-1 §2.4.3.6, §2.4.4): PES headers with 33-bit
// 90 kHz timestamps, and the CRC-32 of the PSI sections and the program stream map.

export const TIMESTAMP_MODULO = 2 ** 33;
const TWO_30 = 2 ** 30;

/** Writes a 5-byte PTS or DTS field; `prefix` is 0b0010 (PTS only), 0b0011 (PTS with DTS) or 0b0001 (DTS). */
export function writeTimestamp(buf: Buffer, off: number, prefix: number, ts: number): void {
  const t = ((Math.floor(ts) % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
  const hi = Math.floor(t / TWO_30); // bits 32..30
  const lo = t % TWO_30; // bits 29..0, safe for 32-bit operators
  buf[off] = (prefix << 4) | (hi << 1) | 1;
  buf[off + 1] = (lo >>> 22) & 0xff;
  buf[off + 2] = (((lo >>> 15) & 0x7f) << 1) | 1;
  buf[off + 3] = (lo >>> 7) & 0xff;
  buf[off + 4] = ((lo & 0x7f) << 1) | 1;
}

export function readTimestamp(buf: Buffer, off: number): number {
  const hi = (buf[off]! >> 1) & 0x07;
  const lo = ((buf[off + 1]! << 22) | ((buf[off + 2]! >> 1) << 15) | (buf[off + 3]! << 7) | (buf[off + 4]! >> 1)) >>> 0;
  return hi * TWO_30 + lo;
}

export interface PesHeaderInfo {
  pts?: number;
  dts?: number;
  /** data_alignment_indicator: the payload starts with an access unit (or a NAL start code). */
  aligned?: boolean;
}

/** Length of the PES header (up to and including the optional fields) for `info`. */
export function pesHeaderLength(info: PesHeaderInfo): number {
  if (info.pts === undefined) return 9;
  return info.dts !== undefined && info.dts !== info.pts ? 19 : 14;
}

/**
 * Writes a PES header (MPEG-2 syntax) at `off`. `packetLength` is PES_packet_length: the bytes
 * after the length field, or 0 for "unbounded" (allowed for video in TS only).
 */
export function writePesHeader(buf: Buffer, off: number, streamId: number, packetLength: number, info: PesHeaderInfo): number {
  const withDts = info.pts !== undefined && info.dts !== undefined && info.dts !== info.pts;
  const optLength = info.pts === undefined ? 0 : withDts ? 10 : 5;
  buf[off] = 0;
  buf[off + 1] = 0;
  buf[off + 2] = 1;
  buf[off + 3] = streamId;
  buf.writeUInt16BE(packetLength, off + 4);
  buf[off + 6] = 0x80 | (info.aligned ? 0x04 : 0);
  buf[off + 7] = info.pts === undefined ? 0 : withDts ? 0xc0 : 0x80;
  buf[off + 8] = optLength;
  if (info.pts !== undefined) writeTimestamp(buf, off + 9, withDts ? 0b0011 : 0b0010, info.pts);
  if (withDts) writeTimestamp(buf, off + 14, 0b0001, info.dts!);
  return 9 + optLength;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, initial 0xFFFFFFFF, not reflected, no final XOR). */
export function crc32Mpeg2(buf: Buffer, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ buf[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}
