// The daemon never fills the disk (issue 5): before each write and periodically, the oldest
// snapshots go until the filesystem is under its threshold; with nothing left to remove, the
// write is skipped.
import fs from 'node:fs/promises';
import type { Logger } from '../../log.js';
import type { SnapshotFiles } from './files.js';

export interface DiskUsage {
  usedPercent: number;
  freeMb: number;
}

export type StatFs = (dir: string) => Promise<DiskUsage>;

/** As df computes it: blocks reserved for root count neither as used nor as available. */
export const realStatFs: StatFs = async (dir) => {
  const s = await fs.statfs(dir);
  const used = s.blocks - s.bfree;
  const avail = s.bavail;
  return { usedPercent: used + avail === 0 ? 100 : (used / (used + avail)) * 100, freeMb: (avail * s.bsize) / 1048576 };
};

export interface DiskGuardOptions {
  files: SnapshotFiles;
  maxPercent: number;
  minFreeMb: number;
  statfs?: StatFs;
  log: Logger;
}

export interface RoomCheck extends DiskUsage {
  ok: boolean;
  /** Snapshots removed to make room. */
  removed: number;
}

const BATCH = 20;

export class DiskGuard {
  private readonly statfs: StatFs;

  constructor(private readonly o: DiskGuardOptions) {
    this.statfs = o.statfs ?? realStatFs;
  }

  private fits(u: DiskUsage): boolean {
    return u.usedPercent <= this.o.maxPercent && u.freeMb >= this.o.minFreeMb;
  }

  async ensureRoom(): Promise<RoomCheck> {
    await fs.mkdir(this.o.files.dir, { recursive: true });
    let usage = await this.statfs(this.o.files.dir);
    let removed = 0;
    while (!this.fits(usage)) {
      const oldest = this.o.files.store.oldest(BATCH);
      if (oldest.length === 0) break;
      await this.o.files.remove(oldest);
      removed += oldest.length;
      usage = await this.statfs(this.o.files.dir);
    }
    const ok = this.fits(usage);
    if (removed > 0) {
      this.o.log.warn(
        { removed, usedPercent: Math.round(usage.usedPercent), freeMb: Math.round(usage.freeMb), max: this.o.maxPercent, minFreeMb: this.o.minFreeMb },
        'disk nearly full: oldest snapshots removed before their keep_days',
      );
    }
    return { ...usage, ok, removed };
  }
}
