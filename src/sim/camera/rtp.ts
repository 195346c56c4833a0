// Hand-written RTP (RFC 3550) packetizer for H.264 (RFC 6184, packetization-mode=1) and H.265
// (RFC 7798): the npm RTP packages are unmaintained and none does both payload formats.
import { randomInt } from 'node:crypto';
import { H264, H265, nalHeaderLength, nalType, type VideoCodec } from './annexb.js';
import { INTERLEAVED_HEADER_LENGTH, writeInterleavedHeader } from './rtspMessage.js';

export const RTP_HEADER_LENGTH = 12;
/** Keeps a packet plus IP/UDP/RTP headers under a 1500-byte Ethernet MTU, as cameras do. */
export const RTP_MAX_PAYLOAD = 1400;
export const RTP_CLOCK_RATE = 90_000;
export const DYNAMIC_PAYLOAD_TYPE = 96;

/** One RTP payload, kept as a small prefix (FU headers) and a view into the clip so nothing is copied until send. */
export interface RtpFragment {
  prefix: Buffer;
  body: Buffer;
  /** RFC 6184 §5.1 / RFC 7798 §4.1: set on the last packet of an access unit. */
  marker: boolean;
}

const EMPTY = Buffer.alloc(0);

/** Payloads for one access unit: a single-NAL packet where the NAL fits, fragmentation units where not. */
export function fragmentAccessUnit(codec: VideoCodec, nals: readonly Buffer[], maxPayload = RTP_MAX_PAYLOAD): RtpFragment[] {
  const out: RtpFragment[] = [];
  for (const nal of nals) {
    if (nal.length <= maxPayload) out.push({ prefix: EMPTY, body: nal, marker: false });
    else fragmentNal(codec, nal, maxPayload, out);
  }
  const last = out[out.length - 1];
  if (last) last.marker = true;
  return out;
}

function fragmentNal(codec: VideoCodec, nal: Buffer, maxPayload: number, out: RtpFragment[]): void {
  const hdrLen = nalHeaderLength(codec);
  const type = nalType(codec, nal);
  const chunk = maxPayload - hdrLen - 1;
  if (chunk < 1) throw new RangeError(`maxPayload ${maxPayload} is too small for fragmentation`);
  for (let off = hdrLen; off < nal.length; off += chunk) {
    const end = Math.min(off + chunk, nal.length);
    const fuHeader = (off === hdrLen ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    const prefix =
      codec === 'h264'
        ? Buffer.from([(nal[0]! & 0xe0) | H264.FU_A, fuHeader])
        : Buffer.from([(nal[0]! & 0x81) | (H265.FU << 1), nal[1]!, fuHeader]);
    out.push({ prefix, body: nal.subarray(off, end), marker: false });
  }
}

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export function writeRtpHeader(target: Buffer, offset: number, h: RtpHeader): void {
  target[offset] = 0x80; // V=2, no padding, no extension, no CSRC
  target[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  target.writeUInt16BE(h.sequence & 0xffff, offset + 2);
  target.writeUInt32BE(h.timestamp >>> 0, offset + 4);
  target.writeUInt32BE(h.ssrc >>> 0, offset + 8);
}

export function randomSsrc(): number {
  return randomInt(1, 0xffffffff);
}

export function randomSequence(): number {
  return randomInt(0, 0x10000);
}

/** One sender's RTP state (RFC 3550 §5.1: random SSRC and initial sequence number per session). */
export class RtpSender {
  readonly ssrc: number;
  readonly payloadType: number;
  private seq: number;
  packetCount = 0;
  octetCount = 0;

  constructor(opts: { ssrc?: number; sequence?: number; payloadType?: number } = {}) {
    this.ssrc = opts.ssrc ?? randomSsrc();
    this.seq = (opts.sequence ?? randomSequence()) & 0xffff;
    this.payloadType = opts.payloadType ?? DYNAMIC_PAYLOAD_TYPE;
  }

  /** The sequence number the next packet will carry (for RTP-Info). */
  get nextSequence(): number {
    return this.seq;
  }

  /** One datagram per fragment (RTP over UDP, tests). */
  packets(fragments: readonly RtpFragment[], timestamp: number): Buffer[] {
    return fragments.map((f) => {
      const buf = Buffer.allocUnsafe(RTP_HEADER_LENGTH + f.prefix.length + f.body.length);
      this.writePacket(buf, 0, f, timestamp);
      return buf;
    });
  }

  /**
   * All fragments of an access unit as RTSP interleaved frames (RFC 2326 §10.12: `$`, channel,
   * 16-bit length) in one buffer, so a TCP client costs one socket write per picture.
   */
  interleaved(fragments: readonly RtpFragment[], timestamp: number, channel: number): Buffer {
    let total = 0;
    for (const f of fragments) total += INTERLEAVED_HEADER_LENGTH + RTP_HEADER_LENGTH + f.prefix.length + f.body.length;
    const buf = Buffer.allocUnsafe(total);
    let off = 0;
    for (const f of fragments) {
      const len = RTP_HEADER_LENGTH + f.prefix.length + f.body.length;
      writeInterleavedHeader(buf, off, channel, len);
      this.writePacket(buf, off + INTERLEAVED_HEADER_LENGTH, f, timestamp);
      off += INTERLEAVED_HEADER_LENGTH + len;
    }
    return buf;
  }

  private writePacket(buf: Buffer, off: number, f: RtpFragment, timestamp: number): void {
    writeRtpHeader(buf, off, { payloadType: this.payloadType, marker: f.marker, sequence: this.seq, timestamp, ssrc: this.ssrc });
    f.prefix.copy(buf, off + RTP_HEADER_LENGTH);
    f.body.copy(buf, off + RTP_HEADER_LENGTH + f.prefix.length);
    this.seq = (this.seq + 1) & 0xffff;
    this.packetCount++;
    this.octetCount += f.prefix.length + f.body.length;
  }
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

export interface RtpPacket extends RtpHeader {
  payload: Buffer;
}

export function parseRtpPacket(buf: Buffer): RtpPacket {
  if (buf.length < RTP_HEADER_LENGTH || buf[0]! >> 6 !== 2) throw new Error('not an RTP version 2 packet');
  const csrcCount = buf[0]! & 0x0f;
  let off = RTP_HEADER_LENGTH + 4 * csrcCount;
  if (buf[0]! & 0x10) {
    if (buf.length < off + 4) throw new Error('truncated RTP header extension');
    off += 4 + 4 * buf.readUInt16BE(off + 2);
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (off > end) throw new Error('truncated RTP packet');
  return {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(off, end),
  };
}

export interface DepacketizedUnit {
  timestamp: number;
  nals: Buffer[];
}

/**
 * Rebuilds NAL units from single-NAL and FU payloads (the two forms the packetizer sends) and
 * hands out a unit at each marker bit. A lost packet (sequence gap) inside an FU drops that NAL.
 */
export class RtpDepacketizer {
  private nals: Buffer[] = [];
  private fu: Buffer[] | undefined;
  private lastSeq: number | undefined;

  constructor(private readonly codec: VideoCodec) {}

  push(pkt: RtpPacket): DepacketizedUnit | undefined {
    if (this.lastSeq !== undefined && pkt.sequence !== ((this.lastSeq + 1) & 0xffff)) this.fu = undefined;
    this.lastSeq = pkt.sequence;
    const p = pkt.payload;
    const type = nalType(this.codec, p);
    const hdrLen = nalHeaderLength(this.codec);
    if (type === (this.codec === 'h264' ? H264.FU_A : H265.FU)) {
      const fuHeader = p[hdrLen]!;
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      const fuType = fuHeader & (this.codec === 'h264' ? 0x1f : 0x3f);
      if (start) {
        const header =
          this.codec === 'h264' ? Buffer.from([(p[0]! & 0xe0) | fuType]) : Buffer.from([(p[0]! & 0x81) | (fuType << 1), p[1]!]);
        this.fu = [header];
      }
      this.fu?.push(p.subarray(hdrLen + 1));
      if (end && this.fu) {
        this.nals.push(Buffer.concat(this.fu));
        this.fu = undefined;
      }
    } else {
      this.nals.push(Buffer.from(p));
    }
    if (!pkt.marker) return undefined;
    const unit = { timestamp: pkt.timestamp, nals: this.nals };
    this.nals = [];
    return unit;
  }
}
