import type { Logger } from '../../log.js';
import { ONLINE } from '../../protocols/province/messages.js';
import type { CameraStore } from '../../store/cameras.js';
import type { CameraStateTracker } from './cameraState.js';
import { probeCameras } from './netcheck.js';

/**
 * Probes every camera on a schedule and feeds online/offline into the state tracker. Until the
 * media engine reports pipeline faults this reachability is the whole of a camera's state.
 */
export class ReachabilityMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly o: {
      cameras: CameraStore;
      state: CameraStateTracker;
      intervalMs: number;
      timeoutMs: number;
      log: Logger;
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
      const results = await probeCameras(cams, this.o.timeoutMs);
      for (const r of results) {
        this.o.state.set(r.cameraNum, r.status === 1 ? ONLINE.online : ONLINE.offline, r.status === 1 ? 'reachable' : 'no TCP answer');
      }
    } catch (err) {
      this.o.log.error({ err: String(err) }, 'reachability round failed');
    }
  }
}
