import type { Db } from './db.js';

/** A local operator's hold on a camera's PTZ (§6.3 road-section priority). */
export interface PtzHold {
  user: string;
  until: number;
}

/**
 * Holds live in the database because the local operator works through `vcgw ptz` (another
 * process) while the daemon answers the province.
 */
export class PtzHoldStore {
  constructor(private readonly db: Db) {}

  set(cameraNum: string, hold: PtzHold): void {
    this.db
      .prepare(
        `INSERT INTO ptz_holds (camera_num, user, until) VALUES (?, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET user = excluded.user, until = excluded.until`,
      )
      .run(cameraNum, hold.user, hold.until);
  }

  /** The hold on a camera if it has not expired at `now`; expired holds are removed. */
  active(cameraNum: string, now: number): PtzHold | undefined {
    const row = this.db.prepare('SELECT user, until FROM ptz_holds WHERE camera_num = ?').get(cameraNum) as PtzHold | undefined;
    if (row && row.until > now) return { user: row.user, until: row.until };
    if (row) this.db.prepare('DELETE FROM ptz_holds WHERE camera_num = ? AND until <= ?').run(cameraNum, now);
    return undefined;
  }
}
