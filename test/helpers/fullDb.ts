// A database filled to its last page: real SQLITE_FULL, the way a full data disk answers, without
// filling a disk. max_page_count is pinned just above the current size, then delivered outbox rows
// of shrinking size go in until none fits: every report passes through the outbox, so every
// report then meets the full database. The returned function gives the room back.
import type { Db } from '../../src/store/db.js';

export function fillDatabase(db: Db): () => void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages + 2}`);
  const insert = db.prepare("INSERT INTO outbox (kind, payload, created_at, next_attempt_at, delivered_at) VALUES ('analyse', ?, 0, 0, 0)");
  for (const size of [4000, 1000, 200, 40, 1]) {
    try {
      for (;;) insert.run(JSON.stringify('x'.repeat(size)));
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err;
    }
  }
  return () => void db.pragma('max_page_count = 1073741823');
}
