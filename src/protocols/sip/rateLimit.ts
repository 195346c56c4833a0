// A token bucket per source address: a device (or anything pretending to be one) flooding the
// SIP port is throttled without affecting the others.

export interface RateLimitOptions {
  /** Messages per second allowed on average from one address. */
  perSecond: number;
  /** Messages allowed in a burst above the average. */
  burst: number;
  /** Addresses remembered at most; the least recently seen are forgotten first. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Whether this address is being refused now (so the log says so once per episode). */
  limited: boolean;
}

export type RateDecision = 'allow' | 'deny' | 'deny-first';

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSources: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.maxSources = opts.maxSources ?? 10_000;
  }

  take(source: string, now = Date.now()): RateDecision {
    let b = this.buckets.get(source);
    if (!b) {
      b = { tokens: this.opts.burst, at: now, limited: false };
      if (this.buckets.size >= this.maxSources) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      this.buckets.delete(source); // re-inserted below: Map order is recency order
      b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond);
      b.at = now;
    }
    this.buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.limited = false;
      return 'allow';
    }
    const first = !b.limited;
    b.limited = true;
    return first ? 'deny-first' : 'deny';
  }
}
