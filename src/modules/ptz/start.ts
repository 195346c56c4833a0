// PTZ as the daemon runs it: ONVIF cameras driven over ONVIF, GB/T 28181 cameras over SIP
// DeviceControl (the device side's driver, once it runs), the holds and the audit log (pruned hourly).
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { PtzHoldStore } from '../../store/ptzHolds.js';
import { PtzLogStore } from '../../store/ptzLog.js';
import type { GbDeviceSide } from '../gb28181/start.js';
import { simpleService, type Service } from '../service.js';
import { PtzService } from './controller.js';
import { OnvifPtzDriver } from './onvifDriver.js';

const DAY_MS = 86_400_000;

export interface PtzModule extends Service {
  readonly controller: PtzService;
}

export function ptzModule(o: { db: Db; cameras: CameraStore; config: Config['ptz']; gb?: Pick<GbDeviceSide, 'running'>; log: Logger }): PtzModule {
  const c = o.config;
  const log = moduleLog(o.log, 'ptz');
  const ptzLog = new PtzLogStore(o.db);
  const onvif = new OnvifPtzDriver({ pulseMs: c.pulse_ms, log });
  const controller = new PtzService({
    cameras: o.cameras,
    ptzLog,
    holds: new PtzHoldStore(o.db),
    holdMs: c.hold_s * 1000,
    driverFor: (cam) => o.gb?.running?.ptz.driverFor(cam) ?? onvif.driverFor(cam),
    log,
  });
  let pruner: NodeJS.Timeout | undefined;
  const service = simpleService('ptz', {
    start: () => {
      pruner = setInterval(() => ptzLog.prune(c.keep_log_days * DAY_MS), DAY_MS / 24);
      pruner.unref();
    },
    // No camera is left turning after a shutdown mid-pulse.
    stop: async () => {
      clearInterval(pruner);
      await onvif.close();
    },
  });
  return Object.assign(service, { controller });
}
