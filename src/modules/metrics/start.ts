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
import type { GatewayBus, PushRole } from '../events.js';
import type { Service } from '../service.js';
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
  /** Where pushes announce their first frame (pushFirstFrame), timed in the figures. */
  events?: Pick<GatewayBus, 'on' | 'off'>;
  /** undefined when [gb28181] enabled = false. */
  gb?: Pick<GbService, 'store' | 'pulls'>;
  tls?: ServerTls;
  log: Logger;
}

export function figuresOf(deps: Omit<MetricsDeps, 'tls' | 'log' | 'events'>): Figures {
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

/** /metrics as a daemon service (when [metrics] enabled); `tls` is read when it starts. */
export function metricsModule(deps: Omit<MetricsDeps, 'tls'> & { tls: () => ServerTls | undefined }): Service {
  const figures = figuresOf(deps);
  const firstFrame = (_cameraNum: string, role: PushRole, ms: number) => figures.firstFrame(role, ms);
  let server: RunningServer | undefined;
  return {
    name: 'metrics',
    async start() {
      server = await startMetricsServer({ config: deps.config, figures, tls: deps.tls(), log: deps.log });
      deps.events?.on('pushFirstFrame', firstFrame);
    },
    async stop() {
      deps.events?.off('pushFirstFrame', firstFrame);
      const s = server;
      server = undefined;
      await s?.close();
    },
    health: () => (server ? { ok: true, detail: server.url } : { ok: false, detail: 'not listening' }),
  };
}
