// The daemon's small typed event bus: modules that must hear of each other without holding each
// other (the engine and the uplinks' orders, the engine and camera-side encoding, snapshots and
// the quality diagnosis) are given one bus at construction instead of callbacks set later.
import { EventEmitter } from 'node:events';
import type { StoredCamera } from '../store/cameras.js';
import type { Snapshot } from '../store/snapshots.js';

export type PushRole = 'constant' | 'ondemand';

export type GatewayEvents = {
  /** The engine gave up an on-demand output by itself (idle safety net): its slot is free again. `key` is the order's. */
  outputGone: [key: string, reason: string];
  /** A push delivered its first frame, `ms` after it was started (for the operations figures). */
  pushFirstFrame: [cameraNum: string, role: PushRole, ms: number];
  /** A camera-encoded output left its tier; the engine already transcodes it (camera-side encoding records it). */
  encodingDrift: [cameraNum: string, tier: 'low' | 'high', reason: string];
  /** A camera's streams or camera-side encoding were checked: the engine decides whether pushes move. */
  cameraStreamsChecked: [cam: StoredCamera];
  /** A province call got through after the province was unreachable (the outbox sends what waits). */
  provinceReachable: [];
  /** A scheduled snapshot was stored (the quality diagnosis judges it). */
  snapshotTaken: [cam: StoredCamera, snap: Snapshot];
};

export class GatewayBus extends EventEmitter<GatewayEvents> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
