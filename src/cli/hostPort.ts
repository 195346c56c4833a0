import { CliError } from './context.js';

/** A flag's "host:port" (IPv6 in brackets); a usage error naming the flag and showing `example` otherwise. */
export function parseHostPort(value: string, flag: string, example: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new CliError(`${flag}: expected host:port such as ${example}, got ${value}`, 2);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
