// Hand-written RTP packetizer for H.264 (RFC 6184, packetization-mode=1) and H.265
// (RFC 7798): the npm RTP packages are unmaintained and none does both payload formats.
import { H264, H265, nalHeaderLength, nalType, type VideoCodec } from '../../protocols/h26x/annexb.js';
import {
  DYNAMIC_PAYLOAD_TYPE,
  randomSequence,
  randomSsrc,
  RTP_HEADER_LENGTH,
  RTP_MAX_PAYLOAD,
  writeRtpHeader,
  type RtpPacket,
} from '../../protocols/rtp/packet.js';
import { INTERLEAVED_HEADER_LENGTH, writeInterleavedHeader } from './rtspMessage.js';

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
