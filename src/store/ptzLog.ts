import type { Db } from './db.js';

/** One PTZ attempt, from either side (CONTRACT §4: who, when, camera, action, step, result). */
export interface PtzLogEntry {
  at: number;
  cameraNum: string;
  /** 'province' or 'local:<user>'. */
  actor: string;
  action: number;
  step: number;
  code: number;
  message: string;
  latencyMs: number;
}

export interface PtzLogRow extends PtzLogEntry {
  id: number;
}

interface RawRow {
  id: number;
  at: number;
  camera_num: string;
  actor: string;
  action: number;
  step: number;
  code: number;
  message: string;
  latency_ms: number;
}

const fromRow = (r: RawRow): PtzLogRow => ({
  id: r.id,
  at: r.at,
  cameraNum: r.camera_num,
  actor: r.actor,
  action: r.action,
  step: r.step,
  code: r.code,
  message: r.message,
  latencyMs: r.latency_ms,
});

export class PtzLogStore {
  constructor(private readonly db: Db) {}

  append(entry: PtzLogEntry): void {
    this.db
      .prepare(
        `INSERT INTO ptz_log (at, camera_num, actor, action, step, code, message, latency_ms)
         VALUES (@at, @cameraNum, @actor, @action, @step, @code, @message, @latencyMs)`,
      )
      .run({ ...entry, message: entry.message.slice(0, 500), latencyMs: Math.round(entry.latencyMs) });
  }

  /** Newest first. */
  query(filter: { cameraNum?: string; since?: number; limit?: number } = {}): PtzLogRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.cameraNum !== undefined) {
      where.push('camera_num = ?');
      args.push(filter.cameraNum);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      args.push(filter.since);
    }
    const sql = `SELECT * FROM ptz_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as RawRow[]).map(fromRow);
  }

  /** When the camera was last moved (a PTZ command it accepted), if ever: its view may have changed since. */
  lastMoveAt(cameraNum: string): number | undefined {
    const r = this.db.prepare('SELECT MAX(at) AS at FROM ptz_log WHERE camera_num = ? AND code = 200').get(cameraNum) as { at: number | null };
    return r.at ?? undefined;
  }

  /** Deletes entries older than `olderThanMs` (the rule is to keep at least a year; the caller decides). */
  prune(olderThanMs: number, now = Date.now()): number {
    return this.db.prepare('DELETE FROM ptz_log WHERE at < ?').run(now - olderThanMs).changes;
  }
}
