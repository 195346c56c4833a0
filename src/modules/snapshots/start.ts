// Wiring of snapshots for the daemon and the CLI: config → files, guard, URLs, capture, service.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';
import { SnapshotStore } from '../../store/snapshots.js';
import { cameraStreamsOf } from '../cameraEncoding/cameraStreams.js';
import { SnapshotCapture, type CaptureOptions } from './capture.js';
import { DiskGuard, type StatFs } from './diskGuard.js';
import { snapshotDirOf, SnapshotFiles } from './files.js';
import { SnapshotService, type SnapshotServiceOptions, type Timers } from './service.js';
import { snapshotUrlKey, SnapshotUrls } from './urls.js';
import { simpleService, type Service } from '../service.js';

export interface SnapshotParts {
  files: SnapshotFiles;
  guard: DiskGuard;
  urls: SnapshotUrls;
  capture: SnapshotCapture;
}

export function snapshotParts(o: {
  config: Config;
  db: Db;
  log: Logger;
  ffmpeg?: CaptureOptions['ffmpeg'];
  frames?: CaptureOptions['frames'];
  /** Base of signed URLs; the daemon's reads the API's address, known once it listens. */
  baseUrl?: string | (() => string);
  statfs?: StatFs;
  now?: () => number;
}): SnapshotParts {
  const c = o.config.snapshots;
  const files = new SnapshotFiles(snapshotDirOf(o.config), new SnapshotStore(o.db));
  const guard = new DiskGuard({ files, maxPercent: c.max_disk_percent, minFreeMb: c.min_free_mb, statfs: o.statfs, log: o.log });
  const urls = new SnapshotUrls({ key: snapshotUrlKey(o.db), baseUrl: o.baseUrl ?? c.public_base_url ?? 'https://127.0.0.1', ttlS: c.url_ttl_s, now: o.now });
  const capture = new SnapshotCapture({
    ffmpeg: o.ffmpeg,
    frames: o.frames,
    streams: cameraStreamsOf(o.db, o.config.media.encoder),
    rtspTransport: o.config.media.rtsp_transport,
    timeoutMs: c.timeout_s * 1000,
    jpegQuality: c.jpeg_quality,
    log: o.log,
  });
  return { files, guard, urls, capture };
}

export function snapshotService(
  parts: Pick<SnapshotParts, 'files' | 'guard' | 'urls'> & { capture: Pick<SnapshotCapture, 'capture'> },
  o: { config: Config; cameras: CameraStore; outbox: OutboxStore; log: Logger; events?: SnapshotServiceOptions['events']; now?: () => number; timers?: Timers },
): SnapshotService {
  const c = o.config.snapshots;
  return new SnapshotService({
    cameras: o.cameras,
    files: parts.files,
    guard: parts.guard,
    urls: parts.urls,
    outbox: o.outbox,
    capture: (cam) => parts.capture.capture(cam),
    intervalMs: c.interval_s * 1000,
    keepDays: c.keep_days,
    concurrency: c.concurrency,
    log: o.log,
    events: o.events,
    now: o.now,
    timers: o.timers,
  });
}

export interface SnapshotsModule extends Service {
  readonly snapshots: SnapshotService;
}

/** Scheduled snapshots as a daemon service (when [snapshots] enabled). */
export function snapshotsModule(parts: Parameters<typeof snapshotService>[0], o: Parameters<typeof snapshotService>[1]): SnapshotsModule {
  const snapshots = snapshotService(parts, o);
  return Object.assign(simpleService('snapshots', { start: () => snapshots.start(), stop: () => snapshots.stop() }), { snapshots });
}
