// Keeps every request the sim received, for assertions (waitFor) and for the technician.
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { ReceivedRequest } from './types.js';

/** A sim left running for days keeps memory bounded; seq numbers keep counting. */
export const MAX_RECORDED = 10_000;
export const DEFAULT_WAIT_MS = 10_000;

interface Waiter {
  predicate: (r: ReceivedRequest) => boolean;
  resolve: (r: ReceivedRequest) => void;
  reject: (err: Error) => void;
}

export class Recorder {
  private readonly list: ReceivedRequest[] = [];
  private readonly waiters = new Set<Waiter>();
  private seq = 0;

  constructor(
    private readonly log: Logger,
    private readonly recordFile?: string,
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  record(entry: Omit<ReceivedRequest, 'seq'>): ReceivedRequest {
    const r: ReceivedRequest = { seq: ++this.seq, ...entry };
    this.list.push(r);
    if (this.list.length > MAX_RECORDED) this.list.shift();
    this.append(r);
    for (const w of [...this.waiters]) {
      if (safePredicate(w.predicate, r)) {
        this.waiters.delete(w);
        w.resolve(copy(r));
      }
    }
    return r;
  }

  received(filter: { path?: string; sinceSeq?: number } = {}): ReceivedRequest[] {
    return this.list
      .filter((r) => (filter.path === undefined || r.path === filter.path) && r.seq > (filter.sinceSeq ?? 0))
      .map(copy);
  }

  waitFor(predicate: (r: ReceivedRequest) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedRequest> {
    const past = this.list.find((r) => safePredicate(predicate, r));
    if (past) return Promise.resolve(copy(past));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const recent = this.list
          .slice(-5)
          .map((r) => `#${r.seq} ${r.method} ${r.path} → ${r.code}`)
          .join('; ');
        reject(
          new Error(
            `province sim: no matching request within ${timeoutMs} ms (${this.seq} received; last: ${recent || 'none'})`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Pending waitFor calls fail at once instead of holding the process until their timeout. */
  close(): void {
    for (const w of this.waiters) w.reject(new Error('province sim: closed while waiting for a request'));
    this.waiters.clear();
  }

  private append(r: ReceivedRequest): void {
    if (!this.recordFile) return;
    try {
      // Synchronous so lines keep the order of seq; a test tool's volume is small.
      fs.appendFileSync(this.recordFile, `${JSON.stringify(r)}\n`);
    } catch (err) {
      this.log.warn({ err, file: this.recordFile }, 'province sim: cannot append to the record file');
    }
  }
}

/** A throwing predicate counts as "no match" rather than breaking the sim's request path. */
function safePredicate(predicate: (r: ReceivedRequest) => boolean, r: ReceivedRequest): boolean {
  try {
    return predicate(copy(r));
  } catch {
    return false;
  }
}

function copy(r: ReceivedRequest): ReceivedRequest {
  try {
    return structuredClone(r);
  } catch {
    // Pathologically deep garbage bodies cannot be cloned; the envelope still can.
    return { ...r, query: { ...r.query }, headers: { ...r.headers }, body: '[uncloneable body]' };
  }
}
