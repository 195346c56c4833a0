// Takes the online-rate checks of seed 003 Appendix F (test 5.3) from the gateway's side: at every
// half hour from 06:00 to 23:30 Beijing time, each camera's current state (what the gateway
// reports to the province) is recorded. A check the daemon was not running for has no rows:
// `vcgw report online` shows it as "gateway down" and counts it as not online.
import type { Logger } from '../../log.js';
import { ONLINE } from '../../domain/online.js';
import { CameraStateStore } from '../../store/cameraState.js';
import type { Db } from '../../store/db.js';
import { OnlineCheckStore } from '../../store/onlineChecks.js';
import { DAY_MS, nextCheckSlot } from '../reports/checkSlots.js';

/** A wake-up this close after its slot still takes it (timers fire late on a loaded box, never early). */
const LATE_TOLERANCE_MS = 5 * 60_000;
/** A year and a month: enough for any yearly review of the online rate. */
const KEEP_MS = 400 * DAY_MS;

export class OnlineCheckRecorder {
  private timer: NodeJS.Timeout | undefined;
  private readonly store: OnlineCheckStore;
  private readonly states: CameraStateStore;

  constructor(
    private readonly o: { db: Db; log: Logger; now?: () => number; onCheck?: (slot: number, cameras: number) => void },
  ) {
    this.store = new OnlineCheckStore(o.db);
    this.states = new CameraStateStore(o.db);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  start(): void {
    this.arm(nextCheckSlot(this.now()));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Records every known camera's state as the check at `slot` (unknown cameras count as offline). */
  take(slot: number): number {
    const rows = this.states.registered();
    this.store.record(
      slot,
      rows.map((r) => ({ cameraNum: r.cameraNum, online: r.state?.online ?? ONLINE.offline, reason: r.state?.reason ?? 'never probed' })),
    );
    this.store.prune(slot - KEEP_MS);
    return rows.length;
  }

  private arm(slot: number): void {
    this.timer = setTimeout(() => this.fire(slot), Math.max(0, slot - this.now()));
    this.timer.unref();
  }

  private fire(slot: number): void {
    const now = this.now();
    if (now < slot) return this.arm(slot); // the clock was set back: wait for the slot again
    if (now - slot <= LATE_TOLERANCE_MS) {
      try {
        const n = this.take(slot);
        this.o.log.debug({ slot, cameras: n }, 'online check taken');
        this.o.onCheck?.(slot, n);
      } catch (err) {
        this.o.log.error({ err, slot }, 'online check not recorded');
      }
    } else {
      this.o.log.warn({ slot, lateMs: now - slot }, 'online check missed: the gateway woke too late');
    }
    this.arm(nextCheckSlot(now + 1));
  }
}

