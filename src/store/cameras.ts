import type { CameraAccessFields } from '../config/schema/cameras.js';
import type { CameraOrigin, CameraRecord } from '../domain/camera.js';
import type { Db } from './db.js';

/** How the gateway reaches a camera; never sent to the province. */
export type CameraAccess = CameraAccessFields;

export type SyncState = 'pending' | 'synced' | 'rejected';

export interface StoredCamera {
  id: string;
  record: CameraRecord;
  access: CameraAccess;
  source: CameraOrigin;
  syncState: SyncState;
  syncMsg: string | null;
  createdAt: number;
  updatedAt: number;
}

interface RawCamera {
  id: string;
  camera_num: string;
  record: string;
  access: string;
  source: CameraOrigin;
  sync_state: SyncState;
  sync_msg: string | null;
  created_at: number;
  updated_at: number;
}

/** Tables keyed by camera_num holding state the daemon derived from the camera; the PTZ log stays (kept a year). */
const PER_CAMERA_TABLES = ['camera_onvif', 'camera_encoding', 'camera_clock', 'camera_osd', 'camera_quality', 'ptz_holds', 'camera_state', 'media_status'] as const;

const fromRow = (r: RawCamera): StoredCamera => ({
  id: r.id,
  record: JSON.parse(r.record) as CameraRecord,
  access: JSON.parse(r.access) as CameraAccess,
  source: r.source,
  syncState: r.sync_state,
  syncMsg: r.sync_msg,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Camera rows. Validation happens before this layer (modules/cameras). */
export class CameraStore {
  constructor(private readonly db: Db) {}

  all(): StoredCamera[] {
    return (this.db.prepare('SELECT * FROM cameras ORDER BY id').all() as RawCamera[]).map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM cameras').get() as { n: number }).n;
  }

  byId(id: string): StoredCamera | undefined {
    const row = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as RawCamera | undefined;
    return row && fromRow(row);
  }

  byNum(cameraNum: string): StoredCamera | undefined {
    const row = this.db.prepare('SELECT * FROM cameras WHERE camera_num = ?').get(cameraNum) as RawCamera | undefined;
    return row && fromRow(row);
  }

  /** By local id or by cameraNum: what a technician may type. */
  find(idOrNum: string): StoredCamera | undefined {
    return this.byId(idOrNum) ?? this.byNum(idOrNum.toLowerCase());
  }

  /** Inserts or replaces; a changed record goes back to 'pending' sync. */
  put(cam: Pick<StoredCamera, 'id' | 'record' | 'access' | 'source'>, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO cameras (id, camera_num, record, access, source, sync_state, sync_msg, created_at, updated_at)
         VALUES (@id, @num, @record, @access, @source, 'pending', NULL, @now, @now)
         ON CONFLICT (id) DO UPDATE SET camera_num = excluded.camera_num, record = excluded.record,
           access = excluded.access, source = excluded.source, sync_state = 'pending', sync_msg = NULL,
           updated_at = excluded.updated_at`,
      )
      .run({
        id: cam.id,
        num: cam.record.cameraNum,
        record: JSON.stringify(cam.record),
        access: JSON.stringify(cam.access),
        source: cam.source,
        now,
      });
  }

  /** Also forgets what the daemon learnt about the camera (ONVIF facts, encoding, clock, holds). */
  remove(id: string): boolean {
    const cam = this.byId(id);
    if (!cam) return false;
    for (const table of PER_CAMERA_TABLES) this.db.prepare(`DELETE FROM ${table} WHERE camera_num = ?`).run(cam.record.cameraNum);
    return this.db.prepare('DELETE FROM cameras WHERE id = ?').run(id).changes > 0;
  }

  setSync(cameraNum: string, state: SyncState, msg: string | null): void {
    this.db.prepare('UPDATE cameras SET sync_state = ?, sync_msg = ? WHERE camera_num = ?').run(state, msg, cameraNum);
  }
}
