// The cascade plugged into the gateway: its four ports over the camera store, camera state, PTZ
// service and media engine, its status stored for `vcgw cascade status`. Kept out of daemon.ts
// so that the daemon's part is one call (undefined when no [[cascade]] platform is enabled or
// there is no FFmpeg engine to take streams from).
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CascadeCodeStore } from '../../store/cascadeCodes.js';
import type { CameraStore } from '../../store/cameras.js';
import { setKv, type Db } from '../../store/db.js';
import type { CameraStateTracker } from '../health/cameraState.js';
import type { FfmpegMediaEngine } from '../media/ffmpegEngine.js';
import type { PushRegistry } from '../media/pushRegistry.js';
import type { PtzService } from '../ptz/controller.js';
import { cameraListPort, cameraStatePort, ptzPort } from './appPorts.js';
import { engineMediaPort } from './enginePort.js';
import { CASCADE_STATUS_KEY, startCascade, type CascadeService } from './service.js';

export async function startCascadeFor(o: {
  config: Config;
  db: Db;
  cameras: CameraStore;
  state: CameraStateTracker;
  ptz: PtzService;
  push: PushRegistry;
  engine: FfmpegMediaEngine | undefined;
  log: Logger;
}): Promise<CascadeService | undefined> {
  if (!o.config.cascade.some((p) => p.enabled)) return undefined;
  if (!o.engine) {
    o.log.warn('[[cascade]] platforms are configured but the media engine is off: the cascade is not started');
    return undefined;
  }
  const media = o.config.media;
  const svc = startCascade({
    platforms: o.config.cascade,
    cameras: cameraListPort(o.cameras),
    state: cameraStatePort(o.state),
    ptz: ptzPort(o.ptz),
    media: engineMediaPort({ engine: o.engine, pushes: o.push, maxOutputs: media.max_outputs, firstFrameMs: media.first_frame_s * 1000 }),
    codes: new CascadeCodeStore(o.db),
    log: o.log,
    onStatus: (status) => setKv(o.db, CASCADE_STATUS_KEY, JSON.stringify(status)),
  });
  await svc.start();
  return svc;
}
