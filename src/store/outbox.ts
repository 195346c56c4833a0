import type { Db } from './db.js';

/** What can be queued for the province; each kind maps to one report call. */
export const OUTBOX_KINDS = [
  'camera.upsert',
  'camera.delete',
  'camera.status',
  'camera.quality',
  'snapshot',
  'analyse',
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * The uplink a row goes to, stored on the row: each uplink's dispatcher claims only its own rows.
 * 'province' is the province uplink; another uplink (an upper GB/T 28181 platform) names its own.
 */
export type OutboxDestination = string;

/** Where a kind goes when the producer names no destination: every kind is the province's today. */
export const OUTBOX_DESTINATION: Readonly<Record<OutboxKind, OutboxDestination>> = {
  'camera.upsert': 'province',
  'camera.delete': 'province',
  'camera.status': 'province',
  'camera.quality': 'province',
  snapshot: 'province',
  analyse: 'province',
};

export interface OutboxItem {
  id: number;
  kind: OutboxKind;
  destination: OutboxDestination;
  coalesceKey: string | null;
  payload: unknown;
  rev: number;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

interface RawItem {
  id: number;
  kind: OutboxKind;
  destination: string;
  coalesce_key: string | null;
  payload: string;
  rev: number;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

const fromRow = (r: RawItem): OutboxItem => ({
  id: r.id,
  kind: r.kind,
  destination: r.destination,
  coalesceKey: r.coalesce_key,
  payload: JSON.parse(r.payload) as unknown,
  rev: r.rev,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
});

/**
 * The durable outbox (CONTRACT §3 "Nothing is lost"). Rows are committed before any send;
 * a row is marked delivered only after the province accepted it. A `coalesceKey` keeps one
 * pending row per key (latest payload wins, e.g. one status per camera); `rev` makes sure a
 * payload replaced while its send was in flight is sent again.
 */
export class OutboxStore {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Db) {}

  /**
   * Calls `listener` after each row queued through this store, so the dispatcher sends at once and
   * producers only enqueue. Returns the unsubscribe. A listener's error is its own: the row is
   * committed already, and the dispatcher's own timer picks it up.
   */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `destination`: the uplink the row is for; by default the kind's (OUTBOX_DESTINATION). */
  enqueue(kind: OutboxKind, payload: unknown, coalesceKey?: string, now = Date.now(), destination: OutboxDestination = OUTBOX_DESTINATION[kind]): void {
    this.insert(kind, destination, payload, coalesceKey, now);
    this.announce();
  }

  /** Queues one row per payload in one transaction: all of them, or none when the database refuses. */
  enqueueAll(kind: OutboxKind, payloads: readonly unknown[], now = Date.now(), destination: OutboxDestination = OUTBOX_DESTINATION[kind]): void {
    this.db.transaction(() => {
      for (const payload of payloads) this.insert(kind, destination, payload, undefined, now);
    })();
    this.announce();
  }

  private announce(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // see onEnqueued
      }
    }
  }

  private insert(kind: OutboxKind, destination: OutboxDestination, payload: unknown, coalesceKey: string | undefined, now: number): void {
    const json = JSON.stringify(payload);
    if (coalesceKey !== undefined) {
      const updated = this.db
        .prepare(
          `UPDATE outbox SET payload = ?, rev = rev + 1, next_attempt_at = MIN(next_attempt_at, ?)
           WHERE coalesce_key = ? AND destination = ? AND delivered_at IS NULL`,
        )
        .run(json, now, coalesceKey, destination);
      if (updated.changes > 0) return;
    }
    this.db
      .prepare('INSERT INTO outbox (kind, destination, coalesce_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(kind, destination, coalesceKey ?? null, json, now, now);
  }

  /** Pending rows of one kind for one destination (by default the kind's) that are due, oldest first. */
  due(kind: OutboxKind, limit: number, now = Date.now(), destination: OutboxDestination = OUTBOX_DESTINATION[kind]): OutboxItem[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM outbox WHERE delivered_at IS NULL AND kind = ? AND destination = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?',
        )
        .all(kind, destination, now, limit) as RawItem[]
    ).map(fromRow);
  }

  /** Marks delivered the rows whose payload is still the one that was sent. */
  delivered(items: readonly OutboxItem[], now = Date.now()): void {
    const stmt = this.db.prepare('UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ? AND rev = ?');
    this.db.transaction(() => {
      for (const item of items) stmt.run(now, item.id, item.rev);
    })();
  }

  failed(items: readonly OutboxItem[], error: string, delayMs: (attempts: number) => number, now = Date.now()): void {
    const stmt = this.db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL',
    );
    this.db.transaction(() => {
      for (const item of items) stmt.run(error.slice(0, 500), now + delayMs(item.attempts + 1), item.id);
    })();
  }

  /**
   * Every pending row of `destination` waiting out a back-off becomes due now (that uplink is
   * back; every destination's when none is named). Returns how many.
   */
  resumeNow(now = Date.now(), destination?: OutboxDestination): number {
    return this.db
      .prepare('UPDATE outbox SET next_attempt_at = ? WHERE delivered_at IS NULL AND next_attempt_at > ? AND (? IS NULL OR destination = ?)')
      .run(now, now, destination ?? null, destination ?? null).changes;
  }

  /** The oldest pending row of `destination` of the first kind in `kinds` that has one, due or not. */
  oldestPending(kinds: readonly OutboxKind[], destination?: OutboxDestination): OutboxItem | undefined {
    const stmt = this.db.prepare('SELECT * FROM outbox WHERE delivered_at IS NULL AND kind = ? AND destination = ? ORDER BY id LIMIT 1');
    for (const kind of kinds) {
      const row = stmt.get(kind, destination ?? OUTBOX_DESTINATION[kind]) as RawItem | undefined;
      if (row) return fromRow(row);
    }
    return undefined;
  }

  /** Earliest time any pending row (of `destination`, when named) is due, or undefined when nothing is pending. */
  nextDueAt(destination?: OutboxDestination): number | undefined {
    const row = this.db
      .prepare('SELECT MIN(next_attempt_at) AS t FROM outbox WHERE delivered_at IS NULL AND (? IS NULL OR destination = ?)')
      .get(destination ?? null, destination ?? null) as { t: number | null };
    return row.t ?? undefined;
  }

  /** When the oldest undelivered row was queued, or undefined when nothing is pending. */
  oldestPendingAt(): number | undefined {
    const row = this.db.prepare('SELECT MIN(created_at) AS t FROM outbox WHERE delivered_at IS NULL').get() as { t: number | null };
    return row.t ?? undefined;
  }

  list(filter: { pending?: boolean; kind?: OutboxKind; limit?: number } = {}): OutboxItem[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.pending) where.push('delivered_at IS NULL');
    if (filter.kind) {
      where.push('kind = ?');
      args.push(filter.kind);
    }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as RawItem[]).map(fromRow);
  }

  counts(): { pending: number; delivered: number; failing: number } {
    return this.db
      .prepare(
        `SELECT COALESCE(SUM(delivered_at IS NULL), 0) AS pending,
                COALESCE(SUM(delivered_at IS NOT NULL), 0) AS delivered,
                COALESCE(SUM(delivered_at IS NULL AND attempts > 0), 0) AS failing FROM outbox`,
      )
      .get() as { pending: number; delivered: number; failing: number };
  }

  pruneDelivered(olderThanMs: number, now = Date.now()): number {
    return this.db.prepare('DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?').run(now - olderThanMs)
      .changes;
  }
}
