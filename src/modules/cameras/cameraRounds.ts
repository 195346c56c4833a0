// A job run on every camera periodically and on new or changed cameras soon after: the shape of
// clock sync, ONVIF upkeep and OSD writing. Rounds are bounded in concurrency (an hourly round
// must not open 200 sockets at once), one camera is never worked on twice at the same time, and
// stop() does not wait for a blackholed camera longer than a short grace.
import type { CameraStore, StoredCamera } from '../../store/cameras.js';

export interface CameraRoundsOptions<R> {
  cameras: Pick<CameraStore, 'all'>;
  /** A round over every camera this often; undefined = only the round at start. */
  intervalMs?: number;
  /** How often the registry is checked for cameras never tried or changed since their last try; default 30 s. */
  reconcileMs?: number;
  /** Cameras worked on at once; default 8. */
  concurrency?: number;
  /** Cameras the job applies to. */
  eligible: (cam: StoredCamera) => boolean;
  /** When the job last ran on the camera; undefined = never. */
  lastAttempt: (cam: StoredCamera) => number | undefined;
  /** Due at a reconcile although tried since its last change (e.g. a failure to retry). */
  dueAgain?: (cam: StoredCamera) => boolean;
  /** The job; must not throw (a failure is a result). */
  run: (cam: StoredCamera) => Promise<R>;
  /** After each round over every camera (at start and every intervalMs), with its results. */
  onRound?: (results: R[]) => void;
}

/** Grace given to in-flight jobs at stop. */
const STOP_GRACE_MS = 2000;

export class CameraRounds<R> {
  private timers: NodeJS.Timeout[] = [];
  private round: Promise<R[]> | undefined;
  private reconciling: Promise<R[]> | undefined;
  private readonly inFlight = new Map<string, Promise<R>>();
  private stopped = false;

  constructor(private readonly o: CameraRoundsOptions<R>) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.stopped = false;
    void this.runAll();
    const reconcile = setInterval(() => void this.reconcile(), this.o.reconcileMs ?? 30_000);
    reconcile.unref();
    this.timers = [reconcile];
    if (this.o.intervalMs !== undefined) {
      const every = setInterval(() => void this.runAll(), this.o.intervalMs);
      every.unref();
      this.timers.push(every);
    }
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

  /** Every eligible camera; overlapping rounds are joined, not queued. */
  runAll(): Promise<R[]> {
    this.round ??= this.runMany(this.o.cameras.all())
      .then((results) => {
        if (!this.stopped) this.o.onRound?.(results);
        return results;
      })
      .finally(() => {
        this.round = undefined;
      });
    return this.round;
  }

  /** Cameras never tried, or changed since (a new address or password): "at registration" without the registry calling us. */
  reconcile(): Promise<R[]> {
    this.reconciling ??= Promise.resolve()
      .then(() =>
        this.runMany(
          this.o.cameras.all().filter((c) => {
            const last = this.o.lastAttempt(c);
            return last === undefined || last < c.updatedAt || (this.o.dueAgain?.(c) ?? false);
          }),
        ),
      )
      .finally(() => {
        this.reconciling = undefined;
      });
    return this.reconciling;
  }

  /** Runs the job on one camera now (joining a run in progress); undefined when the job does not apply. */
  runOne(cam: StoredCamera): Promise<R> | undefined {
    if (!this.o.eligible(cam)) return undefined;
    const num = cam.record.cameraNum;
    const running = this.inFlight.get(num);
    if (running) return running;
    const p = this.o.run(cam).finally(() => this.inFlight.delete(num));
    this.inFlight.set(num, p);
    return p;
  }

  private async runMany(cams: readonly StoredCamera[]): Promise<R[]> {
    const queue = cams.filter((c) => this.o.eligible(c));
    const results: R[] = [];
    const worker = async (): Promise<void> => {
      for (let cam = queue.shift(); cam && !this.stopped; cam = queue.shift()) {
        const r = await this.runOne(cam);
        if (r !== undefined) results.push(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 8, queue.length) }, worker));
    return results;
  }
}
