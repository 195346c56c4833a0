// The media engine as the daemon runs it: FFmpeg found at start (or the reason it was not), the
// engine, the constant pushes and the status rows `vcgw status` reads.
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { VideoType } from '../../protocols/province/messages.js';
import type { ProvinceCall } from '../../protocols/province/reports.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import type { GatewayBus } from '../events.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { Service } from '../service.js';
import { cameraStreamsOf } from '../cameraEncoding/cameraStreams.js';
import { ConstantPushManager, PushAddressBook } from './constantPush.js';
import { OutputBudget } from './budget.js';
import type { FrameProvider, MediaEngine } from './engine.js';
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

export interface MediaModule extends Service {
  /** Pushes; refused with the reason while FFmpeg is missing. */
  readonly engine: MediaEngine;
  /** The cameras' streams for frame readers (snapshots, the quality diagnosis). */
  readonly frames: FrameProvider;
  /** undefined before start and when FFmpeg could not be set up. */
  readonly ffmpeg: FfmpegMediaEngine | undefined;
  readonly runtime: MediaRuntime | undefined;
  /** The province's on-demand push orders. */
  readonly push: PushRegistry;
}

/**
 * FFmpeg is looked for when the service starts, in its place in the daemon's order (the province
 * link and the outbox are up before a slow probe of a loaded box); until then and without FFmpeg,
 * pushes are refused with the reason and there are no frames to read.
 */
export function mediaModule(o: {
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
  let unavailable = 'not started';
  let running: { runtime: MediaRuntime; engine: FfmpegMediaEngine; constant: ConstantPushManager; status: MediaStatusWriter } | undefined;
  // One budget whether or not FFmpeg was found: refusals for capacity stay the same.
  const budget = new OutputBudget(o.config.media);
  const engine: MediaEngine = {
    budget,
    start: (target) => (running ? running.engine.start(target) : Promise.reject(new Error(`media engine unavailable: ${unavailable}`))),
    stop: async (cameraNum, videoType) => running?.engine.stop(cameraNum, videoType),
  };
  const push = new PushRegistry(engine, o.config.media, o.log);
  const forget = (cameraNum: string, videoType: VideoType, reason: string) => push.forget(cameraNum, videoType, reason);

  const assemble = (runtime: MediaRuntime) => {
    const streams = cameraStreamsOf(o.db, o.config.media.encoder);
    const engine = new FfmpegMediaEngine({ runtime, config: o.config.media, budget, cameras: o.cameras, streams, events: o.events, sourceKinds: o.sourceKinds, overlay: o.config.overlay, log: o.log });
    const book = new PushAddressBook({ call: o.call, maxAgeMs: o.config.media.push_url_max_age_s * 1000, log });
    return {
      runtime,
      engine,
      constant: new ConstantPushManager({ engine, cameras: o.cameras, book, reconcileMs: RECONCILE_MS, log }),
      status: new MediaStatusWriter({ engine, cameras: o.cameras, store: statusStore, health: o.health, intervalMs: STATUS_MS, log }),
    };
  };

  return {
    name: 'media',
    engine,
    frames: { frames: (cameraNum, want) => running?.engine.frames(cameraNum, want) },
    get ffmpeg() {
      return running?.engine;
    },
    get runtime() {
      return running?.runtime;
    },
    push,
    async start() {
      statusStore.replaceAll([]);
      o.events.on('pushGone', forget);
      const setup = await setUpMedia(o.config.media, o.log);
      if ('unavailable' in setup) {
        unavailable = setup.unavailable;
        return;
      }
      running = assemble(setup.runtime);
      running.constant.start();
      running.status.start();
    },
    async stop() {
      o.events.off('pushGone', forget);
      await push.stopAll();
      const r = running;
      running = undefined;
      unavailable = 'stopped';
      if (!r) return;
      await r.constant.stop();
      await r.engine.close();
      r.status.stop();
    },
    health: () => (running ? { ok: true } : { ok: false, detail: `media engine unavailable: ${unavailable}` }),
  };
}
