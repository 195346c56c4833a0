// MPEG-2 Program Stream demuxer for what GB/T 28181 devices send: video PES reassembled into
// Annex B access units with their 90 kHz PTS/DTS. Tolerates a missing system header, a PSM only
// on keyframes or none at all (the codec is then read from the NAL headers), frames split over
// several PES (PTS on the first only, or repeated), PES split anywhere across reads, junk between
// packs, and bytes lost in transit (discontinuity(): the damaged frame is passed on and flagged,
// parsing resynchronises on the next start code).
import { isKeyNal, isVcl, nalType, type VideoCodec } from '../h26x/annexb.js';
import { readTimestamp } from '../mpegts/pes.js';
import {
  audioCodecOfStreamType,
  isAudioStreamId,
  isVideoStreamId,
  PACK_START,
  PROGRAM_END,
  PSM_START,
  SYSTEM_HEADER_START,
  videoCodecOfStreamType,
  type PsAudioCodec,
  type PsVideoCodec,
} from './streamTypes.js';

export interface PsVideoUnit {
  kind: 'video';
  codec: PsVideoCodec;
  /** Annex B bytes of the frame. */
  data: Buffer;
  pts: number;
  dts: number;
  key: boolean;
  /** Bytes of it were lost in transit. */
  damaged: boolean;
}

export interface PsAudioUnit {
  kind: 'audio';
  /** From the PSM; undefined when the device sent none. */
  codec?: PsAudioCodec;
  data: Buffer;
  pts?: number;
}

export type PsUnit = PsVideoUnit | PsAudioUnit;

export interface PsDemuxerOptions {
  /** Audio PES: dropped (default) or handed out. */
  audio?: 'drop' | 'pass';
  /** A frame growing past this (a device that never changes its PTS) is dropped. */
  maxFrameBytes?: number;
}

export interface PsDemuxStats {
  packs: number;
  systemHeaders: number;
  psms: number;
  videoPes: number;
  audioPes: number;
  /** Audio PES dropped (option audio: 'drop'). */
  audioDropped: number;
  /** PES of other streams (private streams, padding) skipped. */
  otherPes: number;
  frames: number;
  keyFrames: number;
  /** Frames passed on with bytes missing. */
  damagedFrames: number;
  /** Bytes skipped while looking for a start code. */
  junkBytes: number;
  /** Units with impossible fields, skipped. */
  malformed: number;
  /** Video payload with no frame to join (a continuation PES after a loss). */
  orphanBytes: number;
  /** Frames dropped for exceeding maxFrameBytes or having no recognisable codec. */
  droppedFrames: number;
  discontinuities: number;
  /** Continuation PES right after endOfFrame(): the transport's end-of-frame signal came too early. */
  earlyEnds: number;
  /** The video codec came from NAL headers, not from a PSM. */
  codecGuessed: boolean;
}

interface FrameInProgress {
  pts: number;
  dts: number;
  parts: Buffer[];
  bytes: number;
  damaged: boolean;
}

const START = Buffer.from([0, 0, 1]);

export class PsDemuxer {
  private readonly passAudio: boolean;
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Pending bytes needed before parsing can progress. */
  private need = 0;
  private frame: FrameInProgress | undefined;
  /** The last frame was closed by endOfFrame() and nothing has started since. */
  private endedEarly = false;
  private lastPts: number | undefined;
  private psmVideo: PsVideoCodec | undefined;
  private guessedVideo: PsVideoCodec | undefined;
  private audioCodec: PsAudioCodec | undefined;
  /** stream_id → stream_type of the last PSM, for inspection. */
  readonly streamTypes = new Map<number, number>();
  readonly stats: PsDemuxStats = {
    packs: 0,
    systemHeaders: 0,
    psms: 0,
    videoPes: 0,
    audioPes: 0,
    audioDropped: 0,
    otherPes: 0,
    frames: 0,
    keyFrames: 0,
    damagedFrames: 0,
    junkBytes: 0,
    malformed: 0,
    orphanBytes: 0,
    droppedFrames: 0,
    discontinuities: 0,
    earlyEnds: 0,
    codecGuessed: false,
  };

  constructor(opts: PsDemuxerOptions = {}) {
    this.passAudio = opts.audio === 'pass';
    this.maxFrameBytes = opts.maxFrameBytes ?? 16 * 1024 * 1024;
  }

  /** The video codec, from the PSM or else guessed from NAL headers. */
  get videoCodec(): PsVideoCodec | undefined {
    return this.psmVideo ?? this.guessedVideo;
  }

  /** Feeds PS bytes split anywhere; returns the units completed. */
  push(chunk: Buffer): PsUnit[] {
    const out: PsUnit[] = [];
    if (chunk.length === 0) return out;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes < this.need) return out;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.need = 0;
    const off = this.parse(data, out);
    if (off < data.length) {
      // Copied: `data` may be a socket's buffer, which a view would pin.
      const rest = Buffer.from(data.subarray(off));
      this.chunks.push(rest);
      this.bytes = rest.length;
    }
    return out;
  }

  /** The frame in progress is complete (the RTP marker said so): hand it out now, not when the next one starts. */
  endOfFrame(): PsUnit[] {
    const out: PsUnit[] = [];
    this.endedEarly = this.frame !== undefined;
    this.emitFrame(out);
    return out;
  }

  /**
   * Bytes were lost before the next push: the PES being assembled keeps what arrived, its frame
   * is flagged damaged, and parsing looks for the next start code.
   */
  discontinuity(): PsUnit[] {
    const out: PsUnit[] = [];
    this.stats.discontinuities++;
    this.endedEarly = false;
    if (this.bytes > 0) {
      const data = Buffer.concat(this.chunks, this.bytes);
      if (data.length >= 9 && data[0] === 0 && data[1] === 0 && data[2] === 1 && isVideoStreamId(data[3]!)) this.onPes(data[3]!, data, out);
    }
    this.chunks = [];
    this.bytes = 0;
    this.need = 0;
    if (this.frame) this.frame.damaged = true;
    return out;
  }

  /** End of stream: hands out the frame in progress. */
  flush(): PsUnit[] {
    const out: PsUnit[] = [];
    this.stats.junkBytes += this.bytes;
    this.chunks = [];
    this.bytes = 0;
    this.need = 0;
    this.emitFrame(out);
    return out;
  }

  /** Parses whole units from `data`; returns the offset of the first byte not consumed. */
  private parse(data: Buffer, out: PsUnit[]): number {
    let off = 0;
    while (data.length - off >= 4) {
      if (!(data[off] === 0 && data[off + 1] === 0 && data[off + 2] === 1 && data[off + 3]! >= PROGRAM_END)) {
        const next = findStartCode(data, off + 1);
        const to = next < 0 ? Math.max(off, data.length - 3) : next;
        this.stats.junkBytes += to - off;
        off = to;
        if (next < 0) break;
        continue;
      }
      const length = unitLength(data, off);
      if (length === undefined) break; // header incomplete
      if (length < 0) {
        this.stats.malformed++;
        this.stats.junkBytes += 4;
        off += 4;
        continue;
      }
      if (data.length - off < length) {
        this.need = length; // the pending bytes will start at this unit
        break;
      }
      this.onUnit(data.subarray(off, off + length), out);
      off += length;
    }
    return off;
  }

  private onUnit(unit: Buffer, out: PsUnit[]): void {
    const code = unit[3]!;
    if (code === PACK_START) this.stats.packs++;
    else if (code === SYSTEM_HEADER_START) this.stats.systemHeaders++;
    else if (code === PSM_START) this.onPsm(unit);
    else if (code !== PROGRAM_END) this.onPes(code, unit, out);
  }

  private onPsm(unit: Buffer): void {
    this.stats.psms++;
    if (unit.length < 16) {
      this.stats.malformed++;
      return;
    }
    const infoLength = unit.readUInt16BE(8);
    const mapAt = 10 + infoLength;
    if (mapAt + 2 > unit.length) {
      this.stats.malformed++;
      return;
    }
    const mapEnd = Math.min(mapAt + 2 + unit.readUInt16BE(mapAt), unit.length - 4);
    this.streamTypes.clear();
    for (let i = mapAt + 2; i + 4 <= mapEnd; ) {
      const type = unit[i]!;
      const id = unit[i + 1]!;
      this.streamTypes.set(id, type);
      if (isVideoStreamId(id)) {
        const codec = videoCodecOfStreamType(type);
        if (codec) this.psmVideo = codec;
      } else if (isAudioStreamId(id)) this.audioCodec = audioCodecOfStreamType(type) ?? this.audioCodec;
      i += 4 + unit.readUInt16BE(i + 2);
    }
  }

  private onPes(id: number, unit: Buffer, out: PsUnit[]): void {
    const video = isVideoStreamId(id);
    const audio = isAudioStreamId(id);
    if (!video && !audio) {
      this.stats.otherPes++;
      return;
    }
    if (unit.length < 9 || (unit[6]! & 0xc0) !== 0x80) {
      this.stats.malformed++;
      return;
    }
    const flags = unit[7]!;
    const start = 9 + unit[8]!;
    if (start > unit.length) {
      this.stats.malformed++;
      return;
    }
    const pts = flags & 0x80 && unit.length >= 14 ? readTimestamp(unit, 9) : undefined;
    const dts = (flags & 0xc0) === 0xc0 && unit.length >= 19 ? readTimestamp(unit, 14) : pts;
    const payload = unit.subarray(start);
    if (audio) {
      this.stats.audioPes++;
      if (!this.passAudio) this.stats.audioDropped++;
      else out.push({ kind: 'audio', ...(this.audioCodec ? { codec: this.audioCodec } : {}), data: Buffer.from(payload), ...(pts !== undefined ? { pts } : {}) });
      return;
    }
    this.stats.videoPes++;
    if (pts !== undefined && this.frame && pts !== this.frame.pts) this.emitFrame(out);
    if (pts !== undefined && !this.frame) {
      // The same PTS again right after endOfFrame(): the frame was ended too early (PTS on every PES).
      if (this.endedEarly && pts === this.lastPts) this.stats.earlyEnds++;
      this.frame = { pts, dts: dts ?? pts, parts: [], bytes: 0, damaged: false };
    }
    const frame = this.frame;
    if (!frame) {
      this.stats.orphanBytes += payload.length;
      if (this.endedEarly) this.stats.earlyEnds++;
      this.endedEarly = false;
      return;
    }
    this.endedEarly = false;
    frame.parts.push(payload);
    frame.bytes += payload.length;
    if (frame.bytes > this.maxFrameBytes) {
      this.stats.droppedFrames++;
      this.frame = undefined;
    }
  }

  private emitFrame(out: PsUnit[]): void {
    const f = this.frame;
    this.frame = undefined;
    if (!f || f.bytes === 0) return;
    this.lastPts = f.pts;
    const data = f.parts.length === 1 ? Buffer.from(f.parts[0]!) : Buffer.concat(f.parts, f.bytes);
    let codec = this.videoCodec;
    if (!codec) {
      codec = guessVideoCodec(data);
      if (codec) {
        this.guessedVideo = codec;
        this.stats.codecGuessed = true;
      }
    }
    if (!codec) {
      this.stats.droppedFrames++;
      return;
    }
    const key = startsKeyPicture(codec, data);
    this.stats.frames++;
    if (key) this.stats.keyFrames++;
    if (f.damaged) this.stats.damagedFrames++;
    out.push({ kind: 'video', codec, data, pts: f.pts, dts: f.dts, key, damaged: f.damaged });
  }
}

/** Next `00 00 01 xx` with xx a PS-level code (≥ 0xB9). NAL headers never have the top bit set, so start codes inside video payload are passed over. */
function findStartCode(data: Buffer, from: number): number {
  for (let i = data.indexOf(START, from); i >= 0 && i + 3 < data.length; i = data.indexOf(START, i + 1)) {
    if (data[i + 3]! >= PROGRAM_END) return i;
  }
  return -1;
}

/** Whole length of the unit at `off`; undefined when its header is not all there, -1 when invalid. */
function unitLength(data: Buffer, off: number): number | undefined {
  const code = data[off + 3]!;
  if (code === PROGRAM_END) return 4;
  if (code === PACK_START) {
    if (data.length - off < 5) return undefined;
    const b4 = data[off + 4]!;
    if ((b4 & 0xf0) === 0x20) return 12; // MPEG-1 pack header
    if ((b4 & 0xc4) !== 0x44) return -1;
    if (data.length - off < 14) return undefined;
    return 14 + (data[off + 13]! & 0x07);
  }
  if (data.length - off < 6) return undefined;
  return 6 + data.readUInt16BE(off + 4);
}

/** Walks the frame's NAL units up to its first slice: a key picture starts with an IDR/IRAP slice. */
export function startsKeyPicture(codec: VideoCodec, data: Buffer): boolean {
  for (let i = data.indexOf(START); i >= 0 && i + 3 < data.length; i = data.indexOf(START, i + 3)) {
    const type = nalType(codec, data.subarray(i + 3));
    if (isKeyNal(codec, type)) return true;
    if (isVcl(codec, type)) return false;
  }
  return false;
}

const H265_GUESS_TYPES = new Set([1, 19, 20, 21, 32, 33, 34, 35, 39]);
const H264_GUESS_TYPES = new Set([1, 5, 6, 7, 8, 9]);

/**
 * The codec of an Annex B frame from its first NAL header, for devices that send no PSM.
 * H.265 headers are two bytes with forbidden_zero 0, layer 0 and temporal id 1 (second byte
 * 0x01); the usual H.264 first NAL units (AUD, SPS, SEI, slices) never match that together.
 */
export function guessVideoCodec(data: Buffer): PsVideoCodec | undefined {
  const i = data.indexOf(START);
  if (i < 0 || i + 4 >= data.length) return undefined;
  const b0 = data[i + 3]!;
  const b1 = data[i + 4]!;
  if ((b0 & 0x81) === 0 && b1 === 0x01 && H265_GUESS_TYPES.has((b0 >> 1) & 0x3f)) return 'h265';
  if ((b0 & 0x80) === 0 && H264_GUESS_TYPES.has(b0 & 0x1f)) return 'h264';
  return undefined;
}
