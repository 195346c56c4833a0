// MPEG-2 Program Stream muxer as GB/T 28181 devices write it (Annex C): every frame in its own
// pack; system header and program stream map before each keyframe only; a frame larger than
// one PES splits over several PES packets, the first with PTS/DTS. Hand-written: FFmpeg's `mpeg`
// muxer writes no PSM (upper platforms then have to guess H.264 from H.265) and would cost a
// process per output; no npm package muxes PS.
import { crc32Mpeg2, pesHeaderLength, writePesHeader } from '../mpegts/pes.js';
import {
  AUDIO_STREAM_ID,
  PACK_START,
  PS_STREAM_TYPE,
  PSM_START,
  SYSTEM_HEADER_START,
  VIDEO_STREAM_ID,
  type PsAudioCodec,
  type PsVideoCodec,
} from './streamTypes.js';

const PS_AUDIO_CODECS: readonly PsAudioCodec[] = ['g711a', 'g711u', 'aac'];

/** Largest PES_packet_length (16 bits). */
const MAX_PES_PACKET_LENGTH = 0xffff;
export const PACK_HEADER_LENGTH = 14;

export interface PsMuxerOptions {
  video: PsVideoCodec;
  /** Audio carried alongside (listed in the PSM); none when undefined. */
  audio?: PsAudioCodec;
  /**
   * Most ES bytes per PES. Devices differ (Hikvision ~65 KB, others a few KB); the default is
   * the largest that fits PES_packet_length.
   */
  maxPesPayload?: number;
  /** program_mux_rate in bytes/s (rounded to the field's 50 B/s units). */
  muxRateBytesPerSecond?: number;
  /** Repeat the PTS in every PES of a split frame (some devices do) instead of the first only. */
  ptsOnEveryPes?: boolean;
}

export interface PsVideoFrame {
  /** One access unit in Annex B form (start codes included). */
  data: Buffer;
  /** 90 kHz. */
  pts: number;
  /** 90 kHz; omitted or equal to pts when frames are not reordered. */
  dts?: number;
  key: boolean;
}

export interface PsAudioFrame {
  data: Buffer;
  pts: number;
}

export class PsMuxer {
  readonly video: PsVideoCodec;
  readonly audio: PsAudioCodec | undefined;
  private readonly maxPesPayload: number;
  private readonly muxRate: number;
  private readonly ptsOnEveryPes: boolean;
  private readonly systemHeader: Buffer;
  private readonly psm: Buffer;

  constructor(opts: PsMuxerOptions) {
    if (opts.video !== 'h264' && opts.video !== 'h265') throw new RangeError(`ps video codec must be h264 or h265, got ${String(opts.video)}`);
    if (opts.audio !== undefined && !PS_AUDIO_CODECS.includes(opts.audio)) throw new RangeError(`ps audio codec must be g711a, g711u or aac, got ${String(opts.audio)}`);
    const maxPayload = MAX_PES_PACKET_LENGTH - (pesHeaderLength({ pts: 0, dts: 1 }) - 6);
    this.maxPesPayload = opts.maxPesPayload ?? maxPayload;
    if (!(Number.isInteger(this.maxPesPayload) && this.maxPesPayload >= 16 && this.maxPesPayload <= maxPayload)) {
      throw new RangeError(`ps maxPesPayload must be an integer in 16..${maxPayload}, got ${opts.maxPesPayload}`);
    }
    this.video = opts.video;
    this.audio = opts.audio;
    this.muxRate = Math.max(1, Math.min(0x3fffff, Math.ceil((opts.muxRateBytesPerSecond ?? 500_000) / 50)));
    this.ptsOnEveryPes = opts.ptsOnEveryPes ?? false;
    this.systemHeader = this.buildSystemHeader();
    this.psm = this.buildPsm();
  }

  /** The PS bytes of one video frame: pack header, [system header, PSM on keys], PES packets. */
  muxVideo(frame: PsVideoFrame): Buffer {
    const dts = frame.dts ?? frame.pts;
    const parts: Buffer[] = [packHeader(dts, this.muxRate)];
    if (frame.key) parts.push(this.systemHeader, this.psm);
    this.pushPes(parts, VIDEO_STREAM_ID, frame.data, { pts: frame.pts, dts }, this.ptsOnEveryPes);
    return Buffer.concat(parts);
  }

  /** The PS bytes of one audio frame (its own pack, as devices interleave them). */
  muxAudio(frame: PsAudioFrame): Buffer {
    if (!this.audio) throw new Error('ps muxer: no audio stream was declared');
    const parts: Buffer[] = [packHeader(frame.pts, this.muxRate)];
    this.pushPes(parts, AUDIO_STREAM_ID, frame.data, { pts: frame.pts }, false);
    return Buffer.concat(parts);
  }

  /** `data` as one or more PES of at most maxPesPayload bytes; the timestamps go on the first (or on each). */
  private pushPes(parts: Buffer[], streamId: number, data: Buffer, ts: { pts: number; dts?: number }, tsOnEach: boolean): void {
    for (let off = 0, first = true; off < data.length || first; first = false) {
      const info = first || tsOnEach ? { ...ts, aligned: first } : {};
      const headerLength = pesHeaderLength(info);
      const n = Math.min(this.maxPesPayload, data.length - off);
      const pes = Buffer.allocUnsafe(headerLength + n);
      writePesHeader(pes, 0, streamId, headerLength - 6 + n, info);
      data.copy(pes, headerLength, off, off + n);
      parts.push(pes);
      off += n;
    }
  }

  private streams(): Array<{ id: number; type: number; audio: boolean }> {
    const list: Array<{ id: number; type: number; audio: boolean }> = [{ id: VIDEO_STREAM_ID, type: PS_STREAM_TYPE[this.video], audio: false }];
    if (this.audio) list.push({ id: AUDIO_STREAM_ID, type: PS_STREAM_TYPE[this.audio], audio: true });
    return list;
  }

  /** ISO/IEC 13818-1 §2.5.3.5. */
  private buildSystemHeader(): Buffer {
    const streams = this.streams();
    const buf = Buffer.alloc(12 + 3 * streams.length);
    buf.writeUInt32BE(0x00000100 | SYSTEM_HEADER_START, 0);
    buf.writeUInt16BE(buf.length - 6, 4);
    const rate = this.muxRate;
    buf[6] = 0x80 | ((rate >>> 15) & 0x7f);
    buf[7] = (rate >>> 7) & 0xff;
    buf[8] = ((rate & 0x7f) << 1) | 1;
    const audioBound = streams.filter((s) => s.audio).length;
    buf[9] = audioBound << 2; // fixed_flag 0, CSPS_flag 0
    buf[10] = 0xe0 | 1; // audio lock, video lock, marker; video_bound 1
    buf[11] = 0x7f; // packet_rate_restriction_flag 0, reserved
    streams.forEach((s, i) => {
      const o = 12 + 3 * i;
      buf[o] = s.id;
      // P-STD buffer bound: video in 1024-byte units (scale 1), audio in 128-byte units (scale 0).
      const [scale, size] = s.audio ? [0, 512] : [1, 1024];
      buf[o + 1] = 0xc0 | (scale << 5) | ((size >>> 8) & 0x1f);
      buf[o + 2] = size & 0xff;
    });
    return buf;
  }

  /** ISO/IEC 13818-1 §2.5.4: stream types tell the receiver H.264 from H.265 and the audio codec. */
  private buildPsm(): Buffer {
    const streams = this.streams();
    const mapLength = 4 * streams.length;
    const buf = Buffer.alloc(16 + mapLength);
    buf.writeUInt32BE(0x00000100 | PSM_START, 0);
    buf.writeUInt16BE(buf.length - 6, 4);
    buf[6] = 0x80 | 0x60; // current_next_indicator, reserved, version 0
    buf[7] = 0xff; // reserved, marker
    buf.writeUInt16BE(0, 8); // program_stream_info_length
    buf.writeUInt16BE(mapLength, 10);
    streams.forEach((s, i) => {
      const o = 12 + 4 * i;
      buf[o] = s.type;
      buf[o + 1] = s.id;
      buf.writeUInt16BE(0, o + 2);
    });
    buf.writeUInt32BE(crc32Mpeg2(buf, 0, buf.length - 4), buf.length - 4);
    return buf;
  }
}

/** ISO/IEC 13818-1 §2.5.3.3 pack header, SCR in 90 kHz units (extension 0), no stuffing. */
export function packHeader(scr: number, muxRate: number): Buffer {
  const buf = Buffer.alloc(PACK_HEADER_LENGTH);
  buf.writeUInt32BE(0x00000100 | PACK_START, 0);
  const t = ((Math.floor(scr) % 2 ** 33) + 2 ** 33) % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30);
  const lo = t % 2 ** 30;
  buf[4] = 0x44 | (hi << 3) | ((lo >>> 28) & 0x03);
  buf[5] = (lo >>> 20) & 0xff;
  buf[6] = (((lo >>> 15) & 0x1f) << 3) | 0x04 | ((lo >>> 13) & 0x03);
  buf[7] = (lo >>> 5) & 0xff;
  buf[8] = ((lo & 0x1f) << 3) | 0x04; // SCR extension bits 8..7 are 0
  buf[9] = 0x01; // SCR extension bits 6..0 = 0, marker
  buf[10] = (muxRate >>> 14) & 0xff;
  buf[11] = (muxRate >>> 6) & 0xff;
  buf[12] = ((muxRate & 0x3f) << 2) | 0x03;
  buf[13] = 0xf8; // reserved, pack_stuffing_length 0
  return buf;
}

/** Joins NAL units (without start codes) into one Annex B access unit. */
export function annexB(nals: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const n of nals) parts.push(START_CODE, n);
  return Buffer.concat(parts);
}

const START_CODE = Buffer.from([0, 0, 0, 1]);
