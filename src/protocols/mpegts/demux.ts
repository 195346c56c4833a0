// Video access units out of the engine's MPEG-TS (one programme, one video stream): what the
// cascade needs to remux the fan-out's stream into PS. Frames are handed out when the next PES
// starts (FFmpeg writes video PES with length 0, "unbounded"), or at once when a PES says its
// length and is complete.
import { readTimestamp } from './pes.js';
import { parseHeader, parsePat, parsePmt, SYNC_BYTE, TS_PACKET, type PmtVideo } from './packets.js';

export interface TsVideoUnit {
  codec: PmtVideo['codec'];
  /** The PES payload: for H.264/H.265, Annex B bytes of one access unit. */
  data: Buffer;
  pts: number;
  dts: number;
  /** random_access_indicator on the PES's first packet. */
  randomAccess: boolean;
}

export interface TsDemuxStats {
  packets: number;
  frames: number;
  /** Bytes skipped to find sync. */
  resyncBytes: number;
  /** Continuity-counter gaps on the video PID (the frame in progress is dropped). */
  ccErrors: number;
}

interface Pes {
  parts: Buffer[];
  bytes: number;
  /** PES_packet_length + 6, or 0 when unbounded. */
  expected: number;
  randomAccess: boolean;
}

export class TsVideoDemuxer {
  private carry: Buffer | undefined;
  private pmtPid: number | undefined;
  private video: PmtVideo | undefined;
  private pes: Pes | undefined;
  private lastCc = -1;
  readonly stats: TsDemuxStats = { packets: 0, frames: 0, resyncBytes: 0, ccErrors: 0 };

  get codec(): PmtVideo['codec'] | undefined {
    return this.video?.codec;
  }

  /** Feeds TS bytes split anywhere; returns the frames completed. */
  push(chunk: Buffer): TsVideoUnit[] {
    const out: TsVideoUnit[] = [];
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    let o = 0;
    while (o + TS_PACKET <= data.length) {
      if (data[o] !== SYNC_BYTE) {
        o++;
        this.stats.resyncBytes++;
        continue;
      }
      this.onPacket(data, o, out);
      o += TS_PACKET;
    }
    if (o < data.length) this.carry = Buffer.from(data.subarray(o));
    return out;
  }

  /** Hands out the frame in progress (end of stream). */
  flush(): TsVideoUnit[] {
    const out: TsVideoUnit[] = [];
    this.finish(out);
    return out;
  }

  private onPacket(data: Buffer, o: number, out: TsVideoUnit[]): void {
    this.stats.packets++;
    const h = parseHeader(data, o);
    if (h.pid === 0) {
      const pmtPid = parsePat(data, o);
      if (pmtPid !== undefined) this.pmtPid = pmtPid;
      return;
    }
    if (h.pid === this.pmtPid) {
      const video = parsePmt(data, o);
      if (video) this.video = video;
      return;
    }
    if (!this.video || h.pid !== this.video.pid || h.payloadOffset < 0) return;
    const cc = data[o + 3]! & 0x0f;
    if (this.lastCc >= 0 && cc !== ((this.lastCc + 1) & 0x0f) && cc !== this.lastCc) {
      this.stats.ccErrors++;
      this.pes = undefined;
    }
    this.lastCc = cc;
    const payload = data.subarray(o + h.payloadOffset, o + TS_PACKET);
    if (h.unitStart) {
      this.finish(out);
      const expected = payload.length >= 6 ? payload.readUInt16BE(4) : 0;
      this.pes = { parts: [], bytes: 0, expected: expected ? expected + 6 : 0, randomAccess: h.randomAccess };
    }
    const pes = this.pes;
    if (!pes) return; // joined mid-PES, or after a gap: wait for the next start
    // A view, not a copy: written chunks are not changed afterwards (as with any Node stream).
    pes.parts.push(payload);
    pes.bytes += payload.length;
    if (pes.expected && pes.bytes >= pes.expected) this.finish(out);
  }

  private finish(out: TsVideoUnit[]): void {
    const pes = this.pes;
    this.pes = undefined;
    if (!pes || !this.video) return;
    const buf = Buffer.concat(pes.parts, pes.bytes);
    if (buf.length < 9 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 1) return;
    const flags = buf[7]!;
    const start = 9 + buf[8]!;
    if (!(flags & 0x80) || start > buf.length) return; // a frame without a PTS cannot be timed
    const pts = readTimestamp(buf, 9);
    const dts = (flags & 0xc0) === 0xc0 ? readTimestamp(buf, 14) : pts;
    const end = pes.expected ? Math.min(pes.expected, buf.length) : buf.length;
    this.stats.frames++;
    out.push({ codec: this.video.codec, data: buf.subarray(start, end), pts, dts, randomAccess: pes.randomAccess });
  }
}
