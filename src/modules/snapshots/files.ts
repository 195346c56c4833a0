// Snapshot files on disk (`<dir>/<cameraNum>/<YYYYMMDD>/<HHmmss>.jpg`, Beijing date) and their rows,
// kept in step: a row exists only for a whole file, and removing one removes both.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/schema/index.js';
import { cameraNumSchema } from '../../protocols/province/messages.js';
import type { Snapshot, SnapshotSource, SnapshotStore } from '../../store/snapshots.js';

/** A JPEG just taken, checked to be at least CIF. */
export interface CapturedJpeg {
  jpeg: Buffer;
  width: number;
  height: number;
  source: SnapshotSource;
  /** Which stream or URI it came from, for logs. */
  from: string;
}

const isCameraNum = (s: string): boolean => cameraNumSchema.safeParse(s).success;
const DAY = /^\d{8}$/;
const FILE = /^\d{6}(?:-\d{1,3})?\.jpg$/;

/** `[snapshots] dir`, relative paths taken from data_dir. */
export function snapshotDirOf(config: Pick<Config, 'gateway' | 'snapshots'>): string {
  const dir = config.snapshots.dir;
  return dir === undefined ? path.join(config.gateway.data_dir, 'snapshots') : path.resolve(config.gateway.data_dir, dir);
}

/** Beijing date and time of `ms`: the names of day directories and files (the operators' clock, not the box's). */
export function beijingStamp(ms: number): { day: string; time: string } {
  const iso = new Date(ms + 8 * 3600_000).toISOString();
  return { day: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/**
 * Whether `rel` is a snapshot path as this module names them. Every request path is checked
 * against this before it touches the disk, so no `..`, absolute path or odd name gets through.
 */
export function isSnapshotPath(rel: string): boolean {
  const parts = rel.split('/');
  return parts.length === 3 && isCameraNum(parts[0]!) && DAY.test(parts[1]!) && FILE.test(parts[2]!);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

export class SnapshotFiles {
  constructor(
    readonly dir: string,
    readonly store: SnapshotStore,
  ) {}

  /** The file of a snapshot path; throws for anything that is not one (see isSnapshotPath). */
  absPath(rel: string): string {
    if (!isSnapshotPath(rel)) throw new Error(`not a snapshot path: ${rel}`);
    return path.join(this.dir, ...rel.split('/'));
  }

  /** Writes the JPEG (to a temporary name, then renamed: never a half file under a real name) and records it. */
  async save(cameraNum: string, takenAt: number, cap: CapturedJpeg): Promise<Snapshot> {
    if (!isCameraNum(cameraNum)) throw new Error(`not a cameraNum: ${cameraNum}`);
    const { day, time } = beijingStamp(takenAt);
    const dayDir = path.join(this.dir, cameraNum, day);
    await fs.mkdir(dayDir, { recursive: true });
    let name = `${time}.jpg`;
    // Two snapshots in the same second (a `vcgw snapshot` beside the round) keep both.
    for (let n = 1; (await exists(path.join(dayDir, name))) || this.store.byPath(`${cameraNum}/${day}/${name}`); n++) {
      if (n > 999) throw new Error(`too many snapshots of ${cameraNum} at ${day} ${time}`);
      name = `${time}-${n}.jpg`;
    }
    const tmp = path.join(dayDir, `.${name}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      await fs.writeFile(tmp, cap.jpeg, { flag: 'wx' });
      await fs.rename(tmp, path.join(dayDir, name));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return this.store.insert({
      cameraNum,
      takenAt,
      path: `${cameraNum}/${day}/${name}`,
      width: cap.width,
      height: cap.height,
      bytes: cap.jpeg.length,
      source: cap.source,
    });
  }

  /** Removes the files and their rows; a file already gone is no error. */
  async remove(snaps: readonly Snapshot[]): Promise<void> {
    const dayDirs = new Set<string>();
    for (const s of snaps) {
      if (!isSnapshotPath(s.path)) continue;
      const file = this.absPath(s.path);
      await fs.rm(file, { force: true });
      dayDirs.add(path.dirname(file));
    }
    this.store.remove(snaps.map((s) => s.id));
    for (const d of dayDirs) await removeIfEmpty(d);
  }

  /**
   * Removes whole day directories older than `cutoffDay` (YYYYMMDD): files whose row was lost
   * (a crash between write and insert, a restored database) go too, so nothing piles up unseen.
   */
  async sweepDays(cutoffDay: string): Promise<number> {
    let removed = 0;
    const cams = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const cam of cams.filter(isCameraNum)) {
      const camDir = path.join(this.dir, cam);
      const days = await fs.readdir(camDir).catch(() => [] as string[]);
      for (const day of days.filter((d) => DAY.test(d) && d < cutoffDay)) {
        await fs.rm(path.join(camDir, day), { recursive: true, force: true });
        removed++;
      }
      await removeIfEmpty(camDir);
    }
    return removed;
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  await fs.rmdir(dir).catch(() => undefined); // ENOTEMPTY: still in use
}
