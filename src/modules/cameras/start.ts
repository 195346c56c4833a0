// The cameras module as the daemon runs it: the registry provisioned from the config and fully
// announced to the province at start, and the cameras' clocks kept in step over ONVIF.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import { CameraClockStore } from '../../store/cameraClock.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';
import { simpleService, type Service } from '../service.js';
import { ClockSync } from './clockSync.js';
import { CameraService } from './service.js';

export interface CamerasModule extends Service {
  readonly registry: CameraService;
}

export function camerasModule(o: {
  db: Db;
  cameras: CameraStore;
  outbox: OutboxStore;
  /** [[cameras]]: the cameras provisioned from the config. */
  configured: Config['cameras'];
  /** [health] clock_sync_interval_s. */
  clockSyncIntervalS: number;
  log: Logger;
}): CamerasModule {
  const registry = new CameraService({ db: o.db, cameras: o.cameras, outbox: o.outbox });
  const clockSync = new ClockSync({ cameras: o.cameras, clock: new CameraClockStore(o.db), intervalMs: o.clockSyncIntervalS * 1000, log: moduleLog(o.log, 'clock') });
  const service = simpleService('cameras', {
    start: () => {
      const provisioned = registry.provisionFromConfig(o.configured);
      for (const orphan of provisioned.orphans) {
        o.log.warn({ camera: orphan.id }, 'camera was provisioned from the config but is no longer in it; remove it with `vcgw cameras rm`');
      }
      registry.fullSync();
      clockSync.start();
    },
    stop: () => clockSync.stop(),
  });
  return Object.assign(service, { registry });
}
