import type { Command } from 'commander';
import { createLogger, logDestination } from '../log.js';
import { startDaemon } from '../modules/daemon.js';
import { serviceManager } from '../modules/systemd/notify.js';
import { stopGracefully } from '../modules/systemd/stop.js';
import { keepRunningOnStorageFull } from '../modules/systemd/storageFull.js';
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
      const manager = serviceManager();
      keepRunningOnStorageFull(log);
      // Signals that arrive during the start are kept, and honoured once it is done.
      const signalled = untilSignal();
      const daemon = await startDaemon(config, log);
      // startDaemon resolves once the store is open, the province session and the constant
      // pushes are started and the API answers: what READY=1 promises (systemd/vcgw.service).
      manager.ready(daemon.summary);
      const watchdog = manager.startWatchdog();
      if (watchdog) log.info({ everyMs: watchdog.everyMs }, 'systemd watchdog is fed from the event loop');
      // stdout carries the JSON log; a person at a terminal (or journalctl) also gets this line.
      ctx.stderr.write(`${daemon.summary}\n`);
      const sig = await signalled;
      manager.stopping(`stopping on ${sig}`);
      log.info({ signal: sig }, 'stopping');
      const clean = await stopGracefully(() => daemon.stop(), log);
      watchdog?.stop();
      log.info({ clean }, 'stopped');
      log.flush();
    });
}
