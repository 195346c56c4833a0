// A fresh gateway database (real SQLite, every migration) in a temporary data dir per test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { openDb, type Db } from '../../src/store/db.js';

export function tempDb(t: Test): Db {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-store-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

export const NUM_A = '11111111-1111-4111-8111-111111111111';
export const NUM_B = '22222222-2222-4222-8222-222222222222';
