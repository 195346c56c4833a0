// A minimal gateway config and a runner of `vcgw` verbs against it, for CLI tests.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** A province address on this machine that refuses connections. */
export const CLOSED_PROVINCE_URL = 'https://127.0.0.1:9';

/** Writes `<dir>/gateway.toml` with data in `dataDir` (default `<dir>/data`); `extra` lines are appended. */
export function writeMinimalConfig(dir: string, extra: readonly string[] = [], dataDir = path.join(dir, 'data')): string {
  const config = path.join(dir, 'gateway.toml');
  fs.writeFileSync(
    config,
    [
      '[gateway]',
      'device_code = "vg-108121"',
      `data_dir = "${dataDir}"`,
      '[province]',
      // Loopback port 9 (discard): nothing listens, so a check that dials the province fails at once
      // and no test ever sends traffic off this machine.
      `base_url = "${CLOSED_PROVINCE_URL}"`,
      'user = "Jzbgs"',
      'token = "FhpQWdqdShB1ZJ1u"',
      `sm2_private_key = "${'1f'.repeat(32)}"`,
      ...extra,
      '',
    ].join('\n'),
  );
  return config;
}

/** Runs `vcgw -c <config> …args` in-process and collects its output. */
export function cliRunner(config: string): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = await runCli(['-c', config, ...args], stdout, stderr);
    return { code, out: String(stdout.read() ?? ''), err: String(stderr.read() ?? '') };
  };
}
