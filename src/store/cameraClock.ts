import type { Db } from './db.js';

/** What the last clock sync of a camera left behind. */
export interface CameraClockState {
  /** Last successful sync (ms since epoch); null if none succeeded yet. */
  syncedAt: number | null;
  /** Camera clock minus gateway clock just before that sync; positive = camera ahead. */
  driftMs: number | null;
  /** Error of the last attempt when it failed; null when it succeeded. */
  error: string | null;
  attemptedAt: number;
}

interface Row {
  synced_at: number | null;
  drift_ms: number | null;
  error: string | null;
  attempted_at: number;
}

/** Written by the daemon's ClockSync, read by `vcgw cameras show` (another process). */
export class CameraClockStore {
  constructor(private readonly db: Db) {}

  record(cameraNum: string, r: { at: number; driftMs: number }): void {
    this.db
      .prepare(
        `INSERT INTO camera_clock (camera_num, synced_at, drift_ms, error, attempted_at) VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (camera_num) DO UPDATE SET synced_at = excluded.synced_at, drift_ms = excluded.drift_ms,
           error = NULL, attempted_at = excluded.attempted_at`,
      )
      .run(cameraNum, r.at, Math.round(r.driftMs), r.at);
  }

  /** Keeps the last good sync: the technician sees both when it last worked and why it fails now. */
  recordError(cameraNum: string, at: number, message: string): void {
    this.db
      .prepare(
        `INSERT INTO camera_clock (camera_num, synced_at, drift_ms, error, attempted_at) VALUES (?, NULL, NULL, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET error = excluded.error, attempted_at = excluded.attempted_at`,
      )
      .run(cameraNum, message, at);
  }

  get(cameraNum: string): CameraClockState | undefined {
    const r = this.db.prepare('SELECT synced_at, drift_ms, error, attempted_at FROM camera_clock WHERE camera_num = ?').get(cameraNum) as Row | undefined;
    return r && { syncedAt: r.synced_at, driftMs: r.drift_ms, error: r.error, attemptedAt: r.attempted_at };
  }

  /** cameraNums with a row (synced or attempted): the rest have never been tried. */
  attempted(): Set<string> {
    return new Set((this.db.prepare('SELECT camera_num FROM camera_clock').all() as Array<{ camera_num: string }>).map((r) => r.camera_num));
  }
}
