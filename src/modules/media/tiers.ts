// The four output profiles of CONTRACT §2 (docs/tiers.md), one per tier, and how a request's
// parameters bend them.
import type { VideoTarget } from '../../protocols/ffmpeg/args.js';
import type { StreamRole } from '../../domain/camera.js';
import type { Tier } from '../../domain/tier.js';
import type { PushParams } from './engine.js';

export type SourceCodec = 'h264' | 'h265' | 'mpeg2' | 'mpeg4';

/** Video of one planned output (a plan without one is a copy). */
export type TierVideo = VideoTarget;

export interface OutputPlan {
  tier: Tier;
  /** Which camera stream feeds it (chosen by streamSelection). */
  stream: StreamRole;
  encode?: TierVideo;
  /** Why a request value was not used, for the log. */
  deviations: string[];
  /** Why this plan copies or transcodes, for the log and `vcgw status`. */
  why: string;
  /** Made before the source's rate was known: to be planned again once it is. */
  provisional?: boolean;
  /** A copy of the camera's own encode of this tier: watched for drift. */
  cameraEncoded?: boolean;
}

interface Range {
  min: number;
  max: number;
}
interface TierBounds {
  width: Range;
  height: Range;
  bitrateKbps: Range;
  fps: Range;
  gopFrames: Range;
}

/** Sizes a low-rate push may take: the CIF family and its common neighbours. */
const LOW_SIZES = new Set(['352x288', '176x144', '704x288', '704x576', '320x240', '640x480', '640x360']);

export const TIER_DEFAULTS: Readonly<Record<Exclude<Tier, 'source'>, TierVideo>> = {
  low: { fit: 'exact', width: 352, height: 288, fps: 25, bitrateKbps: 128, gopFrames: 25 },
  high: { fit: 'within', width: 1280, height: 720, fps: 25, bitrateKbps: 1024, gopFrames: 25 },
  fourM: { fit: 'within', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, gopFrames: 25 },
};

// "Sane bounds for the videoType" (CONTRACT §2), per tier: outside them the profile default is used.
const BOUNDS: Readonly<Record<Tier, TierBounds>> = {
  low: { width: { min: 176, max: 704 }, height: { min: 144, max: 576 }, bitrateKbps: { min: 64, max: 1024 }, fps: { min: 10, max: 30 }, gopFrames: { min: 10, max: 250 } },
  high: { width: { min: 320, max: 1280 }, height: { min: 240, max: 720 }, bitrateKbps: { min: 256, max: 2048 }, fps: { min: 10, max: 30 }, gopFrames: { min: 10, max: 250 } },
  fourM: { width: { min: 640, max: 1920 }, height: { min: 360, max: 1080 }, bitrateKbps: { min: 1024, max: 8192 }, fps: { min: 10, max: 30 }, gopFrames: { min: 10, max: 250 } },
  source: { width: { min: 320, max: 3840 }, height: { min: 240, max: 2160 }, bitrateKbps: { min: 512, max: 16384 }, fps: { min: 10, max: 60 }, gopFrames: { min: 10, max: 250 } },
};

const within = (v: number, r: Range) => Number.isFinite(v) && v >= r.min && v <= r.max;

/** The tier's video with the request's values applied where they are sane. */
export function applyParams(tier: Tier, base: TierVideo, p: PushParams): { video: TierVideo; deviations: string[] } {
  const b = BOUNDS[tier];
  const video = { ...base };
  const deviations: string[] = [];
  const take = (name: keyof PushParams, value: number | undefined, range: Range, set: (v: number) => void) => {
    if (value === undefined) return;
    if (within(value, range)) set(value);
    else deviations.push(`${name}=${value} outside ${range.min}–${range.max}: using the ${tier} default`);
  };
  if (p.width !== undefined || p.height !== undefined) {
    const w = p.width ?? base.width;
    const h = p.height ?? base.height;
    const sizeOk =
      within(w, b.width) && within(h, b.height) && w % 2 === 0 && h % 2 === 0 && (tier !== 'low' || LOW_SIZES.has(`${w}x${h}`));
    if (sizeOk) Object.assign(video, { width: w, height: h });
    else deviations.push(`size ${w}x${h} is not a sane ${tier} size: using ${base.width}x${base.height}`);
  }
  take('bitRate', p.bitRate, b.bitrateKbps, (v) => (video.bitrateKbps = Math.round(v)));
  take('frameRate', p.frameRate, b.fps, (v) => (video.fps = Math.round(v)));
  take('iframe', p.iframe, b.gopFrames, (v) => (video.gopFrames = Math.round(v)));
  return { video, deviations };
}

/**
 * A "4 Mb/s" camera measures anywhere around 4 Mb/s (VBR, GOP-sized bursts): re-encoding it to
 * 4 Mb/s would cost half a core and lose quality for nothing, so up to 20 % over still copies
 * (the same ±20 % the tiers are held to on the wire).
 */
export const FOUR_M_COPY_MAX_KBPS = Math.round(4096 * 1.2);

export interface SourceFacts {
  codec: SourceCodec;
  /** Bitrate of the stream over a whole GOP, kb/s; undefined until one has been measured. */
  kbps: number | undefined;
  /** The camera stream feeding the output. */
  stream: StreamRole;
  /** The camera's own encoder makes this output (verified): copied when the request asks for the tier's defaults. */
  cameraEncoded?: boolean;
}

export interface PlanOptions {
  /** CONTRACT §2: HEVC copied into FLV only when switched on and FFmpeg can (enhanced RTMP). */
  hevcPassthrough: boolean;
}

/** Decides copy or transcode and the parameters of one output (CONTRACT §2 table and decisions). */
export function planOutput(tier: Tier, params: PushParams, src: SourceFacts, o: PlanOptions): OutputPlan {
  const copyable = src.codec === 'h264' || (src.codec === 'h265' && o.hevcPassthrough);
  if (tier === 'source') {
    if (copyable) return { tier, stream: src.stream, deviations: [], why: `source is ${src.codec}: copied` };
    // H.264 needs about a third more bits than HEVC for the same picture.
    const kbps = Math.min(8192, Math.max(1024, Math.round((src.kbps ?? 3000) * 1.3)));
    const base: TierVideo = { fit: 'within', width: 3840, height: 2160, bitrateKbps: kbps, gopFrames: 25 };
    const { video, deviations } = applyParams(tier, base, { bitRate: params.bitRate, iframe: params.iframe });
    return { tier, stream: src.stream, encode: video, deviations, why: `source is ${src.codec}: re-encoded to H.264` };
  }
  if (tier === 'fourM' && src.codec === 'h264') {
    // Waiting for a whole GOP to be measured would cost the first screen up to a GOP (CONTRACT §2:
    // < 4 s), so an unmeasured source starts as a copy and is re-planned once its rate is known.
    if (src.kbps === undefined) {
      return { tier, stream: src.stream, deviations: [], provisional: true, why: 'source rate not measured yet: copied until a whole GOP is' };
    }
    if (src.kbps <= FOUR_M_COPY_MAX_KBPS) {
      return { tier, stream: src.stream, deviations: [], why: `source runs at ${src.kbps} kb/s, not above 4 Mb/s: source rate pushed (copy)` };
    }
  }
  const defaults = TIER_DEFAULTS[tier];
  const { video, deviations } = applyParams(tier, defaults, params);
  const stream = src.stream;
  if (src.cameraEncoded && src.codec === 'h264') {
    const differs = (['width', 'height', 'fps', 'bitrateKbps', 'gopFrames'] as const).filter((k) => video[k] !== defaults[k]);
    if (differs.length === 0) return { tier, stream, deviations, cameraEncoded: true, why: `camera-side encoding: the ${stream} stream is this output, pushed by remux` };
    return { tier, stream, encode: video, deviations, why: `transcoded from the camera-encoded ${stream} stream: the request asks for other ${differs.join(', ')}` };
  }
  return { tier, stream, encode: video, deviations, why: `transcoded from the ${stream} stream` };
}

/** The ±20 % the tiers are held to on the wire: the project's tolerance around CONTRACT §2's figures, not a clause of it. */
export const TIER_TOLERANCE = 0.2;

/** Why a stream's measured GOP rate or keyframe spacing is off the tier; undefined while on it (or unmeasured). */
export function offTier(stats: { gopKbps?: number; keyIntervalMs?: number }, target: TierVideo): string | undefined {
  const { gopKbps, keyIntervalMs } = stats;
  const fps = target.fps ?? 25;
  if (gopKbps !== undefined && Math.abs(gopKbps - target.bitrateKbps) > target.bitrateKbps * TIER_TOLERANCE) {
    return `runs at ${Math.round(gopKbps)} kb/s, not ${target.bitrateKbps} kb/s ±${TIER_TOLERANCE * 100} %`;
  }
  const wantMs = (target.gopFrames / fps) * 1000;
  if (keyIntervalMs !== undefined && Math.abs(keyIntervalMs - wantMs) > wantMs * TIER_TOLERANCE) {
    return `keyframes every ${(keyIntervalMs / 1000).toFixed(2)} s, not every ${(wantMs / 1000).toFixed(2)} s`;
  }
  return undefined;
}
