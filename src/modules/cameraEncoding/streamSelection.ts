// Which camera stream each output is made from (issue 4 item 2), and whether the camera's own
// encoder already makes it. Pure: the facts come from the camera record, ONVIF and ffprobe.
import type { StreamRole } from '../../domain/camera.js';
import type { CameraEncodedTier } from '../../store/cameraEncoding.js';
import type { Tier } from '../../domain/tier.js';

export interface StreamFacts {
  role: StreamRole;
  url: string;
  /** From ONVIF (what the camera says it encodes); absent for RTSP-only cameras. */
  codec?: string;
  width?: number;
  height?: number;
  fps?: number;
  kbps?: number;
  gop?: number;
}

export interface SelectionInput {
  streams: readonly StreamFacts[];
  /** Per-camera overrides (`lowStream`, `highStream`). */
  override: Partial<Record<CameraEncodedTier, StreamRole>>;
  /** Outputs the camera encodes itself, verified by ffprobe. */
  cameraEncoded: Partial<Record<CameraEncodedTier, StreamRole>>;
}

export interface TierChoice {
  stream: StreamRole;
  /** The stream already is this output (camera-side encoding): pushed by remux. */
  cameraEncoded: boolean;
  why: string;
}

export type StreamSelection = Record<Tier, TierChoice>;

/** Smallest picture each output needs: never made by upscaling a smaller stream. */
const NEEDS: Readonly<Record<CameraEncodedTier, { width: number; height: number; label: string }>> = {
  low: { width: 352, height: 288, label: 'CIF' },
  high: { width: 1280, height: 720, label: '720p' },
};

const sized = (s: StreamFacts): s is StreamFacts & { width: number; height: number } =>
  s.width !== undefined && s.height !== undefined && s.width > 0 && s.height > 0;
const sizeText = (s: StreamFacts): string => (sized(s) ? ` ${s.width}x${s.height}` : '');

/** The cheapest stream to decode that is big enough; without sizes, the sub-stream for low and the main stream otherwise. */
function cheapest(tier: CameraEncodedTier, streams: readonly StreamFacts[]): TierChoice | undefined {
  const need = NEEDS[tier];
  const bigEnough = streams.filter((s) => sized(s) && s.width >= need.width && s.height >= need.height) as Array<StreamFacts & { width: number; height: number }>;
  const best = bigEnough.sort((a, b) => a.width * a.height - b.width * b.height)[0];
  if (best) {
    const why =
      best.role === 'main'
        ? `main stream${sizeText(best)}: no smaller stream of at least ${need.label}`
        : `${best.role} stream${sizeText(best)}: the smallest of at least ${need.label} (decoding it costs a fraction of the main stream)`;
    return { stream: best.role, cameraEncoded: false, why };
  }
  const byRole = (r: StreamRole) => streams.find((s) => s.role === r && !sized(s));
  if (tier === 'low') {
    const sub = byRole('sub');
    if (sub) return { stream: 'sub', cameraEncoded: false, why: 'sub-stream (size unknown: cameras make it CIF or D1)' };
  }
  return undefined;
}

export function selectStreams(input: SelectionInput): StreamSelection | undefined {
  const has = (r: StreamRole) => input.streams.some((s) => s.role === r);
  const fallback: StreamRole | undefined = has('main') ? 'main' : has('third') ? 'third' : has('sub') ? 'sub' : undefined;
  if (!fallback) return undefined;
  const main = input.streams.find((s) => s.role === fallback)!;

  const forTier = (tier: CameraEncodedTier): TierChoice => {
    const encoded = input.cameraEncoded[tier];
    if (encoded && has(encoded)) {
      return { stream: encoded, cameraEncoded: true, why: `camera-side encoding: the camera's ${encoded} stream is this output (verified by ffprobe), pushed by remux` };
    }
    const wanted = input.override[tier];
    const ignored = wanted && !has(wanted) ? `; ${tier}Stream = ${wanted} ignored: the camera has no ${wanted} stream` : '';
    if (wanted && !ignored) return { stream: wanted, cameraEncoded: false, why: `${tier}Stream = ${wanted} (set for this camera)` };
    const pick = cheapest(tier, input.streams) ?? { stream: fallback, cameraEncoded: false, why: `${fallback} stream${sizeText(main)}` };
    return { ...pick, why: pick.why + ignored };
  };

  const codec = main.codec?.toUpperCase();
  const sourceWhy =
    codec === 'H264'
      ? `${fallback} stream is H.264: copied`
      : codec === 'H265' || codec === 'HEVC'
        ? `${fallback} stream is H.265: re-encoded to H.264 (unless hevc_passthrough)`
        : `${fallback} stream: copied when H.264 (codec learnt on the first pull)`;
  return {
    low: forTier('low'),
    high: forTier('high'),
    fourM: { stream: fallback, cameraEncoded: false, why: `${fallback} stream: copied when it runs at most 4.9 Mb/s, else transcoded to 4 Mb/s` },
    source: { stream: fallback, cameraEncoded: false, why: sourceWhy },
  };
}
