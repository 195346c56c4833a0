import type { OnlineState } from '../domain/online.js';
import type { Db } from './db.js';

/** A camera's last decided state (what the gateway reports to the province). */
export interface CameraStateRow {
  cameraNum: string;
  online: OnlineState;
  reason: string;
  changedAt: number;
}

/** Every registered camera with its state; a camera never probed has none yet. */
export interface RegisteredCameraState {
  cameraNum: string;
  state?: { online: OnlineState; reason: string };
}

export class CameraStateStore {
  constructor(private readonly db: Db) {}

  get(cameraNum: string): CameraStateRow | undefined {
    const row = this.db.prepare('SELECT * FROM camera_state WHERE camera_num = ?').get(cameraNum) as
      | { camera_num: string; online: OnlineState; reason: string; changed_at: number }
      | undefined;
    return row && { cameraNum: row.camera_num, online: row.online, reason: row.reason, changedAt: row.changed_at };
  }

  put(row: CameraStateRow): void {
    this.db
      .prepare(
        `INSERT INTO camera_state (camera_num, online, reason, changed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET online = excluded.online, reason = excluded.reason, changed_at = excluded.changed_at`,
      )
      .run(row.cameraNum, row.online, row.reason, row.changedAt);
  }

  /** Every registered camera in cameraNum order, with its state when it has one. */
  registered(): RegisteredCameraState[] {
    const rows = this.db
      .prepare(
        `SELECT c.camera_num, s.online, s.reason FROM cameras c LEFT JOIN camera_state s ON s.camera_num = c.camera_num ORDER BY c.camera_num`,
      )
      .all() as Array<{ camera_num: string; online: OnlineState | null; reason: string | null }>;
    return rows.map((r) =>
      r.online === null ? { cameraNum: r.camera_num } : { cameraNum: r.camera_num, state: { online: r.online, reason: r.reason ?? '' } },
    );
  }
}
