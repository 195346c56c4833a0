// PS over RTP as GB/T 28181 §C.2 sends it: the PS bytes of a frame cut into MTU-sized payloads
// (no payload header, PT 96), the marker on the frame's last packet, the 90 kHz timestamp the
// frame's own (PTS) so receivers see source timing rather than send timing.
import { DYNAMIC_PAYLOAD_TYPE, randomSequence, RTP_HEADER_LENGTH, RTP_MAX_PAYLOAD, writeRtpHeader } from '../rtp/packet.js';

export interface PsRtpPacketizerOptions {
  ssrc: number;
  payloadType?: number;
  /** Payload bytes per packet (default 1400: fits a 1500-byte MTU with IP/UDP/RTP headers). */
  maxPayload?: number;
  /** First sequence number; random by default (RFC 3550 §5.1). */
  sequence?: number;
  /** Added to the source's 90 kHz time (mod 2^32); 0 keeps the PTS as the RTP timestamp, as devices do. */
  timestampOffset?: number;
}

export class PsRtpPacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  private readonly maxPayload: number;
  private readonly timestampOffset: number;
  private seq: number;
  packetCount = 0;
  octetCount = 0;

  constructor(opts: PsRtpPacketizerOptions) {
    if (!(Number.isInteger(opts.ssrc) && opts.ssrc >= 0 && opts.ssrc <= 0xffffffff)) throw new RangeError(`rtp ssrc must be a 32-bit unsigned integer, got ${opts.ssrc}`);
    this.ssrc = opts.ssrc;
    this.payloadType = opts.payloadType ?? DYNAMIC_PAYLOAD_TYPE;
    this.maxPayload = opts.maxPayload ?? RTP_MAX_PAYLOAD;
    if (!(Number.isInteger(this.maxPayload) && this.maxPayload >= 64 && this.maxPayload <= 65_000)) {
      throw new RangeError(`rtp maxPayload must be an integer in 64..65000, got ${opts.maxPayload}`);
    }
    this.seq = (opts.sequence ?? randomSequence()) & 0xffff;
    this.timestampOffset = opts.timestampOffset ?? 0;
  }

  get nextSequence(): number {
    return this.seq;
  }

  /** RTP timestamp for a source time in 90 kHz units. */
  timestamp(pts90k: number): number {
    return (Math.round(pts90k) + this.timestampOffset) % 2 ** 32 >>> 0;
  }

  /** RTP packets of one frame's PS bytes. */
  packetize(ps: Buffer, pts90k: number): Buffer[] {
    const ts = this.timestamp(pts90k);
    const out: Buffer[] = [];
    for (let off = 0; off < ps.length; off += this.maxPayload) {
      const end = Math.min(off + this.maxPayload, ps.length);
      const pkt = Buffer.allocUnsafe(RTP_HEADER_LENGTH + end - off);
      writeRtpHeader(pkt, 0, { payloadType: this.payloadType, marker: end === ps.length, sequence: this.seq, timestamp: ts, ssrc: this.ssrc });
      ps.copy(pkt, RTP_HEADER_LENGTH, off, end);
      out.push(pkt);
      this.seq = (this.seq + 1) & 0xffff;
      this.packetCount++;
      this.octetCount += end - off;
    }
    return out;
  }
}
