// Issue 4 item 4: every ONVIF camera's clock follows the gateway's (hourly and at registration), and
// the drift found before each correction is kept, so a camera with a failing clock battery shows up.
import type { Logger } from '../../log.js';
import { connectOnvif, OnvifError } from '../../protocols/onvif/index.js';
import type { CameraClockStore } from '../../store/cameraClock.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';

/** Beijing time in the POSIX form ONVIF cameras take (TZ names the zone, -8 = 8 h east of UTC). */
export const BEIJING_TZ = 'CST-8';

export interface ClockSyncOptions {
  cameras: CameraStore;
  clock: CameraClockStore;
  intervalMs: number;
  /** How often the registry is checked for cameras not synced yet (new or re-addressed); default 30 s. */
  reconcileMs?: number;
  /** Per ONVIF call; default 5000 ms. */
  timeoutMs?: number;
  /** Cameras synced at once; default 8 (bounded so an hourly round does not open 200 sockets at once). */
  concurrency?: number;
  log: Logger;
  now?: () => number;
}

export type ClockSyncResult = { cameraNum: string; ok: true; driftMs: number } | { cameraNum: string; ok: false; error: string };

/** Grace given to in-flight syncs at stop; a blackholed camera must not hold up a daemon shutdown. */
const STOP_GRACE_MS = 2000;

export class ClockSync {
  private readonly reconcileMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private round: Promise<ClockSyncResult[]> | undefined;
  private reconciling: Promise<ClockSyncResult[]> | undefined;
  /** cameraNum → its sync in progress: a round and a reconcile never sync one camera twice at once. */
  private readonly inFlight = new Map<string, Promise<ClockSyncResult>>();
  private stopped = false;

  constructor(private readonly o: ClockSyncOptions) {
    this.reconcileMs = o.reconcileMs ?? 30_000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.concurrency = o.concurrency ?? 8;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    void this.syncAll();
    const every = setInterval(() => void this.syncAll(), this.o.intervalMs);
    const reconcile = setInterval(() => void this.reconcile(), this.reconcileMs);
    every.unref();
    reconcile.unref();
    this.timers = [every, reconcile];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
  }

  /** Every camera with an ONVIF address; overlapping rounds are joined, not queued. */
  syncAll(): Promise<ClockSyncResult[]> {
    this.round ??= this.syncMany(this.o.cameras.all()).finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /**
   * Cameras never tried, or changed since the last try (a new ONVIF address or password):
   * "at registration" without the registry having to call us.
   */
  reconcile(): Promise<ClockSyncResult[]> {
    this.reconciling ??= Promise.resolve()
      .then(() => {
        const due = this.o.cameras.all().filter((c) => {
          const last = this.o.clock.get(c.record.cameraNum);
          return last === undefined || last.attemptedAt < c.updatedAt;
        });
        return this.syncMany(due);
      })
      .finally(() => {
        this.reconciling = undefined;
      });
    return this.reconciling;
  }

  /** Sets one camera's clock and records the outcome; never throws. Undefined when it has no ONVIF address. */
  syncOne(cam: StoredCamera): Promise<ClockSyncResult> | undefined {
    if (!cam.access.onvifUrl) return undefined;
    const num = cam.record.cameraNum;
    const running = this.inFlight.get(num);
    if (running) return running;
    const p = this.attempt(cam, cam.access.onvifUrl).finally(() => this.inFlight.delete(num));
    this.inFlight.set(num, p);
    return p;
  }

  private async syncMany(cams: readonly StoredCamera[]): Promise<ClockSyncResult[]> {
    const queue = cams.filter((c) => c.access.onvifUrl);
    const results: ClockSyncResult[] = [];
    const worker = async (): Promise<void> => {
      for (let cam = queue.shift(); cam && !this.stopped; cam = queue.shift()) {
        const r = await this.syncOne(cam);
        if (r) results.push(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return results;
  }

  private async attempt(cam: StoredCamera, url: string): Promise<ClockSyncResult> {
    const cameraNum = cam.record.cameraNum;
    const log = this.o.log.child({ camera: cam.id });
    let result: ClockSyncResult;
    try {
      const dev = await connectOnvif({ url, user: cam.access.onvifUser ?? '', password: cam.access.onvifPassword ?? '', timeoutMs: this.timeoutMs });
      const { driftBeforeMs } = await dev.setClock(this.now(), BEIJING_TZ);
      result = { cameraNum, ok: true, driftMs: driftBeforeMs };
    } catch (err) {
      result = { cameraNum, ok: false, error: errorText(err) };
    }
    // After stop the database may be closed; the next start syncs the camera again anyway.
    if (this.stopped) return result;
    try {
      const at = this.now();
      if (result.ok) {
        this.o.clock.record(cameraNum, { at, driftMs: result.driftMs });
        log.info({ driftMs: Math.round(result.driftMs) }, 'camera clock set');
      } else {
        this.o.clock.recordError(cameraNum, at, result.error);
        log.warn({ err: result.error }, 'camera clock sync failed');
      }
    } catch (err) {
      log.error({ err: String(err) }, 'storing the camera clock sync failed');
    }
    return result;
  }
}

function errorText(err: unknown): string {
  if (err instanceof OnvifError) return `${err.message} (${err.kind})`;
  return err instanceof Error ? err.message : String(err);
}
