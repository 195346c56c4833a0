// Per-box setup steps the Debian package and the image's first boot run: the API certificate and
// the chrony drop-in, both from the gateway's config.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { ensureServerTls } from '../modules/api/tls.js';
import { CHRONY_DROP_IN, chronyDropIn } from '../modules/time/chrony.js';
import { println, type CliContext } from './context.js';

export function registerSetupCommand(program: Command, ctx: CliContext): void {
  const setup = program.command('setup').description("per-box setup: the API certificate, this box's clock (chrony)");
  setup
    .command('tls')
    .description('make the self-signed API certificate in data_dir unless [api] names one (the daemon would make it at start)')
    .action(async () => {
      const config = ctx.loadConfig();
      const tls = await ensureServerTls(config.api, config.gateway.data_dir, createLogger('warn', ctx.stderr));
      println(ctx.stdout, `${tls.generated ? 'generated' : 'kept'} ${tls.selfSigned ? 'self-signed' : 'configured'} server certificate, SHA-256 ${tls.fingerprint256}`);
    });
  setup
    .command('chrony')
    .description(`the chrony drop-in from [time]: the province's time servers, the networks served (default: print it)`)
    .option('--write [file]', `write it (default ${CHRONY_DROP_IN}) instead of printing`)
    .action((opts: { write?: string | true }) => {
      const text = chronyDropIn(ctx.loadConfig().time, ctx.configPath());
      if (opts.write === undefined) return void ctx.stdout.write(text);
      const file = opts.write === true ? CHRONY_DROP_IN : opts.write;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
      fs.renameSync(`${file}.tmp`, file);
      println(ctx.stdout, `wrote ${file}`);
    });
}
