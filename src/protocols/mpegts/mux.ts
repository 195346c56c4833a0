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
  pcrDelayTicks?: number;
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
  private readonly pcrDelay: number;
  private readonly cc = new Map<number, number>();
  private readonly pat: Buffer;
  private readonly pmt: Buffer;
  private tablesSent = false;

  constructor(opts: TsMuxerOptions) {
    if (opts.video !== 'h264' && opts.video !== 'h265') throw new RangeError(`ts video codec must be h264 or h265, got ${String(opts.video)}`);
    this.video = opts.video;
    this.videoPid = opts.videoPid ?? 0x100;
    this.pmtPid = opts.pmtPid ?? 0x1000;
    this.pcrDelay = opts.pcrDelayTicks ?? 9000;
    this.pat = patSection(this.pmtPid);
    this.pmt = pmtSection(this.videoPid, STREAM_TYPE[this.video]);
  }

  /** TS packets of one frame, the tables first on a keyframe (and before the first frame). */
  muxVideo(frame: TsVideoFrame): Buffer {
    const dts = frame.dts ?? frame.pts;
    const info = { pts: frame.pts, dts, aligned: true };
    const header = Buffer.allocUnsafe(pesHeaderLength(info));
    const pesLength = header.length - 6 + frame.data.length;
    writePesHeader(header, 0, 0xe0, pesLength > 0xffff ? 0 : pesLength, info);
    const total = header.length + frame.data.length;
    // One output buffer, written in place: a 4 Mb/s stream is ~2700 packets a second.
    const firstRoom = TS_PACKET - 4 - FIRST_ADAPTATION;
    const packets = total <= firstRoom ? 1 : 1 + Math.ceil((total - firstRoom) / (TS_PACKET - 4));
    const withTables = frame.key || !this.tablesSent;
    const out = Buffer.allocUnsafe((packets + (withTables ? 2 : 0)) * TS_PACKET);
    let at = 0;
    if (withTables) {
      this.psiPacket(out, at, 0, this.pat);
      this.psiPacket(out, at + TS_PACKET, this.pmtPid, this.pmt);
      at += 2 * TS_PACKET;
      this.tablesSent = true;
    }
    const pcr = (((dts - this.pcrDelay) % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
    for (let off = 0, first = true; off < total; first = false, at += TS_PACKET) {
      const remaining = total - off;
      // Adaptation field: PCR and random access on the first packet, stuffing on the last.
      let af = first ? FIRST_ADAPTATION : 0;
      if (remaining < TS_PACKET - 4 - af) af = TS_PACKET - 4 - remaining;
      this.header(out, at, this.videoPid, first, af > 0);
      if (af > 0) {
        out[at + 4] = af - 1;
        if (af > 1) {
          out[at + 5] = first ? (frame.key ? 0x50 : 0x10) : 0x00; // random_access_indicator, PCR_flag
          let fill = at + 6;
          if (first) {
            writePcr(out, at + 6, pcr);
            fill += 6;
          }
          out.fill(0xff, fill, at + 4 + af);
        }
      }
      const n = TS_PACKET - 4 - af;
      copyPes(header, frame.data, off, n, out, at + 4 + af);
      off += n;
    }
    return out;
  }

  private header(buf: Buffer, at: number, pid: number, unitStart: boolean, adaptation: boolean): void {
    const cc = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (cc + 1) & 0x0f);
    buf[at] = SYNC_BYTE;
    buf[at + 1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    buf[at + 2] = pid & 0xff;
    buf[at + 3] = (adaptation ? 0x30 : 0x10) | cc;
  }

  private psiPacket(buf: Buffer, at: number, pid: number, section: Buffer): void {
    this.header(buf, at, pid, true, false);
    buf[at + 4] = 0; // pointer_field
    section.copy(buf, at + 5);
    buf.fill(0xff, at + 5 + section.length, at + TS_PACKET);
  }
}

/** Adaptation field of a frame's first packet: length, flags and a 6-byte PCR. */
const FIRST_ADAPTATION = 8;

/** Copies `n` bytes at `off` of the virtual concatenation header + data into `dst`. */
function copyPes(header: Buffer, data: Buffer, off: number, n: number, dst: Buffer, dstAt: number): void {
  let copied = 0;
  if (off < header.length) copied = header.copy(dst, dstAt, off, Math.min(header.length, off + n));
  if (copied < n) data.copy(dst, dstAt + copied, off + copied - header.length, off + n - header.length);
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
