import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { issueLines } from '../util/zodIssues.js';
import { configSchema, type Config } from './schema/index.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** "province.base_url: must be an http(s) URL" for each issue; unknown keys name the key itself. */
export function formatIssues(error: z.ZodError): string[] {
  return issueLines(error, { unknownKey: 'unknown key', whole: '(top level)' });
}

const FILE_KEYS: ReadonlyArray<[keyof Config, string]> = [
  ['province', 'sm2_private_key_file'],
  ['province', 'ca_file'],
  ['province', 'client_cert_file'],
  ['province', 'client_key_file'],
  ['api', 'tls_cert_file'],
  ['api', 'tls_key_file'],
  ['api', 'client_ca_file'],
  ['gateway', 'data_dir'],
];

/** Validates an already-parsed TOML document; relative paths are taken from `baseDir`. */
export function parseConfig(doc: unknown, file: string, baseDir: string): Config {
  const result = configSchema.safeParse(doc);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error));
  const config = result.data;
  for (const [section, key] of FILE_KEYS) {
    const obj = config[section] as unknown as Record<string, unknown>;
    const value = obj[key];
    if (typeof value === 'string') obj[key] = path.resolve(baseDir, value);
  }
  return config;
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? `line ${err.line}, column ${err.column}` : 'TOML';
    throw new ConfigError(file, [`${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  return parseConfig(doc, file, path.dirname(path.resolve(file)));
}
