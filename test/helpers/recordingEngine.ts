// A MediaEngine that records the orders it is given, for the tests of who orders outputs (the
// province's push registry and routes). Its slots come from the real OutputBudget; the rest of the
// engine's contract is kept in a few lines: a start of a running key replaces it (the old one is
// stopped first, in the same slot), a failed start and a stop free the slot, and an output the
// engine gives up by itself frees it too.
import type { OutputBudget } from '../../src/modules/media/budget.js';
import type { MediaEngine, OutputOrder, OutputStarted } from '../../src/modules/media/engine.js';

export function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const urlOf = (order: OutputOrder) => (order.sink.kind === 'rtmp' && typeof order.sink.url === 'string' ? order.sink.url : order.sink.kind);

export class RecordingEngine implements MediaEngine {
  /** `start <key> <url>` and `stop <key>`, in order. */
  readonly calls: string[] = [];
  readonly running = new Map<string, OutputOrder>();
  /** Every start rejects with it while set. */
  startError: Error | undefined;
  /** The next start rejects with it. */
  failNext: Error | undefined;
  /** Every stop rejects with it while set (after the output is gone and its slot free, as the engine's). */
  stopError: Error | undefined;
  /** While set, a start holding its slot waits for it; `started` resolves when one gets there. */
  gate: ReturnType<typeof deferred> | undefined;
  started = deferred();

  constructor(readonly budget: OutputBudget) {}

  async start(order: OutputOrder): Promise<OutputStarted> {
    this.budget.hold({ key: order.key, tier: order.tier, holder: order.holder, standing: order.standing });
    if (this.running.has(order.key)) await this.halt(order.key).catch(() => undefined);
    this.calls.push(`start ${order.key} ${urlOf(order)}`);
    this.started.resolve();
    if (this.gate) await this.gate.promise;
    const error = this.failNext ?? this.startError;
    this.failNext = undefined;
    if (error) {
      this.budget.release(order.key);
      throw error;
    }
    this.running.set(order.key, order);
    return { codec: 'h264' };
  }

  async stop(key: string): Promise<void> {
    this.budget.release(key);
    await this.halt(key);
  }

  /** The engine's idle safety net: the output dropped by the engine itself, its slot freed. */
  giveUp(key: string): void {
    this.budget.release(key);
    this.running.delete(key);
  }

  private async halt(key: string): Promise<void> {
    this.calls.push(`stop ${key}`);
    this.running.delete(key);
    if (this.stopError) throw this.stopError;
  }
}
