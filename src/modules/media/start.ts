// The media engine as the daemon runs it: FFmpeg found at start (or the reason it was not), the
// engine, the constant pushes, camera-side encoding upkeep and the status rows `vcgw status` reads.
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { VideoType } from '../../protocols/province/messages.js';
import type { ProvinceCall } from '../../protocols/province/reports.js';
import { CameraEncodingStore } from '../../store/cameraEncoding.js';
import { CameraOnvifStore } from '../../store/cameraOnvif.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import type { GatewayBus } from '../events.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { Service, ServiceHealth } from '../service.js';
import { cameraStreamsOf } from './cameraStreams.js';
import { ConstantPushManager, PushAddressBook } from './constantPush.js';
import { EncodingKeeper } from './encodingKeeper.js';
import type { MediaEngine } from './engine.js';
import { FfmpegMediaEngine } from './ffmpegEngine.js';
import { PushRegistry } from './pushRegistry.js';
import { createMediaRuntime, type MediaRuntime } from './runtime.js';
import type { SourceKind } from './source.js';
import { MediaStatusWriter } from './statusWriter.js';

const RECONCILE_MS = 10_000;
const STATUS_MS = 2_000;

export type MediaSetup = { runtime: MediaRuntime } | { unavailable: string };

/** FFmpeg located, probed and its hardware tried; or why not (pushes are then refused with it). */
export async function setUpMedia(config: Config['media'], log: Logger): Promise<MediaSetup> {
  try {
    return { runtime: await createMediaRuntime(config, moduleLog(log, 'media')) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    moduleLog(log, 'media').error({ err: reason }, 'media engine could not start: no video will be pushed');
    return { unavailable: reason };
  }
}

/** An engine that refuses every push with the reason media could not start (FFmpeg missing). */
function unavailableEngine(reason: string): MediaEngine {
  return {
    async start() {
      throw new Error(`media engine unavailable: ${reason}`);
    },
    async stop() {},
  };
}

export interface MediaModule extends Service {
  readonly engine: MediaEngine;
  /** undefined when FFmpeg could not be set up. */
  readonly ffmpeg: FfmpegMediaEngine | undefined;
  readonly runtime: MediaRuntime | undefined;
  /** The province's on-demand push orders. */
  readonly push: PushRegistry;
}

export function mediaModule(o: {
  setup: MediaSetup;
  config: Config;
  db: Db;
  cameras: CameraStore;
  /** The province's calls (GetPushAddress for the constant pushes). */
  call: ProvinceCall;
  health: CameraHealth;
  events: GatewayBus;
  /** Pull kinds besides RTSP (GB/T 28181). */
  sourceKinds?: readonly SourceKind[];
  log: Logger;
}): MediaModule {
  const log = moduleLog(o.log, 'media');
  const statusStore = new MediaStatusStore(o.db);
  const runtime = 'runtime' in o.setup ? o.setup.runtime : undefined;
  const parts = runtime && (() => {
    const streams = cameraStreamsOf(o.db, o.config.media.encoder);
    const engine = new FfmpegMediaEngine({ runtime, cameras: o.cameras, streams, events: o.events, sourceKinds: o.sourceKinds, overlay: o.config.overlay, log: o.log });
    const book = new PushAddressBook({ call: o.call, maxAgeMs: o.config.media.push_url_max_age_s * 1000, log });
    return {
      engine,
      constant: new ConstantPushManager({ engine, cameras: o.cameras, book, reconcileMs: RECONCILE_MS, log }),
      status: new MediaStatusWriter({ engine, cameras: o.cameras, store: statusStore, health: o.health, intervalMs: STATUS_MS, log }),
      keeper: new EncodingKeeper({
        cameras: o.cameras,
        streams,
        onvif: new CameraOnvifStore(o.db),
        encoding: new CameraEncodingStore(o.db),
        intervalMs: o.config.media.encoding_check_s * 1000,
        ffprobe: runtime.ffprobe,
        events: o.events,
        log,
      }),
    };
  })();
  const engine: MediaEngine = parts?.engine ?? unavailableEngine('unavailable' in o.setup ? o.setup.unavailable : '');
  const push = new PushRegistry(engine, o.config.media, o.log);
  const forget = (cameraNum: string, videoType: VideoType, reason: string) => push.forget(cameraNum, videoType, reason);
  const health: ServiceHealth = parts ? { ok: true } : { ok: false, detail: `media engine unavailable: ${'unavailable' in o.setup ? o.setup.unavailable : ''}` };
  return {
    name: 'media',
    engine,
    ffmpeg: parts?.engine,
    runtime,
    push,
    async start() {
      statusStore.replaceAll([]);
      o.events.on('pushGone', forget);
      parts?.constant.start();
      parts?.status.start();
      parts?.keeper.start();
    },
    async stop() {
      o.events.off('pushGone', forget);
      await push.stopAll();
      if (!parts) return;
      await parts.keeper.stop();
      await parts.constant.stop();
      await parts.engine.close();
      parts.status.stop();
    },
    health: () => health,
  };
}
