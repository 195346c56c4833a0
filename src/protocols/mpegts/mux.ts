// A single-programme MPEG-TS muxer for one H.264/H.265 video stream: what the media engine's
// fan-out takes (PAT and PMT before every keyframe, random_access_indicator and PCR on a frame's
// first packet). Hand-written so a GB PS stream can be remuxed in-process instead of through an
// FFmpeg child (see src/protocols/ps/README.md for the measurement).
import { crc32Mpeg2, writePesHeader, pesHeaderLength, TIMESTAMP_MODULO } from './pes.js';
import { SYNC_BYTE, TS_PACKET } from './packets.js';

export type TsVideoCodec = 'h264' | 'h265';

const STREAM_TYPE: Record<TsVideoCodec, number> = { h264: 0x1b, h265: 0x24 };

export interface TsMuxerOptions {
  video: TsVideoCodec;
  videoPid?: number;
  pmtPid?: number;
  /** How far the PCR runs behind the DTS, in 90 kHz ticks: the decoder buffering room. */
  pcrLeadTicks?: number;
}

export interface TsVideoFrame {
  data: Buffer;
  pts: number;
  dts?: number;
  key: boolean;
}

export class TsMuxer {
  readonly video: TsVideoCodec;
  private readonly videoPid: number;
  private readonly pmtPid: number;
  private readonly pcrLead: number;
  private readonly cc = new Map<number, number>();
  private readonly pat: Buffer;
  private readonly pmt: Buffer;
  private tablesSent = false;

  constructor(opts: TsMuxerOptions) {
    if (opts.video !== 'h264' && opts.video !== 'h265') throw new RangeError(`ts video codec must be h264 or h265, got ${String(opts.video)}`);
    this.video = opts.video;
    this.videoPid = opts.videoPid ?? 0x100;
    this.pmtPid = opts.pmtPid ?? 0x1000;
    this.pcrLead = opts.pcrLeadTicks ?? 9000;
    this.pat = patSection(this.pmtPid);
    this.pmt = pmtSection(this.videoPid, STREAM_TYPE[this.video]);
  }

  /** TS packets of one frame, the tables first on a keyframe (and before the first frame). */
  muxVideo(frame: TsVideoFrame): Buffer {
    const packets: Buffer[] = [];
    if (frame.key || !this.tablesSent) {
      packets.push(this.psiPacket(0, this.pat), this.psiPacket(this.pmtPid, this.pmt));
      this.tablesSent = true;
    }
    const dts = frame.dts ?? frame.pts;
    const info = { pts: frame.pts, dts, aligned: true };
    const headerLength = pesHeaderLength(info);
    const pes = Buffer.allocUnsafe(headerLength + frame.data.length);
    const pesLength = headerLength - 6 + frame.data.length;
    writePesHeader(pes, 0, 0xe0, pesLength > 0xffff ? 0 : pesLength, info);
    frame.data.copy(pes, headerLength);
    const pcr = (((dts - this.pcrLead) % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
    for (let off = 0, first = true; off < pes.length; first = false) {
      const pkt = Buffer.alloc(TS_PACKET, 0xff);
      const remaining = pes.length - off;
      // Adaptation field: PCR and random access on the first packet, stuffing on the last.
      let af = first ? 8 : 0;
      if (remaining < TS_PACKET - 4 - af) af = TS_PACKET - 4 - remaining;
      this.header(pkt, this.videoPid, first, af > 0);
      if (af > 0) {
        pkt[4] = af - 1;
        if (af > 1) {
          pkt[5] = first ? (frame.key ? 0x50 : 0x10) : 0x00; // random_access_indicator, PCR_flag
          if (first) writePcr(pkt, 6, pcr);
        }
      }
      const n = TS_PACKET - 4 - af;
      pes.copy(pkt, 4 + af, off, off + n);
      off += n;
      packets.push(pkt);
    }
    return Buffer.concat(packets);
  }

  private header(pkt: Buffer, pid: number, unitStart: boolean, adaptation: boolean): void {
    const cc = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (cc + 1) & 0x0f);
    pkt[0] = SYNC_BYTE;
    pkt[1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    pkt[2] = pid & 0xff;
    pkt[3] = (adaptation ? 0x30 : 0x10) | cc;
  }

  private psiPacket(pid: number, section: Buffer): Buffer {
    const pkt = Buffer.alloc(TS_PACKET, 0xff);
    this.header(pkt, pid, true, false);
    pkt[4] = 0; // pointer_field
    section.copy(pkt, 5);
    return pkt;
  }
}

function writePcr(buf: Buffer, off: number, base: number): void {
  buf[off] = Math.floor(base / 2 ** 25) & 0xff;
  buf[off + 1] = Math.floor(base / 2 ** 17) & 0xff;
  buf[off + 2] = Math.floor(base / 2 ** 9) & 0xff;
  buf[off + 3] = Math.floor(base / 2) & 0xff;
  buf[off + 4] = ((base % 2) << 7) | 0x7e; // reserved bits, extension high bit 0
  buf[off + 5] = 0;
}

function withCrc(body: number[]): Buffer {
  const buf = Buffer.alloc(body.length + 4);
  Buffer.from(body).copy(buf);
  buf.writeUInt32BE(crc32Mpeg2(buf, 0, body.length), body.length);
  return buf;
}

/** PAT with programme 1. */
function patSection(pmtPid: number): Buffer {
  // section_length counts from after the length field through the CRC: 5 + 4 + 4.
  return withCrc([0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xe0 | (pmtPid >> 8), pmtPid & 0xff]);
}

/** PMT of programme 1 with one video stream, which also carries the PCR. */
function pmtSection(videoPid: number, streamType: number): Buffer {
  const hi = 0xe0 | (videoPid >> 8);
  const lo = videoPid & 0xff;
  return withCrc([0x02, 0xb0, 18, 0x00, 0x01, 0xc1, 0x00, 0x00, hi, lo, 0xf0, 0x00, streamType, hi, lo, 0xf0, 0x00]);
}
