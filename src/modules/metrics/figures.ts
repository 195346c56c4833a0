// The gateway's operations figures in Prometheus form. Every gauge is read at scrape time from
// the stores the daemon already keeps (media_status, camera_state, outbox, tokens, snapshots,
// camera_quality, camera_clock): nothing here holds state of its own except the first-frame
// histogram, which can only be observed as frames arrive.
import fs from 'node:fs';
import client from 'prom-client';
import type { CameraStore } from '../../store/cameras.js';
import type { CameraClockStore } from '../../store/cameraClock.js';
import type { CameraQualityStore } from '../../store/cameraQuality.js';
import type { MediaStatusStore } from '../../store/mediaStatus.js';
import type { OutboxStore } from '../../store/outbox.js';
import type { SnapshotStore } from '../../store/snapshots.js';
import type { TokenStore } from '../../store/tokens.js';
import type { CameraStateRow } from '../../store/cameraState.js';
import { registerGbFigures, type GbFigureSource } from './gbFigures.js';
import { scrapedGauge } from './scrapedGauge.js';

export interface FigureSources {
  version: string;
  cameras: CameraStore;
  /** The camera's reported state (0 offline, 1 online, 2 fault). */
  cameraState: { get(cameraNum: string): CameraStateRow | undefined };
  media: MediaStatusStore;
  outbox: OutboxStore;
  tokens: TokenStore;
  tokenRefreshS: number;
  snapshots?: SnapshotStore;
  quality?: CameraQualityStore;
  clock: CameraClockStore;
  /** Filesystems to report, by what they hold (data, snapshots). */
  disks: Record<string, string>;
  /** GB/T 28181 devices and pulls, when [gb28181] is on. */
  gb?: GbFigureSource;
  now?: () => number;
}

export interface Figures {
  registry: client.Registry;
  /** Called by the media engine when a push delivers its first frame. */
  firstFrame(role: 'constant' | 'ondemand', ms: number): void;
}

/** Seconds from 0.5 s to 2 min: a constant push should start in a few seconds (CONTRACT §1). */
const FIRST_FRAME_BUCKETS = [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120];

export function createFigures(src: FigureSources): Figures {
  const registry = new client.Registry();
  const now = src.now ?? Date.now;
  const seconds = (ms: number) => ms / 1000;
  const cameraLabels = () =>
    src.cameras.all().map((c) => ({ num: c.record.cameraNum, labels: { camera: c.id, camera_num: c.record.cameraNum } }));
  const byNum = () => new Map(src.cameras.all().map((c) => [c.record.cameraNum, c.id]));

  client.collectDefaultMetrics({ register: registry, prefix: 'vcgw_' });

  const gauge = scrapedGauge(registry);

  gauge('vcgw_build_info', 'Version of the running gateway', ['version'], (g) => g.set({ version: src.version }, 1));

  gauge('vcgw_camera_online', 'Camera state as reported to the province: 1 online, 0 offline, 2 fault (no state yet: absent)', ['camera', 'camera_num'], (g) => {
    for (const c of cameraLabels()) {
      const st = src.cameraState.get(c.num);
      if (st) g.set(c.labels, st.online);
    }
  });

  // Pipelines (source pulls, constant and on-demand pushes) from the status the media engine publishes.
  const pipelineLabels = ['camera', 'camera_num', 'role', 'pipeline'] as const;
  const pipelines = (g: client.Gauge<string>, value: (r: ReturnType<MediaStatusStore['all']>[number]) => number | null) => {
    const ids = byNum();
    for (const r of src.media.all()) {
      const v = value(r);
      if (v !== null) g.set({ camera: ids.get(r.cameraNum) ?? '', camera_num: r.cameraNum, role: r.role, pipeline: r.key }, v);
    }
  };
  gauge('vcgw_pipeline_up', '1 while the pipeline runs (a push delivers, a pull reads), 0 while it starts or retries', pipelineLabels, (g) =>
    pipelines(g, (r) => (r.state === 'running' ? 1 : 0)),
  );
  gauge('vcgw_pipeline_fps', 'Frames per second out of the pipeline', pipelineLabels, (g) => pipelines(g, (r) => r.fps));
  gauge('vcgw_pipeline_bitrate_bps', 'Bit rate out of the pipeline, bit/s', pipelineLabels, (g) => pipelines(g, (r) => (r.kbps === null ? null : r.kbps * 1000)));
  gauge('vcgw_pipeline_restarts', 'FFmpeg restarts of the pipeline since it was set up (goes back to 0 when it is set up again)', pipelineLabels, (g) =>
    pipelines(g, (r) => r.restarts),
  );

  const firstFrames = new client.Histogram({
    name: 'vcgw_push_first_frame_seconds',
    help: 'Time from starting a push to its first frame at the RTMP server',
    labelNames: ['role'],
    buckets: FIRST_FRAME_BUCKETS,
    registers: [registry],
  });

  gauge('vcgw_outbox_pending', 'Reports waiting for the province', [], (g) => g.set(src.outbox.counts().pending));
  gauge('vcgw_outbox_failing', 'Pending reports the province refused or did not answer at least once', [], (g) => g.set(src.outbox.counts().failing));
  gauge('vcgw_outbox_oldest_pending_age_seconds', 'Age of the oldest undelivered report (0 when none)', [], (g) => {
    const at = src.outbox.oldestPendingAt();
    g.set(at === undefined ? 0 : seconds(now() - at));
  });

  gauge('vcgw_token_age_seconds', 'Age of the token in use (since the province issued it, or since it was configured)', [], (g) => {
    const t = src.tokens.current();
    if (t) g.set(seconds(now() - (t.confirmedAt ?? t.obtainedAt)));
  });
  gauge('vcgw_token_refresh_period_seconds', 'Configured token rotation period (province.token_refresh_s)', [], (g) => g.set(src.tokenRefreshS));

  const perCamera = (name: string, help: string, value: (num: string) => number | undefined) =>
    gauge(name, help, ['camera', 'camera_num'], (g) => {
      for (const c of cameraLabels()) {
        const v = value(c.num);
        if (v !== undefined) g.set(c.labels, v);
      }
    });
  const { snapshots, quality } = src;
  if (snapshots) {
    perCamera('vcgw_snapshot_age_seconds', 'Age of the newest snapshot of the camera', (num) => {
      const s = snapshots.latest(num);
      return s && seconds(now() - s.takenAt);
    });
  }
  if (quality) {
    perCamera('vcgw_quality_age_seconds', 'Age of the newest image-quality diagnosis of the camera', (num) => {
      const q = quality.get(num);
      return q && seconds(now() - q.checkedAt);
    });
  }
  perCamera('vcgw_camera_clock_drift_seconds', 'Camera clock minus gateway clock before the last sync (positive: camera ahead)', (num) => {
    const c = src.clock.get(num);
    return c?.driftMs == null ? undefined : seconds(c.driftMs);
  });

  const disk = (name: string, help: string, value: (s: fs.StatsFs) => number) =>
    gauge(name, help, ['holds', 'path'], (g) => {
      for (const [holds, path] of Object.entries(src.disks)) {
        try {
          g.set({ holds, path }, value(fs.statfsSync(path)));
        } catch {
          // not there (yet): no figure rather than a wrong one
        }
      }
    });
  if (src.gb) registerGbFigures(registry, src.gb, now);

  disk('vcgw_disk_free_bytes', 'Bytes available to the gateway on the filesystem', (s) => s.bavail * s.bsize);
  disk('vcgw_disk_size_bytes', 'Size of the filesystem', (s) => s.blocks * s.bsize);

  return {
    registry,
    firstFrame: (role, ms) => firstFrames.observe({ role }, seconds(ms)),
  };
}
