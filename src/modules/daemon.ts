// Wiring of the gateway: the services below, started in this order and stopped in reverse. No
// logic of its own: each module's factory takes what it needs; they hear of each other through
// the constructor arguments given here or the one event bus.
import type { Config } from '../config/schema/index.js';
import type { Logger } from '../log.js';
import { moduleLog } from '../log.js';
import { CameraStore } from '../store/cameras.js';
import { GbStore } from '../store/gb.js';
import { openDb, type Db } from '../store/db.js';
import { OutboxStore } from '../store/outbox.js';
import { DaemonPresence } from '../store/daemonPresence.js';
import { ProvinceAcceptedStore } from '../store/provinceAccepted.js';
import { TokenStore } from '../store/tokens.js';
import { VERSION } from '../version.js';
import { monitorListener, provinceApiListener, serverCertificate } from './api/start.js';
import type { CameraService } from './cameras/service.js';
import { camerasModule } from './cameras/start.js';
import { cascadeModule } from './cascade/wiring.js';
import { GatewayBus } from './events.js';
import type { GbService } from './gb28181/service.js';
import { gbDeviceSide } from './gb28181/start.js';
import { healthModule } from './health/start.js';
import { cameraStreamsOf } from './cameraEncoding/cameraStreams.js';
import { cameraEncodingModule } from './cameraEncoding/start.js';
import { mediaModule, type MediaModule } from './media/start.js';
import { metricsModule } from './metrics/start.js';
import type { OutboxDispatcher } from './uplinks/province/outboxDispatcher.js';
import { overlayModule } from './overlay/start.js';
import type { ProvinceSession } from './uplinks/province/session.js';
import { provinceUplink } from './uplinks/province/start.js';
import { ptzModule } from './ptz/start.js';
import type { QualityService } from './quality/service.js';
import { qualityModule } from './quality/start.js';
import { simpleService, startServices, type ServiceHealth } from './service.js';
import type { SnapshotService } from './snapshots/service.js';
import { snapshotParts, snapshotsModule } from './snapshots/start.js';
import { publicBaseUrl } from './snapshots/urls.js';
import { startSummary } from './startSummary.js';

export interface Daemon {
  readonly db: Db;
  readonly apiUrl: string;
  readonly monitorUrl: string;
  readonly tlsFingerprint: string;
  /** One human line: listeners, cameras, province link (also the message of the start log line). */
  readonly summary: string;
  /** The services' names in start order. */
  readonly services: readonly string[];
  health(): Record<string, ServiceHealth>;
  readonly session: ProvinceSession;
  readonly dispatcher: OutboxDispatcher;
  readonly cameras: CameraService;
  readonly media: MediaModule;
  /** undefined when [snapshots] enabled = false. */
  readonly snapshots: SnapshotService | undefined;
  /** undefined when [quality] enabled = false. */
  readonly quality: QualityService | undefined;
  /** undefined when [gb28181] enabled = false. */
  readonly gb: GbService | undefined;
  stop(): Promise<void>;
}

const when = <T>(on: boolean, make: () => T): T | undefined => (on ? make() : undefined);

export async function startDaemon(config: Config, log: Logger): Promise<Daemon> {
  const db = openDb(config.gateway.data_dir);
  try {
    return await wire(config, db, log);
  } catch (err) {
    db.close();
    throw err;
  }
}

async function wire(config: Config, db: Db, log: Logger): Promise<Daemon> {
  const p = config.province;
  const events = new GatewayBus();
  const cameraStore = new CameraStore(db);
  const outbox = new OutboxStore(db);
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(p.token);

  const cameras = camerasModule({ db, cameras: cameraStore, outbox, configured: config.cameras, clockSyncIntervalS: config.health.clock_sync_interval_s, log });
  const gb = when(config.gb28181.enabled, () => gbDeviceSide({ config: config.gb28181, media: config.media, ptzPulseMs: config.ptz.pulse_ms, db, log: moduleLog(log, 'gb') }));
  const health = healthModule({ db, cameras: cameraStore, outbox, config: config.health, statusFullIntervalS: p.status_full_interval_s, stateOf: gb?.stateOf, log });
  const overlay = when(config.overlay.osd, () => overlayModule({ db, cameras: cameraStore, overlay: config.overlay, log }));
  const ptz = ptzModule({ db, cameras: cameraStore, config: config.ptz, gb, log });
  const media = mediaModule({ config, db, cameras: cameraStore, health: health.cameraHealth, events, sourceKinds: gb && [gb.sourceKind], log });
  const province = provinceUplink({ config, tokens, accepted: new ProvinceAcceptedStore(db), outbox, cameras: cameraStore, media, ptz: ptz.controller, stateOf: gb?.stateOf, events, log });
  const cascade = cascadeModule({ config, db, cameras: cameraStore, state: health.state, ptz: ptz.controller, media, log: moduleLog(log, 'cascade') });
  const ffmpeg = () => media.runtime?.ffmpeg;
  const cameraEncoding = cameraEncodingModule({ db, cameras: cameraStore, config: config.media, tools: media, events, log });
  const certificate = serverCertificate({ api: config.api, dataDir: config.gateway.data_dir, log });
  const snapLog = moduleLog(log, 'snapshots');
  const snapParts = snapshotParts({ config, db, log: snapLog, ffmpeg, frames: media.frames, baseUrl: () => publicBaseUrl(config.snapshots.public_base_url, api.listening) });
  const api = provinceApiListener(() => ({
    config,
    tokens,
    routes: province.routes,
    tls: certificate.tls,
    log: moduleLog(log, 'api'),
    snapshots: { files: snapParts.files, urls: snapParts.urls },
  }));
  const snapshots = when(config.snapshots.enabled, () => snapshotsModule(snapParts, { config, cameras: cameraStore, outbox, log: snapLog, events }));
  const quality = when(config.quality.enabled, () =>
    qualityModule({
      config: config.quality,
      snapshotIntervalMs: config.snapshots.interval_s * 1000,
      db,
      cameras: cameraStore,
      health: health.cameraHealth,
      outbox,
      burst: { frames: media.frames, streams: cameraStreamsOf(db, config.media.encoder), seconds: config.quality.burst_s, ffmpeg },
      snapshots: snapshots?.snapshots,
      events,
      log,
    }),
  );
  const monitor = monitorListener(() => ({ config, cameras: cameraStore, outbox, tls: certificate.tls, log: moduleLog(log, 'monitor') }));
  const metrics = when(config.metrics.enabled, () =>
    metricsModule({ config, db, cameras: cameraStore, cameraState: health.state, outbox, tokens, events, gb: gb && { store: new GbStore(db), pulls: () => gb.running?.pulls() ?? [] }, tls: () => certificate.tls, log: log.child({ mod: 'metrics' }) }),
  );

  // While it runs, `vcgw doctor` knows a daemon holds the token and makes no token call of its own.
  let leave: (() => void) | undefined;
  const presence = simpleService('presence', { start: () => void (leave = new DaemonPresence(db).claim()), stop: () => leave?.() });

  // Started in this order, stopped in reverse; undefined ones are off in the config.
  const running = await startServices(
    [presence, cameras, province.link, province.outbox, gb, health, overlay, ptz, media, cameraEncoding, province.pushes, cascade, certificate, api, snapshots, quality, monitor, metrics],
    log,
  );
  const summary = startSummary({
    version: VERSION,
    apiUrl: api.listening.url,
    monitorUrl: monitor.listening.url,
    cameras: cameraStore.all(),
    provinceUrl: p.base_url,
    backupLinks: p.backup_base_urls.length,
    token: tokens.current(),
  });
  // The fields stay for machines; the message is the line a person reads in journalctl.
  log.info({ event: 'started', api: api.listening.url, monitor: monitor.listening.url, fingerprint: certificate.tls.fingerprint256, cameras: cameraStore.count(), services: running.names }, summary);

  let stopping: Promise<void> | undefined;
  return {
    db,
    apiUrl: api.listening.url,
    monitorUrl: monitor.listening.url,
    tlsFingerprint: certificate.tls.fingerprint256,
    summary,
    services: running.names,
    health: running.health,
    session: province.session,
    dispatcher: province.dispatcher,
    cameras: cameras.registry,
    media,
    snapshots: snapshots?.snapshots,
    quality: quality?.quality,
    gb: gb?.running,
    stop: () => (stopping ??= running.stop().then(() => void db.close())),
  };
}
