// Camera-side encoding (issue 4 item 2): the camera's own encoder makes the 128 kbps CIF output on
// its sub-stream (and the 1 Mbps 720p output on a third stream), set over ONVIF, verified on the
// wire with ffprobe, and then pushed by remux with no transcoding at all. Whatever the camera
// refuses or gets wrong falls back to FFmpeg, with the reason kept for `vcgw cameras show`.
import type { Logger } from '../../log.js';
import type { StreamMeasure } from '../../protocols/ffmpeg/measure.js';
import { connectOnvif, type OnvifConnectOptions, type OnvifDevice } from '../../protocols/onvif/index.js';
import type { CameraEncodedTier, CameraEncodingState, MeasuredStream, VerifiedStream } from '../../store/cameraEncoding.js';
import type { OnvifFacts, OnvifStreamFacts } from '../../store/cameraOnvif.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { StreamRole } from '../../domain/camera.js';
import { readOnvifFacts } from '../cameras/onvifFacts.js';
import { onvifErrorText } from '../cameras/onvifRegistration.js';
import { TIER_DEFAULTS, TIER_TOLERANCE } from '../media/tiers.js';

/** What the camera is asked to encode for each output, and the stream that carries it. */
export const CAMERA_TARGETS: Readonly<Record<CameraEncodedTier, { stream: StreamRole; width: number; height: number; fps: number; kbps: number; gop: number }>> = {
  low: { stream: 'sub', width: TIER_DEFAULTS.low.width, height: TIER_DEFAULTS.low.height, fps: 25, kbps: TIER_DEFAULTS.low.bitrateKbps, gop: TIER_DEFAULTS.low.gopFrames },
  high: { stream: 'third', width: TIER_DEFAULTS.high.width, height: TIER_DEFAULTS.high.height, fps: 25, kbps: TIER_DEFAULTS.high.bitrateKbps, gop: TIER_DEFAULTS.high.gopFrames },
};

/** Enough stream time for three 1 s GOPs whole. */
export const VERIFY_SECONDS = 4;

export interface EncodingCheckDeps {
  /** Reads `seconds` of a stream with ffprobe. */
  measure: (url: string, seconds: number) => Promise<StreamMeasure>;
  /** The URL of one of the camera's streams, with credentials (CameraStreams.urlOf over fresh facts). */
  urlOf: (cam: StoredCamera, role: StreamRole, facts: OnvifFacts | undefined) => string | undefined;
  connect?: (o: OnvifConnectOptions) => Promise<OnvifDevice>;
  timeoutMs?: number;
  now?: () => number;
  log: Logger;
}

export interface EncodingCheck {
  state: CameraEncodingState;
  /** Facts read over ONVIF during the check (after any change), to be stored. */
  facts?: OnvifFacts;
}

/** Why a measured stream is not the output; undefined when it is (size exact, the rest within ±20 %). */
export function verifyAgainst(m: MeasuredStream, tier: CameraEncodedTier): string | undefined {
  const t = CAMERA_TARGETS[tier];
  const off: string[] = [];
  if (m.codec !== 'h264') off.push(`codec ${m.codec}, not h264`);
  if (m.width !== t.width || m.height !== t.height) off.push(`size ${m.width}x${m.height}, not ${t.width}x${t.height}`);
  const near = (v: number, want: number) => Math.abs(v - want) <= want * TIER_TOLERANCE;
  if (!near(m.fps, t.fps)) off.push(`${m.fps} fps, not ${t.fps}`);
  if (!near(m.gopFrames, t.gop)) off.push(`GOP ${m.gopFrames} frames, not ${t.gop}`);
  if (!near(m.kbps, t.kbps)) off.push(`${m.kbps} kb/s, not ${t.kbps} ±${TIER_TOLERANCE * 100} %`);
  return off.length ? off.join(', ') : undefined;
}

const measuredOf = (m: StreamMeasure): MeasuredStream => ({ codec: m.codec, width: m.width, height: m.height, fps: m.fps, gopFrames: m.gopFrames, kbps: m.videoKbps });

const matches = (p: OnvifStreamFacts, tier: CameraEncodedTier): boolean => {
  const t = CAMERA_TARGETS[tier];
  return p.encoding.toUpperCase() === 'H264' && p.width === t.width && p.height === t.height && p.fps === t.fps && p.bitrateKbps === t.kbps && p.gop === t.gop;
};

/**
 * Configures (over ONVIF, when the camera has it) and verifies (always, with ffprobe) each output
 * the camera can encode. A camera reached only through an NVR or a platform cannot be configured
 * but is still verified: a technician may have set its sub-stream by hand.
 */
export async function checkCameraEncoding(cam: StoredCamera, deps: EncodingCheckDeps): Promise<EncodingCheck> {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ camera: cam.id });
  const notes: Partial<Record<CameraEncodedTier, string>> = {};
  let facts: OnvifFacts | undefined;
  if (cam.access.onvifUrl) {
    try {
      const connect = deps.connect ?? connectOnvif;
      const dev = await connect({ url: cam.access.onvifUrl, user: cam.access.onvifUser ?? '', password: cam.access.onvifPassword ?? '', timeoutMs: deps.timeoutMs ?? 5000 });
      facts = await readOnvifFacts(dev);
      let changed = false;
      for (const tier of ['low', 'high'] as const) {
        const t = CAMERA_TARGETS[tier];
        const p = facts.profiles.find((x) => x.role === t.stream);
        if (!p) {
          notes[tier] = `the camera has no ${t.stream} stream`;
          continue;
        }
        if (matches(p, tier)) continue;
        try {
          await dev.setEncoder(p.encoderToken, { encoding: 'H264', width: t.width, height: t.height, fps: t.fps, bitrateKbps: t.kbps, gop: t.gop });
          changed = true;
          log.info({ stream: t.stream, tier }, 'camera encoder set for the output');
        } catch (err) {
          notes[tier] = `the camera refused to encode its ${t.stream} stream as H.264 ${t.width}x${t.height} ${t.fps} fps ${t.kbps} kb/s GOP ${t.gop}: ${onvifErrorText(err)}`;
        }
      }
      if (changed) facts = await readOnvifFacts(dev);
    } catch (err) {
      const why = `ONVIF: ${onvifErrorText(err)}`;
      return { state: { state: 'fallback', streams: {}, reason: why, checkedAt: now() } };
    }
  }
  const streams: Partial<Record<CameraEncodedTier, VerifiedStream>> = {};
  for (const tier of ['low', 'high'] as const) {
    if (notes[tier]) continue;
    const role = CAMERA_TARGETS[tier].stream;
    const url = deps.urlOf(cam, role, facts);
    if (!url) {
      notes[tier] = `no ${role} stream URL`;
      continue;
    }
    const verdict = await measureWithRetry(url, tier, deps);
    if ('measured' in verdict) streams[tier] = { stream: role, measured: verdict.measured };
    else notes[tier] = verdict.reason;
  }
  const noteText = (['low', 'high'] as const)
    .filter((t) => notes[t])
    .map((t) => `${t === 'low' ? '128 kbps' : '1 Mbps'} output: ${notes[t]}`)
    .join('; ');
  const state: CameraEncodingState = { state: streams.low ? 'camera' : 'fallback', streams, reason: noteText || null, checkedAt: now() };
  return facts ? { state, facts } : { state };
}

/**
 * A camera restarts a stream whose encoder changed: the first read may catch the old stream or a
 * cut-short one; three reads cover it without waiting on a fixed delay.
 */
async function measureWithRetry(url: string, tier: CameraEncodedTier, deps: EncodingCheckDeps): Promise<{ measured: MeasuredStream } | { reason: string }> {
  let reason = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const m = measuredOf(await deps.measure(url, VERIFY_SECONDS));
      const off = verifyAgainst(m, tier);
      if (!off) return { measured: m };
      reason = `the ${CAMERA_TARGETS[tier].stream} stream measured by ffprobe is off the output: ${off}`;
    } catch (err) {
      reason = `ffprobe could not read the ${CAMERA_TARGETS[tier].stream} stream: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return { reason };
}
