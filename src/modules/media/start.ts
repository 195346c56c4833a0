// The media engine as the daemon runs it: FFmpeg found at start (or the reason it was not), the
// engine and the status rows `vcgw status` reads. Who orders pushes (the uplinks) is not here.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import type { GatewayBus } from '../events.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { Service } from '../service.js';
import { cameraStreamsOf, type CameraStreams } from '../cameraEncoding/cameraStreams.js';
import { OutputBudget } from './budget.js';
import type { FrameProvider, MediaEngine } from './engine.js';
import { FfmpegMediaEngine } from './ffmpegEngine.js';
import { createMediaRuntime, type MediaRuntime } from './runtime.js';
import type { SourceKind } from './source.js';
import { MediaStatusWriter } from './statusWriter.js';

const STATUS_MS = 2_000;

/** FFmpeg located, probed and its hardware tried; or why not (pushes are then refused with it). */
async function setUpMedia(config: Config['media'], log: Logger): Promise<{ runtime: MediaRuntime } | { unavailable: string }> {
  try {
    return { runtime: await createMediaRuntime(config, moduleLog(log, 'media')) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    moduleLog(log, 'media').error({ err: reason }, 'media engine could not start: no video will be pushed');
    return { unavailable: reason };
  }
}

export interface MediaModule extends Service {
  /** The uplinks' outputs; refused with the reason while FFmpeg is missing. */
  readonly engine: MediaEngine;
  /** The cameras' streams for frame readers (snapshots, the quality diagnosis). */
  readonly frames: FrameProvider;
  /** Which camera stream feeds which output, camera-side encoding included. */
  readonly streams: CameraStreams;
  /** undefined before start and when FFmpeg could not be set up. */
  readonly ffmpeg: FfmpegMediaEngine | undefined;
  readonly runtime: MediaRuntime | undefined;
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
  health: CameraHealth;
  events: GatewayBus;
  /** Pull kinds besides RTSP (GB/T 28181). */
  sourceKinds?: readonly SourceKind[];
  log: Logger;
}): MediaModule {
  const log = moduleLog(o.log, 'media');
  const statusStore = new MediaStatusStore(o.db);
  let unavailable = 'not started';
  let running: { runtime: MediaRuntime; engine: FfmpegMediaEngine; status: MediaStatusWriter } | undefined;
  // One budget whether or not FFmpeg was found: what the uplinks read of it stays the same.
  const budget = new OutputBudget(o.config.media);
  const streams = cameraStreamsOf(o.db, o.config.media.encoder);
  const engine: MediaEngine = {
    budget,
    start: (order) => (running ? running.engine.start(order) : Promise.reject(new Error(`media engine unavailable: ${unavailable}`))),
    stop: async (key) => running?.engine.stop(key),
  };

  const assemble = (runtime: MediaRuntime) => {
    const engine = new FfmpegMediaEngine({ runtime, config: o.config.media, budget, cameras: o.cameras, streams, events: o.events, sourceKinds: o.sourceKinds, overlay: o.config.overlay, log: o.log });
    return {
      runtime,
      engine,
      status: new MediaStatusWriter({ engine, cameras: o.cameras, store: statusStore, health: o.health, intervalMs: STATUS_MS, log }),
    };
  };

  return {
    name: 'media',
    engine,
    streams,
    frames: { frames: (cameraNum, want) => running?.engine.frames(cameraNum, want) },
    get ffmpeg() {
      return running?.engine;
    },
    get runtime() {
      return running?.runtime;
    },
    async start() {
      statusStore.replaceAll([]);
      const setup = await setUpMedia(o.config.media, o.log);
      if ('unavailable' in setup) {
        unavailable = setup.unavailable;
        return;
      }
      running = assemble(setup.runtime);
      running.status.start();
    },
    async stop() {
      const r = running;
      running = undefined;
      unavailable = 'stopped';
      if (!r) return;
      await r.engine.close();
      r.status.stop();
    },
    health: () => (running ? { ok: true } : { ok: false, detail: `media engine unavailable: ${unavailable}` }),
  };
}
