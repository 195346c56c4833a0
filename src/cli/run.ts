import type { Command } from 'commander';
import { createLogger, logDestination } from '../log.js';
import { startDaemon } from '../modules/daemon.js';
import type { CliContext } from './context.js';

/** Resolves when the process is asked to stop. */
export function untilSignal(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (sig: NodeJS.Signals) => {
      for (const s of signals) process.off(s, handler);
      resolve(sig);
    };
    for (const s of signals) process.on(s, handler);
  });
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run the gateway daemon (what the systemd unit starts)')
    .addHelpText('after', '\nExample:\n  vcgw run --config /etc/vcgw/gateway.toml')
    .action(async () => {
      const config = ctx.loadConfig();
      const log = createLogger(config.gateway.log_level, logDestination(config.gateway.log_file));
      const daemon = await startDaemon(config, log);
      // stdout carries the JSON log; a person at a terminal (or journalctl) also gets this line.
      ctx.stderr.write(`${daemon.summary}\n`);
      const sig = await untilSignal();
      log.info({ signal: sig }, 'stopping');
      await daemon.stop();
      log.flush();
    });
}
