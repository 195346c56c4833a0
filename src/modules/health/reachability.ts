import type { Logger } from '../../log.js';
import type { CameraStore } from '../../store/cameras.js';
import type { CameraHealth } from './cameraHealth.js';
import { probeCameras, type StateProbe } from './netcheck.js';

/** Probes every camera on a schedule and tells CameraHealth which answer. */
export class ReachabilityMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly o: {
      cameras: CameraStore;
      health: CameraHealth;
      intervalMs: number;
      timeoutMs: number;
      log: Logger;
      /** Cameras whose state is known without a probe (GB/T 28181). */
      stateOf?: StateProbe;
    },
  ) {}

  start(): void {
    void this.probeNow();
    this.timer = setInterval(() => void this.probeNow(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round over every camera; overlapping rounds are skipped, not queued. */
  probeNow(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      const cams = this.o.cameras.all();
      const results = await probeCameras(cams, this.o.timeoutMs, undefined, this.o.stateOf);
      for (const r of results) {
        this.o.health.setReachable(r.cameraNum, r.status === 1, r.reason);
      }
    } catch (err) {
      this.o.log.error({ err: String(err) }, 'reachability round failed');
    }
  }
}
