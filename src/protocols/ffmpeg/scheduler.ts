// Places each encode on a hardware encoder while one has room, else on the CPU (libx264).
// Capacity is a slot count per device (sessions the driver or the chip sustains); a tier costs
// slots, so a 1080p "source" tier can take more of a device than a CIF "low" tier.

export type EncodeTier = 'low' | 'high' | 'fourM' | 'source';

export interface EncoderDevice {
  /** h264_nvenc, h264_vaapi, … */
  encoder: string;
  slots: number;
}

export interface Lease {
  id: number;
  /** The encoder to put in the argv: the device's, or 'libx264' when no hardware slot was free. */
  encoder: string;
  hardware: boolean;
  /** Index into the devices given to the scheduler (e.g. to pick `-gpu N`); absent on the CPU. */
  device?: number;
  tier: EncodeTier;
  cost: number;
  /** Returns the slots; calling it again does nothing. */
  release(): void;
}

export interface SchedulerUsage {
  devices: Array<{ encoder: string; used: number; total: number }>;
  /** Leases running on the CPU. */
  cpu: number;
}

export const CPU_ENCODER = 'libx264';

const DEFAULT_TIER_COST: Record<EncodeTier, number> = { low: 1, high: 1, fourM: 1, source: 1 };

export class EncoderScheduler {
  private readonly devices: Array<EncoderDevice & { used: number }>;
  private readonly tierCost: Record<EncodeTier, number>;
  private cpu = 0;
  private nextId = 1;

  constructor(devices: EncoderDevice[], opts: { tierCost?: Partial<Record<EncodeTier, number>> } = {}) {
    for (const d of devices) {
      if (!Number.isInteger(d.slots) || d.slots < 0) throw new RangeError(`${d.encoder}: slots must be a non-negative integer, got ${d.slots}`);
    }
    this.devices = devices.map((d) => ({ encoder: d.encoder, slots: d.slots, used: 0 }));
    this.tierCost = { ...DEFAULT_TIER_COST, ...opts.tierCost };
    for (const [tier, cost] of Object.entries(this.tierCost)) {
      if (!(cost > 0)) throw new RangeError(`tier ${tier}: cost must be positive, got ${cost}`);
    }
  }

  acquire(tier: EncodeTier): Lease {
    const cost = this.tierCost[tier];
    let best = -1;
    let bestFree = -1;
    this.devices.forEach((d, i) => {
      const free = d.slots - d.used;
      // Most free capacity first spreads load; ties go to the first listed device.
      if (free >= cost && free > bestFree) {
        best = i;
        bestFree = free;
      }
    });
    const id = this.nextId++;
    let released = false;
    const dev = this.devices[best];
    if (dev) {
      dev.used += cost;
      return {
        id,
        encoder: dev.encoder,
        hardware: true,
        device: best,
        tier,
        cost,
        release: () => {
          if (released) return;
          released = true;
          dev.used -= cost;
        },
      };
    }
    this.cpu++;
    return {
      id,
      encoder: CPU_ENCODER,
      hardware: false,
      tier,
      cost,
      release: () => {
        if (released) return;
        released = true;
        this.cpu--;
      },
    };
  }

  usage(): SchedulerUsage {
    return {
      devices: this.devices.map((d) => ({ encoder: d.encoder, used: d.used, total: d.slots })),
      cpu: this.cpu,
    };
  }
}
