// Which SSRC a receiver takes. GB/T 28181 negotiates the SSRC in the SDP `y=` line, but many
// devices stream with another one (ZLMediaKit and WVP both carry a "don't check SSRC" switch for
// them): by default such a stream is taken, counted and reported once, not dropped.

export type SsrcMismatchPolicy = 'accept' | 'drop';

export interface SsrcFilterOptions {
  /** The SSRC negotiated for the stream, if any. */
  expected?: number;
  /** What to do with packets whose SSRC is not the expected one (default accept). */
  onMismatch?: SsrcMismatchPolicy;
}

export interface SsrcStats {
  /** The SSRC being received, once a packet has been taken. */
  current?: number;
  /** Packets taken although their SSRC is not the negotiated one. */
  mismatched: number;
  /** Packets dropped for their SSRC (policy drop). */
  dropped: number;
  /** Times the stream's SSRC changed after the first packet (the sender restarted). */
  changes: number;
}

export type SsrcVerdict =
  /** Take the packet. */
  | 'take'
  /** Take it, and it starts a new source: sequence state must be reset. */
  | 'new-source'
  | 'drop';

export class SsrcFilter {
  readonly expected: number | undefined;
  private readonly policy: SsrcMismatchPolicy;
  private readonly reported = new Set<number>();
  readonly stats: SsrcStats = { mismatched: 0, dropped: 0, changes: 0 };

  constructor(
    opts: SsrcFilterOptions = {},
    /** Called once per distinct unexpected SSRC, for one log line. */
    private readonly onUnexpected?: (ssrc: number, expected: number, policy: SsrcMismatchPolicy) => void,
  ) {
    if (opts.expected !== undefined && !(Number.isInteger(opts.expected) && opts.expected >= 0 && opts.expected <= 0xffffffff)) {
      throw new RangeError(`ssrc expected must be a 32-bit unsigned integer, got ${opts.expected}`);
    }
    this.expected = opts.expected;
    this.policy = opts.onMismatch ?? 'accept';
  }

  check(ssrc: number): SsrcVerdict {
    if (this.expected !== undefined && ssrc !== this.expected) {
      if (!this.reported.has(ssrc)) {
        this.reported.add(ssrc);
        this.onUnexpected?.(ssrc, this.expected, this.policy);
      }
      if (this.policy === 'drop') {
        this.stats.dropped++;
        return 'drop';
      }
      this.stats.mismatched++;
    }
    if (this.stats.current === ssrc) return 'take';
    if (this.stats.current !== undefined) this.stats.changes++;
    this.stats.current = ssrc;
    return 'new-source';
  }
}

/**
 * GB/T 28181 §F.2 `y=` value: 10 decimal digits, the first 0 for real-time play and 1 for
 * playback, then the 5 digits of the domain code and a 4-digit stream number. Returned as the
 * 32-bit SSRC it stands for (the decimal number).
 */
export function parseGbSsrc(y: string): number {
  const s = y.trim();
  if (!/^\d{1,10}$/.test(s)) throw new RangeError(`SDP y= must be up to 10 decimal digits, got ${JSON.stringify(y)}`);
  const n = Number(s);
  if (n > 0xffffffff) throw new RangeError(`SDP y= ${s} does not fit in a 32-bit SSRC`);
  return n;
}

/** The 10-digit `y=` value of a 32-bit SSRC. */
export function formatGbSsrc(ssrc: number): string {
  return String(ssrc >>> 0).padStart(10, '0');
}
