// The concurrency budget every uplink shares, kept by the engine: on-demand outputs the box may
// run at once, in all and per costly tier ([media] max_outputs, max_4m, max_source). Standing
// outputs (the constant 128 kbps pushes) are held here too, so that the accounting lists them,
// but outside the limits: they are sized with the camera count.
import type { MediaConfig } from './runtime.js';
import type { Tier } from '../../domain/tier.js';

export type BudgetLimits = Pick<MediaConfig, 'max_outputs' | 'max_4m' | 'max_source'>;

/** One output's slot, under the output's key. */
export interface HeldSlot {
  key: string;
  tier: Tier;
  /** Who ordered it, in words (named in the refusals other uplinks get). */
  holder: string;
  standing: boolean;
}

/** What the uplinks may read of the budget. */
export interface BudgetView {
  /** On-demand outputs running or starting. */
  inUse(): number;
  /** Every held slot, standing ones included. */
  list(): HeldSlot[];
}

/** No slot free for an on-demand output; the message is the province's 500 reply text. */
export class OutputRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRefusedError';
  }
}

export class OutputBudget implements BudgetView {
  private readonly held = new Map<string, HeldSlot>();

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * A slot for output `key`, or OutputRefusedError naming the limit. A key already held keeps its
   * slot (an output replaced under its key takes no second one); a standing output is never refused.
   */
  hold(slot: { key: string; tier: Tier; holder: string; standing?: boolean }): void {
    if (this.held.has(slot.key)) return;
    const standing = slot.standing ?? false;
    const refused = standing ? undefined : this.refusal(slot.tier, slot.holder);
    if (refused) throw new OutputRefusedError(refused);
    this.held.set(slot.key, { key: slot.key, tier: slot.tier, holder: slot.holder, standing });
  }

  /** Idempotent. */
  release(key: string): void {
    this.held.delete(key);
  }

  inUse(): number {
    return this.onDemand().length;
  }

  list(): HeldSlot[] {
    return [...this.held.values()].map((s) => ({ ...s }));
  }

  private onDemand(): HeldSlot[] {
    return [...this.held.values()].filter((s) => !s.standing);
  }

  private refusal(tier: Tier, asking: string): string | undefined {
    const held = this.onDemand();
    const count = (t: Tier) => held.filter((x) => x.tier === t).length;
    const { max_outputs, max_4m, max_source } = this.limits;
    if (tier === 'fourM' && count('fourM') >= max_4m) return `over capacity: ${count('fourM')} of ${max_4m} 4 Mbps pushes in use`;
    if (tier === 'source' && count('source') >= max_source) return `over capacity: ${count('source')} of ${max_source} source-rate pushes in use`;
    if (held.length >= max_outputs) return `over capacity: ${held.length} of ${max_outputs} on-demand pushes in use${othersText(held, asking)}`;
    return undefined;
  }
}

/** The slots other uplinks hold, so that one refused for them is told why. */
function othersText(held: readonly HeldSlot[], asking: string): string {
  const others = new Map<string, number>();
  for (const { holder } of held) if (holder !== asking) others.set(holder, (others.get(holder) ?? 0) + 1);
  return others.size === 0 ? '' : ` (${[...others].map(([holder, n]) => `${n} of them ${holder}`).join(', ')})`;
}
