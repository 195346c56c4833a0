// `vcgw cameras add --onvif URL`: what the camera says about itself fills in what the technician
// left out (address, credentials, camera type, PTZ), and the facts are kept for stream selection.
import { connectOnvif, OnvifError } from '../../protocols/onvif/index.js';
import type { OnvifFacts } from '../../store/cameraOnvif.js';
import { readOnvifFacts } from './onvifFacts.js';

export interface OnvifSource {
  url: string;
  user: string;
  password: string;
  timeoutMs?: number;
}

export interface OnvifRegistration {
  facts: OnvifFacts;
  /** Camera fields derived from the device, applied only where the technician gave none. */
  defaults: Record<string, string>;
  /** Things the technician should know (e.g. hasControl=1 on a camera without PTZ). */
  warnings: string[];
}

const IP = /^[0-9a-fA-F.:]+$/;

/** Accepts http://HOST[:PORT] and completes the ONVIF device service path when it is missing. */
export function deviceServiceUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new OnvifUrlError(`not a URL: ${raw} (expected http://HOST[:PORT])`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OnvifUrlError(`must be http:// or https://, got ${u.protocol}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/onvif/device_service';
  return u.toString();
}

export class OnvifUrlError extends Error {
  override readonly name = 'OnvifUrlError';
}

/** Reads the device; throws OnvifError (kind says why: unreachable, auth, timeout …). */
export async function registerFromOnvif(src: OnvifSource, given: Readonly<Record<string, unknown>>): Promise<OnvifRegistration> {
  const url = deviceServiceUrl(src.url);
  const dev = await connectOnvif({ url, user: src.user, password: src.password, timeoutMs: src.timeoutMs ?? 5000 });
  const facts = await readOnvifFacts(dev);
  if (!facts.profiles.some((p) => p.role === 'main')) {
    throw new OnvifError('unsupported', dev.address, 'GetProfiles', 'the camera offers no H.264/H.265 video profile');
  }
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const defaults: Record<string, string> = { onvifUrl: url, onvifUser: src.user, onvifPassword: src.password };
  if (IP.test(host)) defaults['ip'] = host;
  defaults['cameraType'] = facts.ptz ? '2' : '1';
  defaults['hasControl'] = facts.ptz ? '1' : '0';
  const warnings: string[] = [];
  if (!facts.ptz && String(given['hasControl'] ?? '') === '1') {
    warnings.push('hasControl = 1 but the camera offers no ONVIF PTZ service: province PTZ calls will fail');
  }
  return { facts, defaults, warnings };
}

export function onvifErrorText(err: unknown): string {
  if (!(err instanceof OnvifError)) return err instanceof Error ? err.message : String(err);
  switch (err.kind) {
    case 'auth':
      return `the camera refused the user or password (${err.message})`;
    case 'unreachable':
      return `cannot reach the camera (${err.message})`;
    case 'timeout':
      return `the camera did not answer in time (${err.message})`;
    default:
      return err.message;
  }
}
