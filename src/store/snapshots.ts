import type { Db } from './db.js';

/** Where a JPEG came from: a pull the gateway already runs, the camera's ONVIF snapshot URI, or a short pull of its own. */
export type SnapshotSource = 'stream' | 'onvif' | 'pull';

export interface Snapshot {
  id: number;
  cameraNum: string;
  /** ms since epoch */
  takenAt: number;
  /** Relative to the snapshot dir: `<cameraNum>/<YYYYMMDD>/<HHmmss>.jpg` (Beijing date and time). */
  path: string;
  width: number;
  height: number;
  bytes: number;
  source: SnapshotSource;
}

interface Row {
  id: number;
  camera_num: string;
  taken_at: number;
  path: string;
  width: number;
  height: number;
  bytes: number;
  source: SnapshotSource;
}

const fromRow = (r: Row): Snapshot => ({
  id: r.id,
  cameraNum: r.camera_num,
  takenAt: r.taken_at,
  path: r.path,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  source: r.source,
});

const COLUMNS = 'id, camera_num, taken_at, path, width, height, bytes, source';

/** The index of kept snapshots; the files themselves are handled by modules/snapshots/files.ts. */
export class SnapshotStore {
  constructor(private readonly db: Db) {}

  insert(s: Omit<Snapshot, 'id'>): Snapshot {
    const r = this.db
      .prepare('INSERT INTO snapshots (camera_num, taken_at, path, width, height, bytes, source) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.cameraNum, s.takenAt, s.path, s.width, s.height, s.bytes, s.source);
    return { ...s, id: Number(r.lastInsertRowid) };
  }

  /** The newest snapshot of a camera, or the newest taken before `before` (ms). */
  latest(cameraNum: string, before = Number.MAX_SAFE_INTEGER): Snapshot | undefined {
    const r = this.db
      .prepare(`SELECT ${COLUMNS} FROM snapshots WHERE camera_num = ? AND taken_at < ? ORDER BY taken_at DESC, id DESC LIMIT 1`)
      .get(cameraNum, before) as Row | undefined;
    return r && fromRow(r);
  }

  byPath(path: string): Snapshot | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM snapshots WHERE path = ?`).get(path) as Row | undefined;
    return r && fromRow(r);
  }

  /** A camera's snapshots taken at or after `since`, newest first. */
  list(cameraNum: string, since = 0, limit = 10_000): Snapshot[] {
    return (
      this.db
        .prepare(`SELECT ${COLUMNS} FROM snapshots WHERE camera_num = ? AND taken_at >= ? ORDER BY taken_at DESC, id DESC LIMIT ?`)
        .all(cameraNum, since, limit) as Row[]
    ).map(fromRow);
  }

  /** Taken before `cutoff`, oldest first. */
  olderThan(cutoff: number, limit: number): Snapshot[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM snapshots WHERE taken_at < ? ORDER BY taken_at, id LIMIT ?`).all(cutoff, limit) as Row[]).map(
      fromRow,
    );
  }

  oldest(limit: number): Snapshot[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM snapshots ORDER BY taken_at, id LIMIT ?`).all(limit) as Row[]).map(fromRow);
  }

  remove(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n;
  }

  totalBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS n FROM snapshots').get() as { n: number }).n;
  }
}
