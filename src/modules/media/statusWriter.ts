import type { Logger } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { MediaStatusStore } from '../../store/mediaStatus.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { FfmpegMediaEngine } from './ffmpegEngine.js';

/** Failed pulls in a row before a reachable camera counts as faulty (one may be a hiccup). */
export const FAULT_AFTER_FAILED_PULLS = 2;

/**
 * Publishes the engine's pipelines to the database for `vcgw status` and turns pulls that
 * keep failing into a camera fault (online = 2, fault, in CONTRACT §3's ReportCameraStatus; the project reads a reachable camera without video as a fault).
 */
export class MediaStatusWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      engine: FfmpegMediaEngine;
      cameras: CameraStore;
      store: MediaStatusStore;
      health: CameraHealth;
      intervalMs: number;
      log: Logger;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.o.store.replaceAll([]);
  }

  tick(): void {
    try {
      this.o.store.replaceAll(this.o.engine.statusRows());
      for (const cam of this.o.cameras.all()) {
        const num = cam.record.cameraNum;
        const { failures, error } = this.o.engine.failedStarts(num);
        this.o.health.setMediaFault(num, failures >= FAULT_AFTER_FAILED_PULLS ? (error ?? `${failures} pulls without video`) : undefined);
      }
    } catch (err) {
      this.o.log.error({ err: String(err) }, 'media status update failed');
    }
  }
}
