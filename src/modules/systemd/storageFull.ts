// The last line of defence for a full data disk (issue 15): a write that meets it where nobody
// expected one (a periodic job, a SIP handler) must not take the daemon down, because restarting
// does not make room and the box's main job, pushing video, needs no disk. Such an error is logged
// (once a minute at most) and the daemon goes on; the job that threw tries again on its next
// round. Any other uncaught error still ends the process, as Node would, for systemd to restart it.
import type { Logger } from '../../log.js';

const STORAGE_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** True for errors of a full or failing data disk: SQLite's FULL and IOERR family, ENOSPC, EDQUOT. */
export function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (STORAGE_FULL_CODES.has(code) || code.startsWith('SQLITE_IOERR'));
}

export interface StorageFullGuard {
  /** Storage errors survived since start. */
  survived(): number;
}

/** Installs the guard on this process; `logEveryMs`: at most one log line per this time. */
export function keepRunningOnStorageFull(log: Logger, logEveryMs = 60_000): StorageFullGuard {
  let count = 0;
  let loggedAt = -Infinity;
  let unlogged = 0;
  process.on('uncaughtException', (err: Error, origin: string) => {
    if (!isStorageFull(err)) {
      log.fatal({ err, origin }, 'uncaught error: the daemon stops');
      log.flush();
      // Node's own exit code for an uncaught exception.
      process.exit(1);
    }
    count++;
    if (Date.now() - loggedAt < logEveryMs) {
      unlogged++;
      return;
    }
    log.error({ err: err.message, code: (err as { code?: string }).code, at: err.stack?.split('\n')[1]?.trim(), alsoSince: unlogged }, 'data disk full: a write failed, the daemon goes on');
    loggedAt = Date.now();
    unlogged = 0;
  });
  return { survived: () => count };
}
