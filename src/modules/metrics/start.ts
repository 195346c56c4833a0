// Wiring of the operations figures for the daemon: the stores it already keeps → /metrics.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CameraClockStore } from '../../store/cameraClock.js';
import { CameraQualityStore } from '../../store/cameraQuality.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import type { OutboxStore } from '../../store/outbox.js';
import { SnapshotStore } from '../../store/snapshots.js';
import type { TokenStore } from '../../store/tokens.js';
import { VERSION } from '../../version.js';
import type { RunningServer } from '../api/server.js';
import type { ServerTls } from '../api/tls.js';
import type { CameraStateRow } from '../../store/cameraState.js';
import type { FfmpegMediaEngine } from '../media/ffmpegEngine.js';
import { snapshotDirOf } from '../snapshots/files.js';
import type { GbService } from '../gb28181/service.js';
import { createFigures, type Figures } from './figures.js';
import type { GbFigureSource } from './gbFigures.js';
import { startMetricsServer } from './server.js';

export interface MetricsDeps {
  config: Config;
  db: Db;
  cameras: CameraStore;
  cameraState: { get(cameraNum: string): CameraStateRow | undefined };
  outbox: OutboxStore;
  tokens: TokenStore;
  /** undefined when FFmpeg could not be set up: no first frames to time. */
  engine?: FfmpegMediaEngine;
  /** undefined when [gb28181] enabled = false. */
  gb?: Pick<GbService, 'store' | 'pulls'>;
  tls?: ServerTls;
  log: Logger;
}

export function figuresOf(deps: Omit<MetricsDeps, 'tls' | 'log' | 'engine'>): Figures {
  const { config, db } = deps;
  return createFigures({
    version: VERSION,
    cameras: deps.cameras,
    cameraState: deps.cameraState,
    media: new MediaStatusStore(db),
    outbox: deps.outbox,
    tokens: deps.tokens,
    tokenRefreshS: config.province.token_refresh_s,
    snapshots: config.snapshots.enabled ? new SnapshotStore(db) : undefined,
    quality: config.quality.enabled ? new CameraQualityStore(db) : undefined,
    clock: new CameraClockStore(db),
    disks: { data: config.gateway.data_dir, ...(config.snapshots.enabled && { snapshots: snapshotDirOf(config) }) },
    gb: deps.gb && gbFigureSource(deps.gb, deps.cameras, config.gb28181),
  });
}

function gbFigureSource(gb: Pick<GbService, 'store' | 'pulls'>, cameras: CameraStore, c: Config['gb28181']): GbFigureSource {
  return {
    devices: () => gb.store.devices(),
    cameraDevices: () => new Set(cameras.all().flatMap((cam) => (cam.access.gbDeviceId ? [cam.access.gbDeviceId] : []))),
    keepaliveLimitS: c.keepalive_timeout_s * c.keepalive_misses,
    pulls: () => gb.pulls(),
  };
}

export async function startMetrics(deps: MetricsDeps): Promise<RunningServer> {
  const figures = figuresOf(deps);
  if (deps.engine) deps.engine.onFirstFrame = (_cameraNum, role, ms) => figures.firstFrame(role, ms);
  return startMetricsServer({ config: deps.config, figures, tls: deps.tls, log: deps.log });
}
