import type { Db } from './db.js';

/** One pipeline as `vcgw status` shows it. */
export interface MediaStatusRow {
  /** Unique per pipeline, e.g. `source:<cameraNum>:main`, `push:<cameraNum>:1`. */
  key: string;
  cameraNum: string;
  /** source (a camera pull), constant (the 128 kbps push), ondemand (VideoTransBegin). */
  role: 'source' | 'constant' | 'ondemand';
  state: string;
  /** Tier, encoder, copy or transcode, redacted URL: free text for the technician. */
  detail: string;
  fps: number | null;
  kbps: number | null;
  /** Frames out since this process started (lets a reader compute the current rate). */
  frames: number | null;
  restarts: number;
  lastError: string | null;
  since: number | null;
  updatedAt: number;
}

interface Raw {
  key: string;
  camera_num: string;
  role: MediaStatusRow['role'];
  state: string;
  detail: string;
  fps: number | null;
  kbps: number | null;
  frames: number | null;
  restarts: number;
  last_error: string | null;
  since: number | null;
  updated_at: number;
}

/** The daemon replaces the whole picture each time; the CLI reads it from the shared database. */
export class MediaStatusStore {
  constructor(private readonly db: Db) {}

  replaceAll(rows: readonly MediaStatusRow[]): void {
    const insert = this.db.prepare(
      `INSERT INTO media_status (key, camera_num, role, state, detail, fps, kbps, frames, restarts, last_error, since, updated_at)
       VALUES (@key, @cameraNum, @role, @state, @detail, @fps, @kbps, @frames, @restarts, @lastError, @since, @updatedAt)`,
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM media_status').run();
      for (const r of rows) insert.run(r);
    })();
  }

  all(): MediaStatusRow[] {
    const rows = this.db.prepare('SELECT * FROM media_status ORDER BY camera_num, role, key').all() as Raw[];
    return rows.map((r) => ({
      key: r.key,
      cameraNum: r.camera_num,
      role: r.role,
      state: r.state,
      detail: r.detail,
      fps: r.fps,
      kbps: r.kbps,
      frames: r.frames,
      restarts: r.restarts,
      lastError: r.last_error,
      since: r.since,
      updatedAt: r.updated_at,
    }));
  }
}
