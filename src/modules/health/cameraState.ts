import type { Logger } from '../../log.js';
import { ONLINE, type OnlineState } from '../../domain/online.js';
import type { CameraStore } from '../../store/cameras.js';
import { CameraStateStore, type CameraStateRow } from '../../store/cameraState.js';
import type { Db } from '../../store/db.js';
import type { OutboxStore } from '../../store/outbox.js';

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
  private writeFailing = false;
  private readonly states: CameraStateStore;
  /** Told of every change (the cascade's channel status NOTIFY). */
  private readonly listeners = new Set<(cameraNum: string, online: OnlineState) => void>();

  constructor(
    private readonly o: {
      db: Db;
      cameras: CameraStore;
      outbox: OutboxStore;
      fullIntervalMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {
    this.states = new CameraStateStore(o.db);
  }

  get(cameraNum: string): CameraStateRow | undefined {
    return this.states.get(cameraNum);
  }

  /**
   * Records a state; returns true when it was queued for the province (a change, or the first in
   * this run). When the database refuses (data disk full) nothing is recorded, so the next probe
   * of the same state tries again.
   */
  set(cameraNum: string, online: OnlineState, reason: string): boolean {
    const prev = this.get(cameraNum);
    if (prev && prev.online === online && this.reportedThisRun.has(cameraNum)) return false;
    const now = (this.o.now ?? Date.now)();
    const stored = this.write('camera state not stored', () => {
      this.states.put({ cameraNum, online, reason, changedAt: now });
      this.queue(cameraNum, online);
    });
    if (!stored) return false;
    this.reportedThisRun.add(cameraNum);
    this.o.log.info({ cameraNum, online, was: prev?.online, reason }, 'camera state changed');
    if (prev?.online !== online) for (const l of this.listeners) l(cameraNum, online);
    return true;
  }

  /** Calls `listener` on each change of a camera's state; returns the unsubscribe. */
  onChange(listener: (cameraNum: string, online: OnlineState) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Queues the state of every camera (unknown counts as offline until first probed). */
  reportAll(): void {
    const cameras = this.o.cameras.all();
    const queued = this.write('full status report not queued', () => {
      for (const cam of cameras) this.queue(cam.record.cameraNum, this.get(cam.record.cameraNum)?.online ?? ONLINE.offline);
    });
    if (queued) for (const cam of cameras) this.reportedThisRun.add(cam.record.cameraNum);
  }

  start(): void {
    this.timer = setInterval(() => this.reportAll(), this.o.fullIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs `writes` in one transaction; false (logged once until writes work again) when the database refuses. */
  private write(what: string, writes: () => void): boolean {
    try {
      this.o.db.transaction(writes)();
    } catch (err) {
      if (!this.writeFailing) this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, `${what}: kept to try again`);
      this.writeFailing = true;
      return false;
    }
    if (this.writeFailing) this.o.log.info('camera states are stored again');
    this.writeFailing = false;
    return true;
  }

  private queue(cameraNum: string, online: OnlineState): void {
    this.o.outbox.enqueue('camera.status', { cameraNum, online }, `camera.status:${cameraNum}`);
  }
}
