// Parameter sets before every keyframe, as the engine's FFmpeg pull guarantees with
// `-bsf:v dump_extra=freq=keyframe`: a consumer joining at any GOP must find SPS/PPS (and VPS)
// there. Most GB devices repeat them before each IDR; some send them only when the stream starts.
import { H264, H265, nalType, splitNalUnits, type VideoCodec } from '../h26x/annexb.js';

const START_CODE = Buffer.from([0, 0, 0, 1]);

export class ParameterSetRepeater {
  /** The last parameter sets seen, as Annex B (start code + NAL), in VPS/SPS/PPS order. */
  private readonly sets = new Map<number, Buffer>();
  /** Keyframes that needed the cached parameter sets put in front. */
  inserted = 0;

  constructor(private readonly codec: VideoCodec) {}

  /** Returns `frame` (Annex B), with the cached parameter sets in front when it is a keyframe without its own. */
  process(frame: Buffer, key: boolean): Buffer {
    const types: readonly number[] = this.codec === 'h264' ? [H264.SPS, H264.PPS] : [H265.VPS, H265.SPS, H265.PPS];
    let has = false;
    for (const nal of splitNalUnits(frame)) {
      const type = nalType(this.codec, nal);
      if (types.includes(type)) {
        this.sets.set(type, Buffer.concat([START_CODE, nal]));
        has = true;
      }
    }
    if (!key || has || this.sets.size < types.length) return frame;
    this.inserted++;
    return Buffer.concat([...types.map((t) => this.sets.get(t)!), frame]);
  }
}
