// The cascade plugged into the gateway as a daemon service: its four ports over the camera store,
// camera state, PTZ service and the media engine (its PS outputs are engine outputs), its status stored for
// `vcgw cascade status`. undefined when no [[cascade]] platform is enabled.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CascadeCodeStore } from '../../store/cascadeCodes.js';
import type { CameraStore } from '../../store/cameras.js';
import { setKv, type Db } from '../../store/db.js';
import type { CameraStateTracker } from '../health/cameraState.js';
import type { MediaModule } from '../media/start.js';
import type { PtzService } from '../ptz/controller.js';
import type { Service } from '../service.js';
import { cameraListPort, cameraStatePort, ptzPort } from './appPorts.js';
import { engineMediaPort } from './enginePort.js';
import { CASCADE_STATUS_KEY, startCascade, type CascadeService } from './service.js';

export function cascadeModule(o: {
  config: Config;
  db: Db;
  cameras: CameraStore;
  state: CameraStateTracker;
  ptz: PtzService;
  media: Pick<MediaModule, 'engine'>;
  log: Logger;
}): Service | undefined {
  if (!o.config.cascade.some((p) => p.enabled)) return undefined;
  const svc: CascadeService = startCascade({
    platforms: o.config.cascade,
    cameras: cameraListPort(o.cameras),
    state: cameraStatePort(o.state),
    ptz: ptzPort(o.ptz),
    media: engineMediaPort({ engine: o.media.engine, camera: (cameraNum) => o.cameras.byNum(cameraNum) }),
    codes: new CascadeCodeStore(o.db),
    log: o.log,
    onStatus: (status) => setKv(o.db, CASCADE_STATUS_KEY, JSON.stringify(status)),
  });
  return svc;
}
