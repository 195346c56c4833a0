// The snapshot round (seed 003 §6.4, CONTRACT §7): every camera every interval, each at a fixed
// offset inside the interval (a hash of its cameraNum) so 200 cameras do not fire at once, a few
// at a time; after each round one ReportSnapshot of the round's snapshots goes to the outbox.
// Retention (keep_days) and the disk guard run before each write and hourly.
import crypto from 'node:crypto';
import type { Logger } from '../../log.js';
import type { SnapshotItem } from '../../protocols/province/reports.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { OutboxStore } from '../../store/outbox.js';
import type { Snapshot } from '../../store/snapshots.js';
import type { DiskGuard } from './diskGuard.js';
import { beijingStamp, type CapturedJpeg, type SnapshotFiles } from './files.js';
import type { SnapshotUrls } from './urls.js';
import type { GatewayBus } from '../events.js';

const DAY_MS = 86_400_000;
const MAINTENANCE_MS = 3_600_000;

/** setTimeout/clearTimeout, injectable so tests run on a fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SnapshotServiceOptions {
  cameras: Pick<CameraStore, 'all' | 'find'>;
  files: SnapshotFiles;
  guard: Pick<DiskGuard, 'ensureRoom'>;
  urls: Pick<SnapshotUrls, 'urlFor'>;
  outbox: Pick<OutboxStore, 'enqueueAll'>;
  capture: (cam: StoredCamera) => Promise<CapturedJpeg>;
  intervalMs: number;
  keepDays: number;
  concurrency: number;
  log: Logger;
  /** Each scheduled snapshot once stored is announced as `snapshotTaken` (the image-quality check of the picture). */
  events?: Pick<GatewayBus, 'emit'>;
  now?: () => number;
  timers?: Timers;
}

export class NoRoomError extends Error {
  constructor(usedPercent: number, freeMb: number) {
    super(`no room for snapshots: disk ${Math.round(usedPercent)} % used, ${Math.round(freeMb)} MB free, and no snapshot left to remove`);
    this.name = 'NoRoomError';
  }
}

interface Job {
  cameraNum: string;
  round: number;
}

interface Round {
  items: SnapshotItem[];
  pending: number;
}

export class SnapshotService {
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly next = new Map<string, number>();
  private readonly queue: Job[] = [];
  private readonly busy = new Set<string>();
  private readonly rounds = new Map<number, Round>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failing = new Map<string, string>();
  private timer: unknown;
  private maintenanceTimer: unknown;
  private stopped = true;
  private reportFailing = false;
  private maintaining: Promise<void> | undefined;

  constructor(private readonly o: SnapshotServiceOptions) {
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? realTimers;
  }

  /** Fixed offset of a camera inside the interval, ms: the same at every start, spread evenly over cameras. */
  offsetOf(cameraNum: string): number {
    return crypto.createHash('sha256').update(cameraNum).digest().readUInt32BE(0) % this.o.intervalMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
    void this.maintain();
    const tick = () => {
      this.maintenanceTimer = this.timers.setTimeout(() => {
        void this.maintain().finally(() => {
          if (!this.stopped) tick();
        });
      }, MAINTENANCE_MS);
    };
    tick();
  }

  /** Waits for captures under way; a round cut short is reported with what it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.maintenanceTimer);
    await Promise.all([...this.inFlight, this.maintaining]);
    for (const [id, r] of this.rounds) {
      this.rounds.delete(id);
      this.report(r.items);
    }
  }

  /** Takes a snapshot of `camera` (id or cameraNum) now, outside the rounds; it is kept like the others but not reported. */
  async takeNow(camera: string): Promise<Snapshot> {
    const cam = this.o.cameras.find(camera);
    if (!cam) throw new Error(`no camera ${camera}`);
    return this.takeOne(cam);
  }

  /** Captures and maintenance under way now (a test on a fake clock waits until each of them waits on that clock). */
  underWay(): number {
    return this.inFlight.size + (this.maintaining ? 1 : 0);
  }

  /** Resolves when no capture or maintenance is under way (tests on a fake clock wait on it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.maintaining) await Promise.all([...this.inFlight, this.maintaining]);
  }

  latest(cameraNum: string): Snapshot | undefined {
    return this.o.files.store.latest(cameraNum);
  }

  /** The JPEG file of a snapshot on disk. */
  fileOf(snapshot: Pick<Snapshot, 'path'>): string {
    return this.o.files.absPath(snapshot.path);
  }

  /** Signed URL the province can fetch without headers. */
  urlFor(snapshot: Pick<Snapshot, 'path'>): string {
    return this.o.urls.urlFor(snapshot);
  }

  /** Retention then the disk guard; run hourly and callable by tests. */
  maintain(): Promise<void> {
    this.maintaining ??= this.runMaintenance().finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  private async runMaintenance(): Promise<void> {
    try {
      const cutoff = this.now() - this.o.keepDays * DAY_MS;
      let removed = 0;
      for (;;) {
        const old = this.o.files.store.olderThan(cutoff, 500);
        if (old.length === 0) break;
        await this.o.files.remove(old);
        removed += old.length;
      }
      const days = await this.o.files.sweepDays(beijingStamp(cutoff).day);
      if (removed > 0 || days > 0) this.o.log.info({ removed, dayDirs: days, keepDays: this.o.keepDays }, 'old snapshots removed');
      await this.o.guard.ensureRoom();
    } catch (err) {
      this.o.log.error({ err: String(err) }, 'snapshot maintenance failed');
    }
  }

  private async takeOne(cam: StoredCamera): Promise<Snapshot> {
    const room = await this.o.guard.ensureRoom();
    if (!room.ok) throw new NoRoomError(room.usedPercent, room.freeMb);
    const cap = await this.o.capture(cam);
    return this.o.files.save(cam.record.cameraNum, this.now(), cap);
  }

  private wake(): void {
    if (this.stopped) return;
    const now = this.now();
    const I = this.o.intervalMs;
    const cams = new Map(this.o.cameras.all().map((c) => [c.record.cameraNum, c]));
    for (const num of this.next.keys()) if (!cams.has(num)) this.next.delete(num);
    for (const num of cams.keys()) {
      if (this.next.has(num)) continue;
      const first = Math.floor(now / I) * I + this.offsetOf(num);
      this.next.set(num, first < now ? first + I : first);
    }
    for (const [num, due] of this.next) {
      if (due > now) continue;
      const round = Math.floor(due / I);
      if (this.busy.has(num)) {
        this.o.log.warn({ cameraNum: num }, 'previous snapshot of this camera still under way: slot skipped');
      } else {
        this.busy.add(num);
        this.queue.push({ cameraNum: num, round });
        this.roundOf(round).pending++;
      }
      // Slots missed while the process slept are skipped, not caught up in a burst.
      this.next.set(num, due + Math.ceil((now - due + 1) / I) * I);
    }
    this.pump();
    this.flushRounds(now);
    this.schedule(now);
  }

  private schedule(now: number): void {
    this.timers.clearTimeout(this.timer);
    let at = Infinity;
    for (const due of this.next.values()) at = Math.min(at, due);
    // A round over but still capturing is reported when its last capture ends, not by the timer.
    for (const id of this.rounds.keys()) if ((id + 1) * this.o.intervalMs > now) at = Math.min(at, (id + 1) * this.o.intervalMs);
    // With no camera yet, look again for new ones once an interval.
    if (at === Infinity) at = now + this.o.intervalMs;
    this.timer = this.timers.setTimeout(() => this.wake(), Math.max(0, at - now));
  }

  private roundOf(id: number): Round {
    let r = this.rounds.get(id);
    if (!r) this.rounds.set(id, (r = { items: [], pending: 0 }));
    return r;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.o.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const p = this.run(job).finally(() => {
        this.inFlight.delete(p);
        this.busy.delete(job.cameraNum);
        const r = this.rounds.get(job.round);
        if (r) r.pending--;
        this.pump();
        this.flushRounds(this.now());
      });
      this.inFlight.add(p);
    }
  }

  private async run(job: Job): Promise<void> {
    const cam = this.o.cameras.find(job.cameraNum);
    if (!cam) return;
    try {
      const snap = await this.takeOne(cam);
      this.roundOf(job.round).items.push({ cameraNum: snap.cameraNum, time: Math.floor(snap.takenAt / 1000), snapshotUrl: this.o.urls.urlFor(snap) });
      if (this.failing.delete(job.cameraNum)) this.o.log.info({ camera: cam.id, source: snap.source }, 'snapshots work again');
      this.o.events?.emit('snapshotTaken', cam, snap);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      // One line per change of reason, not one every five minutes per dead camera.
      if (this.failing.get(job.cameraNum) !== msg) this.o.log.warn({ camera: cam.id, err: msg }, 'snapshot failed');
      this.failing.set(job.cameraNum, msg);
    }
  }

  /**
   * A round is reported once its interval is over and none of its captures is still running.
   * A round the database refuses (data disk full) stays here and is tried again at the next wake.
   */
  private flushRounds(now: number): void {
    for (const [id, r] of this.rounds) {
      if (r.pending > 0 || (id + 1) * this.o.intervalMs > now) continue;
      try {
        this.report(r.items);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (!this.reportFailing) this.o.log.error({ err: msg, snapshots: r.items.length }, 'snapshot round not queued: kept to try again');
        this.reportFailing = true;
        return;
      }
      if (this.reportFailing) this.o.log.info({ snapshots: r.items.length }, 'snapshot rounds queued again');
      this.reportFailing = false;
      this.rounds.delete(id);
    }
  }

  private report(items: SnapshotItem[]): void {
    if (items.length === 0) return;
    // One row per snapshot, all or none: the dispatcher sends them as one ReportSnapshot (up to outbox.batch_max each).
    this.o.outbox.enqueueAll('snapshot', items, this.now());
    this.o.log.info({ snapshots: items.length }, 'snapshot round reported');
  }
}
