// Media ports from a configured range (GB/T 28181 deployments open one range in the firewall).
// Ports are handed out round-robin so a port just released is not reused at once: stray packets
// of the stream that had it would otherwise land in the next one.

export interface PortRange {
  min: number;
  max: number;
}

export class PortsExhaustedError extends Error {
  constructor(range: PortRange, detail = 'every port is in use') {
    super(`media port range ${range.min}-${range.max}: ${detail}`);
    this.name = 'PortsExhaustedError';
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(readonly range: PortRange) {
    const { min, max } = range;
    if (!Number.isInteger(min) || min < 1 || min > 65535) throw new RangeError(`port range min must be 1..65535, got ${min}`);
    if (!Number.isInteger(max) || max < min || max > 65535) throw new RangeError(`port range max must be ${min}..65535, got ${max}`);
    this.cursor = min;
  }

  get size(): number {
    return this.range.max - this.range.min + 1;
  }

  get inUse(): number {
    return this.used.size;
  }

  isUsed(port: number): boolean {
    return this.used.has(port);
  }

  /** Reserves the next free port of the range. */
  acquire(): number {
    for (let i = 0; i < this.size; i++) {
      const port = this.cursor;
      this.cursor = port === this.range.max ? this.range.min : port + 1;
      if (!this.used.has(port)) {
        this.used.add(port);
        return port;
      }
    }
    throw new PortsExhaustedError(this.range);
  }

  release(port: number): void {
    this.used.delete(port);
  }

  /**
   * Reserves a port and binds it with `bind`; a port another process holds (EADDRINUSE) is
   * skipped and the next one tried, each port of the range at most once.
   */
  async bindFree<T>(bind: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
    let held = 0;
    for (let i = 0; i < this.size; i++) {
      let port: number;
      try {
        port = this.acquire();
      } catch {
        break;
      }
      try {
        return { port, value: await bind(port) };
      } catch (err) {
        this.release(port);
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
        held++;
      }
    }
    if (held === 0) throw new PortsExhaustedError(this.range);
    throw new PortsExhaustedError(this.range, `${held} free in our books but held by other processes`);
  }
}
