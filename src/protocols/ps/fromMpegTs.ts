// The engine's MPEG-TS → GB/T 28181 PS over RTP, for the cascade: a fan-out consumer (it has the
// FanoutSink shape) that remuxes each frame into PS and hands its RTP packets to a sender. The
// fan-out gives a new consumer the cached GOP at once, so an upper platform's INVITE is answered
// from the last keyframe without waiting for the camera's next one.
import { TsVideoDemuxer, type TsVideoUnit } from '../mpegts/demux.js';
import { PsMuxer } from './mux.js';
import { startsKeyPicture } from './demux.js';
import { PsRtpPacketizer, type PsRtpPacketizerOptions } from './rtpPacketizer.js';
import type { PsVideoCodec } from './streamTypes.js';

export interface TsToPsOptions extends PsRtpPacketizerOptions {
  maxPesPayload?: number;
}

export interface TsToPsStats {
  frames: number;
  packets: number;
  /** Frames the sender refused (not connected, or the peer too far behind). */
  refused: number;
  /** Frames of a codec PS over GB/T 28181 does not carry here (MPEG-2/4 video), skipped. */
  unsupported: number;
  /** Frames skipped while waiting for the first keyframe. */
  beforeFirstKey: number;
  /** Frames skipped after a refused send, until the next keyframe (they would not decode). */
  skippedToKey: number;
}

export class TsToPs {
  private readonly demux = new TsVideoDemuxer();
  private readonly packetizer: PsRtpPacketizer;
  private muxer: PsMuxer | undefined;
  private ended = false;
  /** A frame was refused: what follows references it, so wait for a keyframe. */
  private waitKey = false;
  readonly stats: TsToPsStats = { frames: 0, packets: 0, refused: 0, unsupported: 0, beforeFirstKey: 0, skippedToKey: 0 };

  constructor(
    /** Sends one frame's RTP packets; false when they could not be sent. */
    private readonly send: (packets: Buffer[]) => boolean,
    private readonly opts: TsToPsOptions,
  ) {
    this.packetizer = new PsRtpPacketizer(opts);
  }

  // FanoutSink: nothing is queued here (the link queues), so the fan-out never sees us lag.
  readonly writableLength = 0;

  get destroyed(): boolean {
    return this.ended;
  }

  write(chunk: Buffer): boolean {
    if (this.ended) return false;
    for (const unit of this.demux.push(chunk)) this.onFrame(unit);
    return true;
  }

  /** Stops taking data; the fan-out drops a destroyed consumer on its next write. */
  end(): void {
    this.ended = true;
  }

  private onFrame(u: TsVideoUnit): void {
    if (u.codec !== 'h264' && u.codec !== 'h265') {
      this.stats.unsupported++;
      return;
    }
    const key = u.randomAccess || startsKeyPicture(u.codec, u.data);
    if (!this.muxer || this.muxer.video !== u.codec) {
      if (!key) {
        this.stats.beforeFirstKey++;
        return;
      }
      this.muxer = new PsMuxer({ video: u.codec as PsVideoCodec, ...(this.opts.maxPesPayload !== undefined ? { maxPesPayload: this.opts.maxPesPayload } : {}) });
    }
    if (this.waitKey && !key) {
      this.stats.skippedToKey++;
      return;
    }
    const ps = this.muxer.muxVideo({ data: u.data, pts: u.pts, dts: u.dts, key });
    const packets = this.packetizer.packetize(ps, u.pts);
    this.waitKey = !this.send(packets);
    if (this.waitKey) {
      this.stats.refused++;
      return;
    }
    this.stats.frames++;
    this.stats.packets += packets.length;
  }
}
