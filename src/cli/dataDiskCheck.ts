// `vcgw doctor`: is there room on the data directory's filesystem, and does a write there still
// succeed? A full disk first stops snapshots (the guard prunes and skips them), then the
// database and the outbox (issue 15). A probe write is the only sure test: free-block counts
// do not show a filesystem out of inodes or mounted read-only.
import fs from 'node:fs';
import path from 'node:path';

export interface DiskCheck {
  check: string;
  result: 'ok' | 'warn' | 'FAIL';
  detail: string;
}

const PROBE_BYTES = 64 * 1024;

export function dataDiskCheck(dataDir: string, minFreeMb: number): DiskCheck {
  const check = 'data disk';
  let freeMb: number;
  try {
    const st = fs.statfsSync(dataDir);
    freeMb = (st.bavail * st.bsize) / 1048576;
  } catch (err) {
    return { check, result: 'FAIL', detail: `${dataDir}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const probe = path.join(dataDir, `.doctor-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, Buffer.alloc(PROBE_BYTES), { flush: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the filesystem is read-only' : String((err as Error).message);
    return { check, result: 'FAIL', detail: `${dataDir}: ${freeMb.toFixed(1)} MB free and a ${PROBE_BYTES / 1024} KiB write fails: ${why}; the database and the outbox cannot take new rows` };
  } finally {
    fs.rmSync(probe, { force: true });
  }
  if (freeMb < minFreeMb) {
    return { check, result: 'warn', detail: `${dataDir}: ${freeMb.toFixed(1)} MB free, under snapshots.min_free_mb (${minFreeMb}): snapshots are pruned and skipped` };
  }
  return { check, result: 'ok', detail: `${dataDir}: ${freeMb.toFixed(0)} MB free, writes succeed` };
}
