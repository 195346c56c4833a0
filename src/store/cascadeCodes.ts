import type { Db } from './db.js';

/** The code one tree node or channel has at one upper platform. */
export interface CascadeCodeRow {
  platform: string;
  nodeKey: string;
  code: string;
  manual: boolean;
  assignedAt: number;
}

interface RawRow {
  platform: string;
  node_key: string;
  code: string;
  manual: number;
  assigned_at: number;
}

const fromRow = (r: RawRow): CascadeCodeRow => ({ platform: r.platform, nodeKey: r.node_key, code: r.code, manual: r.manual === 1, assignedAt: r.assigned_at });

export class CascadeCodeStore {
  constructor(private readonly db: Db) {}

  forPlatform(platform: string): CascadeCodeRow[] {
    return (this.db.prepare('SELECT * FROM cascade_codes WHERE platform = ? ORDER BY code').all(platform) as RawRow[]).map(fromRow);
  }

  /** Writes codes in one transaction (a tree is assigned whole or not at all). */
  put(rows: readonly CascadeCodeRow[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO cascade_codes (platform, node_key, code, manual, assigned_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (platform, node_key) DO UPDATE SET code = excluded.code, manual = excluded.manual, assigned_at = excluded.assigned_at`,
    );
    this.db.transaction(() => {
      for (const r of rows) stmt.run(r.platform, r.nodeKey, r.code, r.manual ? 1 : 0, r.assignedAt);
    })();
  }

  remove(platform: string, nodeKey: string): void {
    this.db.prepare('DELETE FROM cascade_codes WHERE platform = ? AND node_key = ?').run(platform, nodeKey);
  }
}
