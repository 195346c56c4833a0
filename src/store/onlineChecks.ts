import type { OnlineState } from '../domain/online.js';
import type { Db } from './db.js';

export interface OnlineCheckRow {
  checkAt: number;
  cameraNum: string;
  online: OnlineState;
  reason: string;
}

/** Each camera's state at each half-hourly online check (Appendix F (test 5.3)). */
export class OnlineCheckStore {
  constructor(private readonly db: Db) {}

  /** Records one check for every camera at once; a check already taken is kept (a restart inside a slot does not retake it). */
  record(checkAt: number, states: ReadonlyArray<Omit<OnlineCheckRow, 'checkAt'>>): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO online_checks (check_at, camera_num, online, reason) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of states) insert.run(checkAt, s.cameraNum, s.online, s.reason);
    })();
  }

  /** Checks with from ≤ checkAt < to. */
  between(from: number, to: number): OnlineCheckRow[] {
    const rows = this.db
      .prepare('SELECT check_at, camera_num, online, reason FROM online_checks WHERE check_at >= ? AND check_at < ? ORDER BY check_at, camera_num')
      .all(from, to) as Array<{ check_at: number; camera_num: string; online: OnlineState; reason: string }>;
    return rows.map((r) => ({ checkAt: r.check_at, cameraNum: r.camera_num, online: r.online, reason: r.reason }));
  }

  prune(before: number): void {
    this.db.prepare('DELETE FROM online_checks WHERE check_at < ?').run(before);
  }
}
