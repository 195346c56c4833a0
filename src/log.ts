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
  return pino(
    { level, base: { svc: 'vcgw' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
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

/** A logger that drops everything: for CLI verbs and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** rtmp://user:pass@host/app?k=secret → rtmp://***@host/app?*** */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@').replace(/\?.*$/, '?***');
}
