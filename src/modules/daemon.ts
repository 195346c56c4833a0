// Wiring of the gateway: config → store → province session → outbox → API. No logic of its own.
import fs from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { moduleLog } from '../log.js';
import { ProvinceClient } from '../protocols/province/client.js';
import { privateKeyHexFromPem, sm2Sign } from '../protocols/province/sm2.js';
import { CameraClockStore } from '../store/cameraClock.js';
import { CameraOsdStore } from '../store/cameraOsd.js';
import { CameraStore } from '../store/cameras.js';
import { openDb, type Db } from '../store/db.js';
import { OutboxStore } from '../store/outbox.js';
import { PtzHoldStore } from '../store/ptzHolds.js';
import { PtzLogStore } from '../store/ptzLog.js';
import { DaemonPresence } from '../store/daemonPresence.js';
import { ProvinceAcceptedStore } from '../store/provinceAccepted.js';
import { TokenStore } from '../store/tokens.js';
import { VERSION } from '../version.js';
import { startApiServer, type RunningServer } from './api/server.js';
import { startMonitorServer } from './api/monitor.js';
import { ensureServerTls } from './api/tls.js';
import { ClockSync } from './cameras/clockSync.js';
import { OsdWriter } from './overlay/osdWriter.js';
import { CameraService } from './cameras/service.js';
import { CameraStateTracker } from './health/cameraState.js';
import { CameraHealth } from './health/cameraHealth.js';
import { startOnlineChecks } from './health/onlineChecks.js';
import { ReachabilityMonitor } from './health/reachability.js';
import { startMedia, type RunningMedia } from './media/startMedia.js';
import { PushRegistry } from './media/pushRegistry.js';
import { OutboxDispatcher } from './outbox/dispatcher.js';
import { ProvinceSession } from './province/session.js';
import { provinceTls } from './province/tls.js';
import { startSummary } from './startSummary.js';
import { PtzService } from './ptz/controller.js';
import type { SnapshotService } from './snapshots/service.js';
import type { QualityService } from './quality/service.js';
import { qualityService } from './quality/start.js';
import { cameraStreamsOf } from './media/cameraStreams.js';
import { snapshotParts, snapshotService } from './snapshots/start.js';
import { publicBaseUrl } from './snapshots/urls.js';
import { OnvifPtzDriver } from './ptz/onvifDriver.js';
import { startMetrics } from './metrics/start.js';
import { startGbService, type GbService } from './gb28181/service.js';
import { GbPtzDriver } from './ptz/gbDriver.js';

export interface Daemon {
  readonly db: Db;
  readonly apiUrl: string;
  readonly monitorUrl: string;
  readonly tlsFingerprint: string;
  /** One human line: listeners, cameras, province link (also the message of the start log line). */
  readonly summary: string;
  readonly session: ProvinceSession;
  readonly dispatcher: OutboxDispatcher;
  readonly cameras: CameraService;
  readonly media: RunningMedia;
  /** undefined when [snapshots] enabled = false. */
  readonly snapshots: SnapshotService | undefined;
  /** undefined when [quality] enabled = false. */
  readonly quality: QualityService | undefined;
  /** undefined when [gb28181] enabled = false. */
  readonly gb: GbService | undefined;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

export function signingKey(config: Config): string {
  const p = config.province;
  if (p.sm2_private_key) return p.sm2_private_key.toLowerCase();
  return privateKeyHexFromPem(fs.readFileSync(p.sm2_private_key_file!, 'utf8'));
}

export async function startDaemon(config: Config, log: Logger): Promise<Daemon> {
  const db = openDb(config.gateway.data_dir);
  const stoppers: Array<() => Promise<void> | void> = [() => void db.close()];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s();
  };
  try {
    const cameraStore = new CameraStore(db);
    const outbox = new OutboxStore(db);
    const tokens = new TokenStore(db);
    tokens.seedFromConfig(config.province.token);
    const acceptedCalls = new ProvinceAcceptedStore(db);
    stoppers.push(new DaemonPresence(db).claim());

    const cameras = new CameraService({ db, cameras: cameraStore, outbox });
    const provisioned = cameras.provisionFromConfig(config.cameras);
    for (const orphan of provisioned.orphans) {
      log.warn({ camera: orphan.id }, 'camera was provisioned from the config but is no longer in it; remove it with `vcgw cameras rm`');
    }
    cameras.fullSync();

    const key = signingKey(config);
    const p = config.province;
    const client = new ProvinceClient({
      baseUrls: [p.base_url, ...p.backup_base_urls],
      deviceCode: config.gateway.device_code,
      user: p.user,
      appVersion: VERSION,
      tls: provinceTls(p),
      requestTimeoutMs: p.request_timeout_ms,
      primaryRetryMs: p.primary_retry_s * 1000,
      sign: (message) => sm2Sign(message, key, p.sign_format),
      onLinkChange: (url, reason) => log.warn({ url, reason }, 'province link changed'),
    });
    stoppers.push(() => client.close());
    let dispatcher: OutboxDispatcher | undefined;
    const session = new ProvinceSession({
      client,
      tokens,
      refreshMs: p.token_refresh_s * 1000,
      log: moduleLog(log, 'token'),
      onReachableAgain: () => dispatcher?.resume(),
      onAccepted: (path, token) => acceptedCalls.record(path, token),
    });
    session.start();
    stoppers.push(() => session.stop());

    dispatcher = new OutboxDispatcher({
      outbox,
      cameras: cameraStore,
      call: (path, body) => session.call(path, body),
      backoffS: config.outbox.backoff_s,
      batchMax: config.outbox.batch_max,
      probeMs: config.outbox.probe_s * 1000,
      analyseKey: p.analyse_key,
      orgId: p.org_id,
      log: moduleLog(log, 'outbox'),
    });
    dispatcher.start();
    stoppers.push(() => dispatcher.stop());
    const ptzLog = new PtzLogStore(db);
    const prune = () => {
      outbox.pruneDelivered(config.outbox.keep_delivered_days * DAY_MS);
      ptzLog.prune(config.ptz.keep_log_days * DAY_MS);
    };
    const pruner = setInterval(prune, DAY_MS / 24);
    pruner.unref();
    stoppers.push(() => clearInterval(pruner));

    // GB/T 28181 device side (issue 14): its own SIP listener; media and PTZ reach it through `gb`.
    const gb = config.gb28181.enabled ? await startGbService({ config: config.gb28181, db, log: moduleLog(log, 'gb') }) : undefined;
    if (gb) stoppers.push(() => gb.stop());
    const gbPtz = gb && new GbPtzDriver({ registrar: gb.registrar, pulseMs: config.ptz.pulse_ms, log: moduleLog(log, 'ptz') });
    if (gbPtz) stoppers.push(() => gbPtz.close());

    const state = new CameraStateTracker({
      db,
      cameras: cameraStore,
      outbox,
      fullIntervalMs: p.status_full_interval_s * 1000,
      log: moduleLog(log, 'state'),
      onQueued: () => dispatcher.kick(),
    });
    state.start();
    stoppers.push(() => state.stop());
    stoppers.push(startOnlineChecks({ db, log }));
    const health = new CameraHealth(state);
    const reach = new ReachabilityMonitor({
      cameras: cameraStore,
      health,
      intervalMs: config.health.probe_interval_s * 1000,
      timeoutMs: config.health.probe_timeout_ms,
      log: moduleLog(log, 'reach'),
      stateOf: gb?.stateOf,
    });
    reach.start();
    stoppers.push(() => reach.stop());
    const clockSync = new ClockSync({
      cameras: cameraStore,
      clock: new CameraClockStore(db),
      intervalMs: config.health.clock_sync_interval_s * 1000,
      log: moduleLog(log, 'clock'),
    });
    clockSync.start();
    stoppers.push(() => clockSync.stop());
    if (config.overlay.osd) {
      const osdWriter = new OsdWriter({ cameras: cameraStore, osd: new CameraOsdStore(db), overlay: config.overlay, log: moduleLog(log, 'osd') });
      osdWriter.start();
      stoppers.push(() => osdWriter.stop());
    }

    const ptzDriver = new OnvifPtzDriver({ pulseMs: config.ptz.pulse_ms, log: moduleLog(log, 'ptz') });
    stoppers.push(() => ptzDriver.close()); // no camera is left turning after a shutdown mid-pulse
    const ptz = new PtzService({
      cameras: cameraStore,
      ptzLog,
      holds: new PtzHoldStore(db),
      holdMs: config.ptz.hold_s * 1000,
      driverFor: (cam) => gbPtz?.driverFor(cam) ?? ptzDriver.driverFor(cam),
      log: moduleLog(log, 'ptz'),
    });
    const media: RunningMedia = await startMedia({ config, db, cameras: cameraStore, call: (path, body) => session.call(path, body), health, log, pullFactory: gb?.pullFactory(config.media) });
    stoppers.push(() => media.stop());
    const push = new PushRegistry(media.engine, config.media, log);
    media.engine.onGone = (cameraNum, videoType, reason) => push.forget(cameraNum, videoType, reason);
    stoppers.push(() => push.stopAll());

    const tls = await ensureServerTls(config.api, config.gateway.data_dir, log);
    const snapLog = moduleLog(log, 'snapshots');
    const ffmpegEngine = media.ffmpeg;
    const snapParts = snapshotParts({ config, db, log: snapLog, ffmpeg: media.runtime?.ffmpeg, pulls: ffmpegEngine && ((n, want) => ffmpegEngine.borrowPull(n, want)) });
    const api: RunningServer = await startApiServer({
      config,
      cameras: cameraStore,
      tokens,
      push,
      ptz,
      tls,
      stateOf: gb?.stateOf,
      log: moduleLog(log, 'api'),
      snapshots: { files: snapParts.files, urls: snapParts.urls },
    });
    stoppers.push(() => api.close());
    snapParts.urls.setBaseUrl(publicBaseUrl(config.snapshots.public_base_url, api));
    let snapshots: SnapshotService | undefined;
    let quality: QualityService | undefined;
    if (config.snapshots.enabled) {
      const service = snapshotService(snapParts, {
        config,
        cameras: cameraStore,
        outbox,
        log: snapLog,
        onQueued: () => dispatcher.kick(),
        onSnapshot: (cam, snap) => void quality?.onSnapshot(cam, snap),
      });
      service.start();
      stoppers.push(() => service.stop());
      snapshots = service;
    }
    if (config.quality.enabled) {
      quality = qualityService({
        config: config.quality,
        snapshotIntervalMs: config.snapshots.interval_s * 1000,
        db,
        cameras: cameraStore,
        health,
        outbox,
        burst: { engine: ffmpegEngine, streams: cameraStreamsOf(db, config.media.encoder), seconds: config.quality.burst_s, ffmpeg: media.runtime?.ffmpeg },
        snapshots,
        log,
        onQueued: () => dispatcher.kick(),
      });
      quality.start();
      const q = quality;
      stoppers.push(() => q.stop());
    }
    const monitor: RunningServer = await startMonitorServer({ config, cameras: cameraStore, outbox, tls, log: moduleLog(log, 'monitor'), onQueued: () => dispatcher.kick() });
    stoppers.push(() => monitor.close());
    if (config.metrics.enabled) {
      const metrics = await startMetrics({ config, db, cameras: cameraStore, cameraState: state, outbox, tokens, engine: media.ffmpeg, tls, log: log.child({ mod: 'metrics' }) });
      stoppers.push(() => metrics.close());
    }
    const summary = startSummary({
      version: VERSION,
      apiUrl: api.url,
      monitorUrl: monitor.url,
      cameras: cameraStore.all(),
      provinceUrl: p.base_url,
      backupLinks: p.backup_base_urls.length,
      token: tokens.current(),
    });
    // The fields stay for machines; the message is the line a person reads in journalctl.
    log.info({ event: 'started', api: api.url, monitor: monitor.url, fingerprint: tls.fingerprint256, cameras: cameraStore.count() }, summary);

    return {
      db,
      apiUrl: api.url,
      monitorUrl: monitor.url,
      tlsFingerprint: tls.fingerprint256,
      summary,
      session,
      dispatcher,
      cameras,
      media,
      snapshots,
      quality,
      gb,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
