// Wiring of the image-quality diagnosis for the daemon: where its frames come from (a running pull
// of the camera's cheapest stream, else a short pull of it) and its snapshots.
import type { QualityConfig } from '../../config/schema/quality.js';
import type { Logger } from '../../log.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import { CameraQualityStore } from '../../store/cameraQuality.js';
import { CameraQualityReferenceStore } from '../../store/cameraQualityReference.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';
import { PtzLogStore } from '../../store/ptzLog.js';
import type { Snapshot } from '../../store/snapshots.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { CameraStreams } from '../cameraEncoding/cameraStreams.js';
import type { FrameProvider } from '../media/engine.js';
import { framesFromStream, jpegToFrame, readFrames, type FrameBurst } from './frames.js';
import { NotJudgedError, QualityService, type QualityServiceOptions } from './service.js';
import { simpleService, type Service } from '../service.js';

/** Frames a second at which bursts are read: a camera's own rate, so flicker is seen as it is. */
const BURST_FPS = 25;

export interface BurstDeps {
  /** The daemon's camera streams; undefined in the CLI (a short pull of its own then). */
  frames?: FrameProvider;
  streams: Pick<CameraStreams, 'selection' | 'urlOf'>;
  seconds: number;
  /** FFmpeg binary, read at each burst (the daemon finds it when media starts). */
  ffmpeg?: string | (() => string | undefined);
}

const ffmpegOf = (d: Pick<BurstDeps, 'ffmpeg'>) => (typeof d.ffmpeg === 'function' ? d.ffmpeg() : d.ffmpeg);

/**
 * A burst from the camera's pull already running (its GOP cache starts it on a keyframe: no new
 * camera connection), preferring the smallest stream; else from the shared pull of the stream
 * the 128 kbps output uses (the cheapest to decode), started for it and left to the engine's
 * linger, so a push starting meanwhile joins it. Without the engine (CLI), a short pull of its own.
 */
export async function readBurst(cam: StoredCamera, d: BurstDeps): Promise<FrameBurst> {
  const opts = { maxFrames: Math.round(d.seconds * BURST_FPS), seconds: d.seconds, timeoutMs: d.seconds * 1000 + 10_000, ffmpegPath: ffmpegOf(d) };
  const stream = d.streams.selection(cam)?.low.stream;
  const lease = d.frames?.frames(cam.record.cameraNum, { prefer: 'smallest', orStart: stream });
  if (lease) {
    try {
      await lease.whenReady(opts.timeoutMs);
      const reader = framesFromStream(opts);
      const unsubscribe = lease.attach(reader.sink);
      try {
        return await reader.burst;
      } finally {
        unsubscribe();
      }
    } finally {
      lease.release();
    }
  }
  const url = stream && d.streams.urlOf(cam, stream);
  if (!url) throw new NotJudgedError('no stream known yet (no RTSP URL, ONVIF stream URIs not read yet)');
  return readFrames(url, opts);
}

export interface SnapshotsForQuality {
  latest(cameraNum: string): Snapshot | undefined;
  takeNow(cameraNum: string): Promise<Snapshot>;
  urlFor(s: Pick<Snapshot, 'path'>): string;
  fileOf(s: Pick<Snapshot, 'path'>): string;
}

export function qualityService(o: {
  config: QualityConfig;
  snapshotIntervalMs: number;
  db: Db;
  cameras: CameraStore;
  health: CameraHealth;
  outbox: OutboxStore;
  burst: BurstDeps;
  /** undefined when snapshots are off: anomalies are then reported without an image. */
  snapshots: SnapshotsForQuality | undefined;
  log: Logger;
  /** Scheduled snapshots are judged as they are announced (snapshotTaken). */
  events?: QualityServiceOptions['events'];
}): QualityService {
  const snaps = o.snapshots;
  const ptzLog = new PtzLogStore(o.db);
  return new QualityService({
    cameras: o.cameras,
    health: o.health,
    store: new CameraQualityStore(o.db),
    references: new CameraQualityReferenceStore(o.db),
    lastMoveAt: (n) => ptzLog.lastMoveAt(n),
    outbox: o.outbox,
    burst: (cam) => readBurst(cam, o.burst),
    snapshots: {
      latest: (n) => snaps?.latest(n),
      takeNow: (n) => (snaps ? snaps.takeNow(n) : Promise.reject(new Error('snapshots are off'))),
      urlFor: (s) => snaps!.urlFor(s),
      frameOf: (s) => jpegToFrame(snaps!.fileOf(s), { ffmpegPath: ffmpegOf(o.burst) }),
    },
    intervalMs: o.config.interval_s * 1000,
    statusWidth: o.config.status_width,
    snapshotMaxAgeMs: o.snapshotIntervalMs,
    log: o.log,
    events: o.events,
  });
}

export interface QualityModule extends Service {
  readonly quality: QualityService;
}

/** The image-quality diagnosis as a daemon service (when [quality] enabled). */
export function qualityModule(o: Parameters<typeof qualityService>[0]): QualityModule {
  const quality = qualityService(o);
  return Object.assign(simpleService('quality', { start: () => quality.start(), stop: () => quality.stop() }), { quality });
}
