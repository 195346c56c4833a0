// GB/T 28181 PS over RTP → MPEG-TS for the media engine's fan-out, in-process (see README.md for
// why this path rather than an FFmpeg `-f mpeg` child). Frames before the first keyframe are
// dropped: a consumer could not decode them anyway.
import { TsMuxer } from '../mpegts/mux.js';
import type { RtpPacket } from '../rtp/packet.js';
import { ParameterSetRepeater } from './parameterSets.js';
import { PsDemuxer, type PsDemuxerOptions, type PsDemuxStats, type PsUnit } from './demux.js';
import type { PsVideoCodec } from './streamTypes.js';

export interface PsToMpegTsStats extends PsDemuxStats {
  /** Frames written as TS. */
  framesOut: number;
  /** Frames dropped while waiting for the first keyframe. */
  beforeFirstKey: number;
  /** Whether RTP markers still end frames (false once a device was seen setting them mid-frame). */
  trustMarker: boolean;
  /** Keyframes without their own SPS/PPS that got the last ones seen put in front. */
  parameterSetsInserted: number;
}

export interface PsToMpegTsOptions {
  demux?: Omit<PsDemuxerOptions, 'audio'>;
  /** Hand a frame out at its RTP marker instead of when the next frame starts (one frame less latency). */
  trustMarker?: boolean;
}

export class PsToMpegTs {
  private readonly demux: PsDemuxer;
  private muxer: TsMuxer | undefined;
  private repeater: ParameterSetRepeater | undefined;
  private trustMarker: boolean;
  private framesOut = 0;
  private beforeFirstKey = 0;

  constructor(
    /** Receives TS bytes: TsFanout.push, a pipe... */
    private readonly sink: (ts: Buffer) => void,
    opts: PsToMpegTsOptions = {},
  ) {
    this.demux = new PsDemuxer({ ...opts.demux, audio: 'drop' });
    this.trustMarker = opts.trustMarker ?? true;
  }

  get codec(): PsVideoCodec | undefined {
    return this.muxer?.video;
  }

  stats(): PsToMpegTsStats {
    return {
      ...this.demux.stats,
      framesOut: this.framesOut,
      beforeFirstKey: this.beforeFirstKey,
      trustMarker: this.trustMarker,
      parameterSetsInserted: this.repeater?.inserted ?? 0,
    };
  }

  /** One RTP packet of the PS stream, in order, with the count lost just before it (RtpReceiver's `rtp` event). */
  pushRtp(packet: RtpPacket, lostBefore = 0): void {
    if (lostBefore > 0) this.write(this.demux.discontinuity());
    this.pushPs(packet.payload, packet.marker);
  }

  /** PS bytes; `endOfFrame` when the transport marks the frame's end. */
  pushPs(chunk: Buffer, endOfFrame = false): void {
    this.write(this.demux.push(chunk));
    // A device that sets the marker inside a frame turns the rest of it into an orphan: stop
    // trusting its markers (frames then end when the next one starts).
    if (this.demux.stats.earlyEnds > 0) this.trustMarker = false;
    if (endOfFrame && this.trustMarker) this.write(this.demux.endOfFrame());
  }

  /** End of stream. */
  flush(): void {
    this.write(this.demux.flush());
  }

  private write(units: PsUnit[]): void {
    for (const u of units) {
      if (u.kind !== 'video') continue;
      if (!this.muxer || this.muxer.video !== u.codec) {
        if (!u.key) {
          this.beforeFirstKey++;
          continue;
        }
        this.muxer = new TsMuxer({ video: u.codec });
        this.repeater = new ParameterSetRepeater(u.codec);
      }
      this.framesOut++;
      const data = this.repeater!.process(u.data, u.key);
      this.sink(this.muxer.muxVideo({ ...u, data }));
    }
  }
}
