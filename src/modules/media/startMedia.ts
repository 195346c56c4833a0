// Wiring of the media engine for the daemon: runtime → engine → constant pushes → status.
import { CameraEncodingStore } from '../../store/cameraEncoding.js';
import { CameraOnvifStore } from '../../store/cameraOnvif.js';
import { EncodingKeeper } from './encodingKeeper.js';
import { cameraStreamsOf } from './cameraStreams.js';
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { ProvinceCall } from '../../protocols/province/reports.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import { ConstantPushManager, PushAddressBook } from './constantPush.js';
import type { MediaEngine } from './engine.js';
import { FfmpegMediaEngine } from './ffmpegEngine.js';
import { createMediaRuntime, type MediaRuntime } from './runtime.js';
import { MediaStatusWriter } from './statusWriter.js';
import type { PullFactory } from './source.js';

export interface RunningMedia {
  engine: MediaEngine;
  /** undefined when FFmpeg could not be set up: pushes are then refused with the reason. */
  ffmpeg?: FfmpegMediaEngine;
  runtime?: MediaRuntime;
  stop(): Promise<void>;
}

const RECONCILE_MS = 10_000;
const STATUS_MS = 2_000;

/** An engine that refuses every push with the reason media could not start (FFmpeg missing). */
function unavailableEngine(reason: string): MediaEngine {
  return {
    async start() {
      throw new Error(`media engine unavailable: ${reason}`);
    },
    async stop() {},
  };
}

export async function startMedia(o: {
  config: Config;
  db: Db;
  cameras: CameraStore;
  call: ProvinceCall;
  health: CameraHealth;
  log: Logger;
  /** Pulls of non-RTSP cameras (GB/T 28181). */
  pullFactory?: PullFactory;
}): Promise<RunningMedia> {
  const log = moduleLog(o.log, 'media');
  const store = new MediaStatusStore(o.db);
  store.replaceAll([]);
  let runtime: MediaRuntime;
  try {
    runtime = await createMediaRuntime(o.config.media, log);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.error({ err: reason }, 'media engine could not start: no video will be pushed');
    return { engine: unavailableEngine(reason), stop: async () => {} };
  }
  const streams = cameraStreamsOf(o.db, o.config.media.encoder);
  const engine = new FfmpegMediaEngine(runtime, o.cameras, log, streams, o.config.overlay);
  engine.pullFactory = o.pullFactory;
  const book = new PushAddressBook({ call: o.call, maxAgeMs: o.config.media.push_url_max_age_s * 1000, log });
  const constant = new ConstantPushManager({ engine, cameras: o.cameras, book, streams, reconcileMs: RECONCILE_MS, log });
  const status = new MediaStatusWriter({ engine, cameras: o.cameras, store, health: o.health, intervalMs: STATUS_MS, log });
  const keeper = new EncodingKeeper({
    cameras: o.cameras,
    streams,
    onvif: new CameraOnvifStore(o.db),
    encoding: new CameraEncodingStore(o.db),
    intervalMs: o.config.media.encoding_check_s * 1000,
    ffprobe: runtime.ffprobe,
    onChange: (cam) => {
      engine.updateCamera(cam);
      void engine.replanCamera(cam.record.cameraNum);
    },
    log,
  });
  engine.onEncodingDrift = (cameraNum, tier, reason) => keeper.recordDrift(cameraNum, tier, reason);
  constant.start();
  status.start();
  keeper.start();
  return {
    engine,
    ffmpeg: engine,
    runtime,
    async stop() {
      await keeper.stop();
      await constant.stop();
      await engine.close();
      status.stop();
    },
  };
}
