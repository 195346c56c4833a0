import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'vcgw.sqlite';

/**
 * Opens (creating if needed) the gateway database in `dataDir` and applies pending migrations.
 * WAL with synchronous=FULL: every committed transaction survives a kill -9 or power cut;
 * our write rate (reports, tokens, camera edits) is far too low for the cost to matter.
 */
export function openDb(dataDir: string, options: { readonly?: boolean } = {}): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const db = new Database(path.join(dataDir, DB_FILE), { readonly: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  }
  // The daemon and the CLI share the file; wait for a writer instead of failing at once.
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) migrate(db);
  return db;
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema ${current} is newer than this vcgw (${MIGRATIONS.length}); upgrade vcgw`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

export function getKv(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setKv(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
