// The concurrency budget every uplink shares: on-demand outputs the box may run at once, in all
// and per costly tier ([media] max_outputs, max_4m, max_source). The constant 128 kbps pushes are
// outside it (they are sized with the camera count).
import type { MediaConfig } from './runtime.js';
import type { Tier } from '../../domain/tier.js';

export type BudgetLimits = Pick<MediaConfig, 'max_outputs' | 'max_4m' | 'max_source'>;

/** A held slot, or why none is free (the province's 500 message names the limit). */
export type BudgetGrant = { ok: true; release(): void } | { ok: false; refused: string };

/** Who holds a slot: the province's pushes unless an uplink says otherwise (named in refusals). */
const PROVINCE = 'province';

export class OutputBudget {
  private readonly held = new Map<number, { tier: Tier; holder: string }>();
  private next = 0;

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * A slot for one on-demand output of `tier` for `holder` (an uplink's words for its outputs,
   * e.g. "PS outputs to upper GB/T 28181 platforms"); release it when the output is gone (idempotent).
   */
  tryAcquire(tier: Tier, holder = PROVINCE): BudgetGrant {
    const refused = this.refusal(tier);
    if (refused) return { ok: false, refused };
    const id = this.next++;
    this.held.set(id, { tier, holder });
    return { ok: true, release: () => void this.held.delete(id) };
  }

  inUse(): number {
    return this.held.size;
  }

  private refusal(tier: Tier): string | undefined {
    const count = (t: Tier) => [...this.held.values()].filter((x) => x.tier === t).length;
    const { max_outputs, max_4m, max_source } = this.limits;
    if (tier === 'fourM' && count('fourM') >= max_4m) return `over capacity: ${count('fourM')} of ${max_4m} 4 Mbps pushes in use`;
    if (tier === 'source' && count('source') >= max_source) return `over capacity: ${count('source')} of ${max_source} source-rate pushes in use`;
    if (this.held.size >= max_outputs) return `over capacity: ${this.held.size} of ${max_outputs} on-demand pushes in use${this.othersText()}`;
    return undefined;
  }

  /** The slots other uplinks hold, so that a province refused for them is told why. */
  private othersText(): string {
    const others = new Map<string, number>();
    for (const { holder } of this.held.values()) if (holder !== PROVINCE) others.set(holder, (others.get(holder) ?? 0) + 1);
    return others.size === 0 ? '' : ` (${[...others].map(([holder, n]) => `${n} of them ${holder}`).join(', ')})`;
  }
}
