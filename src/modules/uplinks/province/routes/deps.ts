import type { Config } from '../../../../config/schema/index.js';
import type { CameraStore } from '../../../../store/cameras.js';
import type { StateProbe } from '../../../health/netcheck.js';
import type { PtzService } from '../../../ptz/controller.js';
import type { PushRegistry } from '../pushOrders.js';

/** What the province's routes work with; each route takes the part it needs. */
export interface ProvinceRouteDeps {
  cameras: CameraStore;
  /** [health] probe_timeout_ms bounds NetworkCheck's probes. */
  config: Pick<Config, 'health'>;
  push: PushRegistry;
  ptz: PtzService;
  /** NetworkCheck of cameras reached without a TCP port (GB/T 28181). */
  stateOf?: StateProbe;
  now: () => number;
}
