import type { Logger } from '../../log.js';
import { ONLINE, type OnlineState } from '../../protocols/province/messages.js';
import type { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';

export interface CameraStateRow {
  cameraNum: string;
  online: OnlineState;
  reason: string;
  changedAt: number;
}

/**
 * Each camera's online/offline/fault state (CONTRACT §3 ReportCameraStatus): a change is
 * stored and queued at once; a full report of every camera is queued every `fullIntervalMs`.
 * The first state decided for a camera in each run is queued even when it equals the stored
 * one: after a restart (power cut, upgrade) the province learns every camera's state at once,
 * not at the next full report (issue 15). Status rows coalesce per camera in the outbox.
 */
export class CameraStateTracker {
  private timer: NodeJS.Timeout | undefined;
  /** Cameras whose state was queued since this process started. */
  private readonly reportedThisRun = new Set<string>();

  constructor(
    private readonly o: {
      db: Db;
      cameras: CameraStore;
      outbox: OutboxStore;
      fullIntervalMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {}

  get(cameraNum: string): CameraStateRow | undefined {
    const row = this.o.db.prepare('SELECT * FROM camera_state WHERE camera_num = ?').get(cameraNum) as
      | { camera_num: string; online: OnlineState; reason: string; changed_at: number }
      | undefined;
    return row && { cameraNum: row.camera_num, online: row.online, reason: row.reason, changedAt: row.changed_at };
  }

  /** Records a state; returns true when it was queued for the province (a change, or the first in this run). */
  set(cameraNum: string, online: OnlineState, reason: string): boolean {
    const prev = this.get(cameraNum);
    if (prev && prev.online === online && this.reportedThisRun.has(cameraNum)) return false;
    const now = (this.o.now ?? Date.now)();
    this.o.db.transaction(() => {
      this.o.db
        .prepare(
          `INSERT INTO camera_state (camera_num, online, reason, changed_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (camera_num) DO UPDATE SET online = excluded.online, reason = excluded.reason, changed_at = excluded.changed_at`,
        )
        .run(cameraNum, online, reason, now);
      this.queue(cameraNum, online);
    })();
    this.o.log.info({ cameraNum, online, was: prev?.online, reason }, 'camera state changed');
    return true;
  }

  /** Queues the state of every camera (unknown counts as offline until first probed). */
  reportAll(): void {
    this.o.db.transaction(() => {
      for (const cam of this.o.cameras.all()) {
        this.queue(cam.record.cameraNum, this.get(cam.record.cameraNum)?.online ?? ONLINE.offline);
      }
    })();
  }

  start(): void {
    this.timer = setInterval(() => this.reportAll(), this.o.fullIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private queue(cameraNum: string, online: OnlineState): void {
    this.reportedThisRun.add(cameraNum);
    this.o.outbox.enqueue('camera.status', { cameraNum, online }, `camera.status:${cameraNum}`);
  }
}
