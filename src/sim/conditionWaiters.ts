// Waiting on a simulator's state: a test asks "until this holds", the simulator re-checks after
// every message it handles. Shared by the GB/T 28181 platform simulators.

export class ConditionWaiters {
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly who: string) {}

  /** Resolves when `test` holds (checked now and at every `check()`), rejects after `ms`. */
  until(test: () => boolean, ms: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.who}: ${what} not met in ${ms} ms`));
      }, ms);
      this.waiters.push(w);
    });
  }

  /** After the simulator handled something: resolves every waiter whose condition now holds. */
  check(): void {
    for (const w of [...this.waiters]) {
      if (!w.test()) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}
