import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema/index.js';

export const DEFAULT_CONFIG = '/etc/vcgw/gateway.toml';

/** What every command gets: injected output streams (testable) and the config path. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  /** Resolved lazily: only commands that need the config load it. */
  configPath(): string;
  loadConfig(): Config;
}

/** Adds one top-level verb to the program (cli/commands.ts lists them all). */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Thrown by a command to end with a message and an exit code (2 usage/validation, 1 failure). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function createContext(stdout: Writable, stderr: Writable, getConfigOption: () => string | undefined): CliContext {
  const configPath = () => getConfigOption() ?? process.env['VCGW_CONFIG'] ?? DEFAULT_CONFIG;
  return { stdout, stderr, configPath, loadConfig: () => loadConfig(configPath()) };
}

export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

/** Terminal columns of a string: CJK and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

/** Fixed-width table for humans; --json is for scripts. */
export function table(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => displayWidth(row[i]!))));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => v + ' '.repeat(Math.max(0, widths[i]! - displayWidth(v))))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}
