// Camera-side encoding as the daemon runs it: each camera's ONVIF facts kept fresh and, for cameras
// set to encode themselves, their encoders configured and verified (EncodingKeeper). It writes the
// store and announces each check; the media engine alone decides what moves.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import { CameraEncodingStore } from '../../store/cameraEncoding.js';
import { CameraOnvifStore } from '../../store/cameraOnvif.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import type { GatewayBus } from '../events.js';
import { simpleService, type Service } from '../service.js';
import { cameraStreamsOf } from './cameraStreams.js';
import { EncodingKeeper } from './encodingKeeper.js';

export function cameraEncodingModule(o: {
  db: Db;
  cameras: CameraStore;
  config: Pick<Config['media'], 'encoder' | 'encoding_check_s'>;
  /** What FFmpeg the media engine found when it started: without it, camera-side encoding is not kept. */
  tools: { readonly runtime: { ffprobe?: string } | undefined };
  events: GatewayBus;
  log: Logger;
}): Service {
  const keeper = new EncodingKeeper({
    cameras: o.cameras,
    streams: cameraStreamsOf(o.db, o.config.encoder),
    onvif: new CameraOnvifStore(o.db),
    encoding: new CameraEncodingStore(o.db),
    intervalMs: o.config.encoding_check_s * 1000,
    get ffprobe() {
      return o.tools.runtime?.ffprobe;
    },
    events: o.events,
    log: moduleLog(o.log, 'media'),
  });
  let running = false;
  return simpleService('camera-encoding', {
    start: () => {
      running = o.tools.runtime !== undefined;
      if (running) keeper.start();
    },
    stop: () => running && keeper.stop(),
    health: () => (running ? { ok: true } : { ok: false, detail: 'not kept: no FFmpeg' }),
  });
}
