import type { Db } from './db.js';

export interface TokenRow {
  seq: number;
  token: string;
  origin: 'config' | 'platform';
  obtainedAt: number;
  confirmedAt: number | null;
}

interface RawTokenRow {
  seq: number;
  token: string;
  origin: 'config' | 'platform';
  obtained_at: number;
  confirmed_at: number | null;
}

const fromRow = (r: RawTokenRow): TokenRow => ({
  seq: r.seq,
  token: r.token,
  origin: r.origin,
  obtainedAt: r.obtained_at,
  confirmedAt: r.confirmed_at,
});

/**
 * Current and previous tokens (CONTRACT §3 "Token persistence"). Each rotation is a new row,
 * committed (synchronous=FULL) before anyone uses the token it holds.
 */
export class TokenStore {
  constructor(private readonly db: Db) {}

  /** The two newest tokens, newest first. */
  latest(): { current: TokenRow | undefined; previous: TokenRow | undefined } {
    const rows = (this.db.prepare('SELECT * FROM tokens ORDER BY seq DESC LIMIT 2').all() as RawTokenRow[]).map(fromRow);
    return { current: rows[0], previous: rows[1] };
  }

  current(): TokenRow | undefined {
    return this.latest().current;
  }

  /** Records the platform's new token; returns once it is on disk. */
  rotate(token: string, now = Date.now()): TokenRow {
    const seq = this.db
      .prepare("INSERT INTO tokens (token, origin, obtained_at, confirmed_at) VALUES (?, 'platform', ?, ?)")
      .run(token, now, now).lastInsertRowid;
    this.prune();
    return { seq: Number(seq), token, origin: 'platform', obtainedAt: now, confirmedAt: now };
  }

  /**
   * Seeds the offline token from the config. A token already known (any row) is not added again,
   * so restarts keep the rotated one; a newly configured token (a technician re-issued it) wins.
   */
  seedFromConfig(token: string, now = Date.now()): void {
    const known = this.db.prepare("SELECT 1 FROM tokens WHERE token = ? AND origin = 'config'").get(token);
    if (known) return;
    this.db.prepare("INSERT INTO tokens (token, origin, obtained_at) VALUES (?, 'config', ?)").run(token, now);
  }

  /**
   * Keeps a short history: enough for the grace period and for diagnosing a lock-out. The newest
   * config row always stays: it is how seedFromConfig knows the configured token was seen (and
   * rotated away); without it the next start would take the stale offline token back (issue 15).
   */
  private prune(): void {
    this.db
      .prepare(
        `DELETE FROM tokens WHERE seq NOT IN (SELECT seq FROM tokens ORDER BY seq DESC LIMIT 10)
           AND seq <> COALESCE((SELECT MAX(seq) FROM tokens WHERE origin = 'config'), -1)`,
      )
      .run();
  }
}
