import type { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { VERSION } from '../version.js';
import { CliError, createContext, println } from './context.js';
import { COMMANDS } from './commands.js';

/** Runs the CLI with injected streams and returns the exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], stdout: Writable, stderr: Writable): Promise<number> {
  const program = new Command('vcgw')
    .description('Video-to-cloud gateway: cameras to the provincial video cloud')
    .version(VERSION)
    .option('-c, --config <file>', 'configuration file (default: $VCGW_CONFIG or /etc/vcgw/gateway.toml)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .showHelpAfterError();
  const ctx = createContext(stdout, stderr, () => program.opts<{ config?: string }>().config);
  for (const register of COMMANDS) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      println(stderr, `vcgw: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      println(stderr, `vcgw: ${err.message}`);
      return 2;
    }
    println(stderr, `vcgw: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
