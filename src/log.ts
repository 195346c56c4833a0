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
 * stdout (journald) and, on a box without journald, gateway.log_file too: the same JSON lines in
 * both. The file is written synchronously so the lines before a crash are in it.
 */
export function logDestination(file: string | undefined, stdout: pino.DestinationStream = pino.destination({ fd: 1, sync: false })): pino.DestinationStream | undefined {
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
