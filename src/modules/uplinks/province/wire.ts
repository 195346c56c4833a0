// The province's wire types (src/protocols/province/messages.ts) mapped to and from the app's own
// vocabulary (src/domain). Most values are the same codes on both sides today; the checks below
// turn any drift between the two into a compile error instead of a silent mismatch.
import type { CameraRecord, CLASSIFY } from '../../../domain/camera.js';
import type { ONLINE } from '../../../domain/online.js';
import type { PtzAction } from '../../../domain/ptz.js';
import type { Tier } from '../../../domain/tier.js';
import {
  PTZ_ACTIONS as WIRE_PTZ_ACTIONS,
  type CameraRecord as WireCameraRecord,
  type CLASSIFY as WIRE_CLASSIFY,
  type ONLINE as WIRE_ONLINE,
  type PtzActionCode,
  type PtzActionName,
  type VIDEO_TYPES,
  type VideoType,
} from '../../../protocols/province/messages.js';

/** True when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agreement: [
  Same<CameraRecord, WireCameraRecord>,
  Same<typeof CLASSIFY, typeof WIRE_CLASSIFY>,
  Same<typeof ONLINE, typeof WIRE_ONLINE>,
  Same<PtzAction, PtzActionName>,
  Same<Tier, keyof typeof VIDEO_TYPES>,
] = [true, true, true, true, true];
void agreement;

/** The tier a videoType asks for (E-5.1: 0 low, 1 high, 2 4M, 3 source). */
export const TIER_OF_VIDEO_TYPE: Readonly<Record<VideoType, Tier>> = { 0: 'low', 1: 'high', 2: 'fourM', 3: 'source' };

/** The action of a PTZControl action code (E-5.3); undefined for a code outside 1–12. */
export function ptzActionOf(code: number): PtzAction | undefined {
  return Object.hasOwn(WIRE_PTZ_ACTIONS, code) ? WIRE_PTZ_ACTIONS[code as PtzActionCode] : undefined;
}
