import fs from 'node:fs';
import pino from 'pino';

export type Logger = pino.Logger;

/** Secrets never reach the log (ARCHITECTURE §7). */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'TAuth',
  '*.TAuth',
  'headers.tauth',
  'password',
  '*.password',
  'onvifPassword',
  '*.onvifPassword',
  'sm2_private_key',
  '*.sm2_private_key',
  'analyse_key',
  '*.analyse_key',
  'authInfo',
  '*.authInfo',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { svc: 'vcgw' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination ?? stdoutDestination());
}

/** stdout, with journald's priority prefix when stdout is the journal. */
export function stdoutDestination(): pino.DestinationStream {
  const out = pino.destination({ fd: 1, sync: false });
  return stdoutIsJournal() ? withJournalPriority(out) : out;
}

/**
 * A module's logger, with `mod` bound once. pino appends a child's bindings to its parent's, so
 * binding `mod` under a logger that already has one prints the key twice (journald, Loki and jq
 * keep only one): the same module is not bound again, and a part of another module is bound as
 * `part` instead.
 */
export function moduleLog(log: Logger, mod: string): Logger {
  const bound = (log.bindings() as { mod?: unknown }).mod;
  if (bound === mod) return log;
  return log.child(bound === undefined ? { mod } : { part: mod });
}

/** systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected to the journal (systemd.exec(5)). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.JOURNAL_STREAM) return false;
  try {
    const st = fs.fstatSync(1);
    return env.JOURNAL_STREAM === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

/** pino level → syslog priority. */
const PRIORITY: Record<string, number> = { '10': 7, '20': 7, '30': 6, '40': 4, '50': 3, '60': 2 };

/**
 * Under journald each JSON line is one entry, so `journalctl -u vcgw -o cat | jq` reads the fields
 * (camera, output, mod …). A leading `<N>` gives the entry its priority (SyslogLevelPrefix=, on by
 * default), which journald strips from the message: `journalctl -p warning` then works too.
 */
export function withJournalPriority(dest: pino.DestinationStream & { flushSync?: () => void; flush?: (cb?: (err?: Error) => void) => void }) {
  return {
    write(line: string) {
      // pino writes the level first: {"level":30,...
      const level = /^\{"level":(\d+)/.exec(line)?.[1];
      dest.write(`<${(level && PRIORITY[level]) ?? 6}>${line}`);
    },
    flush: (cb?: (err?: Error) => void) => (dest.flush ? dest.flush(cb) : cb?.()),
    flushSync: () => dest.flushSync?.(),
  };
}

/**
 * stdout (journald) and, on a box without journald, gateway.log_file too: the same JSON lines in
 * both. The file is written synchronously so the lines before a crash are in it.
 */
export function logDestination(file: string | undefined, stdout: pino.DestinationStream = stdoutDestination()): pino.DestinationStream | undefined {
  if (file === undefined) return undefined;
  return pino.multistream([{ stream: stdout }, { stream: pino.destination({ dest: file, mkdir: true, append: true, sync: true }) }]);
}

/** A logger that drops everything: for CLI verbs and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** rtmp://user:pass@host/app?k=secret → rtmp://***@host/app?*** */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@').replace(/\?.*$/, '?***');
}
