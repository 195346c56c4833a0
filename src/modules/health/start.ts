// Camera health as the daemon runs it: each camera's online state (stored, reported to the
// province), the half-hourly online-rate checks and the reachability probes that decide the state.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';
import { simpleService, type Service } from '../service.js';
import { CameraHealth } from './cameraHealth.js';
import { CameraStateTracker } from './cameraState.js';
import type { StateProbe } from './netcheck.js';
import { OnlineCheckRecorder } from './onlineChecks.js';
import { ReachabilityMonitor } from './reachability.js';

export interface HealthModule extends Service {
  readonly state: CameraStateTracker;
  readonly cameraHealth: CameraHealth;
}

export function healthModule(o: {
  db: Db;
  cameras: CameraStore;
  outbox: OutboxStore;
  config: Config['health'];
  /** [province] status_full_interval_s: every camera's state is reported this often. */
  statusFullIntervalS: number;
  /** Cameras whose state is known without a probe (GB/T 28181). */
  stateOf?: StateProbe;
  log: Logger;
}): HealthModule {
  const state = new CameraStateTracker({ db: o.db, cameras: o.cameras, outbox: o.outbox, fullIntervalMs: o.statusFullIntervalS * 1000, log: moduleLog(o.log, 'state') });
  const checks = new OnlineCheckRecorder({ db: o.db, log: o.log.child({ mod: 'online-checks' }) });
  const cameraHealth = new CameraHealth(state);
  const reach = new ReachabilityMonitor({
    cameras: o.cameras,
    health: cameraHealth,
    intervalMs: o.config.probe_interval_s * 1000,
    timeoutMs: o.config.probe_timeout_ms,
    log: moduleLog(o.log, 'reach'),
    stateOf: o.stateOf,
  });
  const service = simpleService('health', {
    start: () => {
      state.start();
      checks.start();
      reach.start();
    },
    stop: async () => {
      await reach.stop();
      checks.stop();
      state.stop();
    },
  });
  return Object.assign(service, { state, cameraHealth });
}
