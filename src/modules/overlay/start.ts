// The overlay as the daemon runs it (when [overlay] osd is on): each ONVIF camera's own OSD
// written with the Appendix B overlay. The burn-in into transcoded outputs is the media engine's.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import { CameraOsdStore } from '../../store/cameraOsd.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { simpleService, type Service } from '../service.js';
import { OsdWriter } from './osdWriter.js';

export function overlayModule(o: { db: Db; cameras: CameraStore; overlay: Config['overlay']; log: Logger }): Service {
  const writer = new OsdWriter({ cameras: o.cameras, osd: new CameraOsdStore(o.db), overlay: o.overlay, log: moduleLog(o.log, 'osd') });
  return simpleService('overlay', { start: () => writer.start(), stop: () => writer.stop() });
}
