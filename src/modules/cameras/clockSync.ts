// Issue 4 item 4: every ONVIF camera's clock follows the gateway's (hourly and at registration), and
// the drift found before each correction is kept, so a camera with a failing clock battery shows up.
import type { Logger } from '../../log.js';
import { connectOnvif, OnvifError } from '../../protocols/onvif/index.js';
import type { CameraClockStore } from '../../store/cameraClock.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import { CameraRounds } from './cameraRounds.js';

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

export class ClockSync {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly rounds: CameraRounds<ClockSyncResult>;

  constructor(private readonly o: ClockSyncOptions) {
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
    this.rounds = new CameraRounds({
      cameras: o.cameras,
      intervalMs: o.intervalMs,
      reconcileMs: o.reconcileMs,
      concurrency: o.concurrency,
      eligible: (c) => Boolean(c.access.onvifUrl),
      lastAttempt: (c) => o.clock.get(c.record.cameraNum)?.attemptedAt,
      run: (c) => this.attempt(c, c.access.onvifUrl!),
    });
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Every camera with an ONVIF address. */
  syncAll(): Promise<ClockSyncResult[]> {
    return this.rounds.runAll();
  }

  /** Cameras never synced, or changed since the last try. */
  reconcile(): Promise<ClockSyncResult[]> {
    return this.rounds.reconcile();
  }

  /** Sets one camera's clock and records the outcome; never throws. Undefined when it has no ONVIF address. */
  syncOne(cam: StoredCamera): Promise<ClockSyncResult> | undefined {
    return this.rounds.runOne(cam);
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
    if (this.rounds.isStopped) return result;
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
