// RTP packets (RFC 3550 §5.1): header with CSRC list, header extension and padding. Hand-written:
// the header is 12 bytes of fixed fields, and the npm RTP packages are either unmaintained or
// part of a whole WebRTC stack (werift) that would bring SRTP, RTCP and containers along.
import { randomInt } from 'node:crypto';

export const RTP_VERSION = 2;
export const RTP_HEADER_LENGTH = 12;
/** Keeps a packet plus IP/UDP/RTP headers under a 1500-byte Ethernet MTU, as cameras do. */
export const RTP_MAX_PAYLOAD = 1400;
/** Video clock rate (RFC 3551 §5, and GB/T 28181's PS payload). */
export const RTP_CLOCK_RATE = 90_000;
export const DYNAMIC_PAYLOAD_TYPE = 96;

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension data; its length must be a multiple of 4. */
  data: Buffer;
}

export interface RtpPacket extends RtpHeader {
  csrcs: number[];
  extension?: RtpHeaderExtension;
  /** Padding bytes removed on decode (0 when the P bit is clear). */
  paddingLength: number;
  payload: Buffer;
}

export class RtpFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`RTP ${field}: ${message}`);
    this.name = 'RtpFormatError';
  }
}

/** Writes the fixed 12-byte header (no CSRC, extension or padding): the fast path for senders. */
export function writeRtpHeader(target: Buffer, offset: number, h: RtpHeader): void {
  target[offset] = RTP_VERSION << 6;
  target[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  target.writeUInt16BE(h.sequence & 0xffff, offset + 2);
  target.writeUInt32BE(h.timestamp >>> 0, offset + 4);
  target.writeUInt32BE(h.ssrc >>> 0, offset + 8);
}

export interface EncodeOptions extends RtpHeader {
  payload: Buffer;
  csrcs?: readonly number[];
  extension?: RtpHeaderExtension;
  /** Pad the packet to a multiple of this many bytes (RFC 3550 §5.1 P bit), e.g. 4 for some ciphers. */
  padTo?: number;
}

export function encodeRtp(p: EncodeOptions): Buffer {
  const csrcs = p.csrcs ?? [];
  if (csrcs.length > 15) throw new RtpFormatError('csrcs', `at most 15 CSRC identifiers, got ${csrcs.length}`);
  if (!Number.isInteger(p.payloadType) || p.payloadType < 0 || p.payloadType > 127) {
    throw new RtpFormatError('payloadType', `must be 0..127, got ${p.payloadType}`);
  }
  const ext = p.extension;
  if (ext && ext.data.length % 4 !== 0) throw new RtpFormatError('extension', `data length ${ext.data.length} is not a multiple of 4`);
  const headerLength = RTP_HEADER_LENGTH + 4 * csrcs.length + (ext ? 4 + ext.data.length : 0);
  const unpadded = headerLength + p.payload.length;
  const padTo = p.padTo ?? 0;
  const padding = padTo > 1 ? (padTo - (unpadded % padTo)) % padTo : 0;
  if (padding > 255) throw new RtpFormatError('padTo', `padding of ${padding} bytes does not fit in one byte`);
  const buf = Buffer.alloc(unpadded + padding);
  writeRtpHeader(buf, 0, p);
  buf[0] = (RTP_VERSION << 6) | (padding > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  let off = RTP_HEADER_LENGTH;
  for (const c of csrcs) {
    buf.writeUInt32BE(c >>> 0, off);
    off += 4;
  }
  if (ext) {
    buf.writeUInt16BE(ext.profile & 0xffff, off);
    buf.writeUInt16BE(ext.data.length / 4, off + 2);
    ext.data.copy(buf, off + 4);
    off += 4 + ext.data.length;
  }
  p.payload.copy(buf, off);
  if (padding > 0) buf[buf.length - 1] = padding;
  return buf;
}

/** Parses one RTP packet; the payload and extension share memory with `buf`. */
export function decodeRtp(buf: Buffer): RtpPacket {
  if (buf.length < RTP_HEADER_LENGTH) throw new RtpFormatError('length', `${buf.length} bytes is shorter than the 12-byte header`);
  const b0 = buf[0]!;
  if (b0 >> 6 !== RTP_VERSION) throw new RtpFormatError('version', `expected 2, got ${b0 >> 6}`);
  const csrcCount = b0 & 0x0f;
  let off = RTP_HEADER_LENGTH + 4 * csrcCount;
  if (buf.length < off) throw new RtpFormatError('csrcs', `${csrcCount} CSRC identifiers do not fit in ${buf.length} bytes`);
  const csrcs: number[] = [];
  for (let i = RTP_HEADER_LENGTH; i < off; i += 4) csrcs.push(buf.readUInt32BE(i));
  let extension: RtpHeaderExtension | undefined;
  if (b0 & 0x10) {
    if (buf.length < off + 4) throw new RtpFormatError('extension', 'truncated extension header');
    const words = buf.readUInt16BE(off + 2);
    const end = off + 4 + 4 * words;
    if (buf.length < end) throw new RtpFormatError('extension', `${words} words do not fit in the packet`);
    extension = { profile: buf.readUInt16BE(off), data: buf.subarray(off + 4, end) };
    off = end;
  }
  let end = buf.length;
  let paddingLength = 0;
  if (b0 & 0x20) {
    paddingLength = buf[buf.length - 1]!;
    if (paddingLength === 0 || off + paddingLength > buf.length) {
      throw new RtpFormatError('padding', `padding length ${paddingLength} is invalid for a ${buf.length}-byte packet`);
    }
    end -= paddingLength;
  }
  return {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrcs,
    ...(extension ? { extension } : {}),
    paddingLength,
    payload: buf.subarray(off, end),
  };
}

export function randomSsrc(): number {
  return randomInt(1, 0xffffffff);
}

export function randomSequence(): number {
  return randomInt(0, 0x10000);
}

/** Forward distance from sequence number `a` to `b` modulo 2^16, in -32768..32767. */
export function sequenceDelta(a: number, b: number): number {
  return ((((b - a) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** RFC 3550 §6.4.1 sender report without report blocks: lets receivers map RTP time to wall-clock time. */
export function senderReport(ssrc: number, wallClockMs: number, rtpTimestamp: number, packetCount: number, octetCount: number): Buffer {
  const buf = Buffer.alloc(28);
  buf[0] = 0x80;
  buf[1] = 200;
  buf.writeUInt16BE(6, 2); // length in 32-bit words minus one
  buf.writeUInt32BE(ssrc >>> 0, 4);
  const ntpSeconds = Math.floor(wallClockMs / 1000) + 2_208_988_800; // 1900 → 1970
  const ntpFraction = Math.floor(((wallClockMs % 1000) / 1000) * 0x1_0000_0000);
  buf.writeUInt32BE(ntpSeconds >>> 0, 8);
  buf.writeUInt32BE(ntpFraction >>> 0, 12);
  buf.writeUInt32BE(rtpTimestamp >>> 0, 16);
  buf.writeUInt32BE(packetCount >>> 0, 20);
  buf.writeUInt32BE(octetCount >>> 0, 24);
  return buf;
}

/** Whether a datagram is RTCP rather than RTP when both share a port (RFC 5761 §4: PT 64–95 with the marker bit). */
export function looksLikeRtcp(buf: Buffer): boolean {
  return buf.length >= 2 && buf[1]! >= 192 && buf[1]! <= 223;
}
