// SetVideoEncoderConfiguration as a camera applies it: one change at a time, refused when the
// encoder is locked, and handed to the stream (onChange) before the answer goes out, so a client
// that got the answer finds the new stream. Drift models cameras that ignore parts of the config.
import { applyEncoderUpdate, type OnvifProfile, type VideoEncoderConfig } from './profiles.js';
import { invalidArg, SoapFaultError } from './soap.js';
import type { CameraState, EncoderDrift, ProducedEncoding } from './state.js';
import { child, type XmlElement } from './xml.js';

/** The fault reason of a camera whose encoder settings are locked (`refuseEncoderChanges`). */
export const ENCODER_LOCKED_REASON = 'ConfigModify not permitted';

export function validateDrift(d: EncoderDrift | undefined): void {
  for (const [k, v] of Object.entries(d ?? {})) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`encoderDrift.${k} must be a positive number, got ${String(v)}`);
  }
}

/** What the encoder really emits for `e`: BitrateLimit and GovLength scaled by the drift, at least 1. */
export function producedEncoding(e: ProducedEncoding, drift: EncoderDrift = {}): ProducedEncoding {
  const scale = (v: number, f = 1): number => Math.max(1, Math.round(v * f));
  return {
    width: e.width,
    height: e.height,
    frameRateLimit: e.frameRateLimit,
    bitrateLimit: scale(e.bitrateLimit, drift.bitrateFactor),
    govLength: scale(e.govLength, drift.gopFactor),
  };
}

/**
 * Applies the <Configuration> of a SetVideoEncoderConfiguration request to the profile `find`
 * returns for its token. Changes are queued so each one is validated against the config the one
 * before left. When the config really changed, onChange runs before this resolves; if it throws,
 * the old config is restored and the call fails with a Receiver fault.
 */
export function setVideoEncoder(s: CameraState, req: XmlElement, find: (encoderToken: string | undefined) => OnvifProfile): Promise<void> {
  const run = s.encoder.queue.then(() => apply(s, req, find));
  s.encoder.queue = run.catch(() => undefined);
  return run;
}

async function apply(s: CameraState, req: XmlElement, find: (encoderToken: string | undefined) => OnvifProfile): Promise<void> {
  if (s.encoder.refuse) throw invalidArg(ENCODER_LOCKED_REASON);
  const conf = child(req, 'Configuration');
  if (!conf) throw invalidArg('no Configuration', 'ter:NoConfig');
  const p = find(conf.attrs['token']);
  const prev = p.encoder;
  const next = applyEncoderUpdate(prev, p.limits, conf);
  p.encoder = next;
  // Clients re-apply the same settings freely (e.g. at every start); only a real change restarts the stream.
  if (!s.encoder.onChange || sameConfig(prev, next)) return;
  try {
    await s.encoder.onChange({ ...p, encoder: { ...next } }, producedEncoding(next, s.encoder.drift));
  } catch (err) {
    p.encoder = prev;
    const why = err instanceof Error ? err.message : String(err);
    throw new SoapFaultError({ status: 500, code: 'Receiver', subcodes: ['ter:Action'], reason: `encoder restart failed: ${why}` });
  }
}

function sameConfig(a: VideoEncoderConfig, b: VideoEncoderConfig): boolean {
  return (Object.keys(a) as Array<keyof VideoEncoderConfig>).every((k) => a[k] === b[k]);
}
