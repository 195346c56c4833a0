import type { Command } from 'commander';
import { openDb } from '../store/db.js';
import { OUTBOX_KINDS, OutboxStore, type OutboxKind } from '../store/outbox.js';
import { CliError, println, table, type CliContext } from './context.js';

export function registerOutboxCommand(program: Command, ctx: CliContext): void {
  program
    .command('outbox')
    .description('list reports queued for (or delivered to) the province')
    .option('--pending', 'only reports not yet delivered')
    .option('--kind <kind>', `one of ${OUTBOX_KINDS.join(', ')}`)
    .option('--limit <n>', 'rows to show', '50')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  vcgw outbox --pending\n  vcgw outbox --kind camera.status --json')
    .action((opts: { pending?: boolean; kind?: string; limit: string; json?: boolean }) => {
      if (opts.kind !== undefined && !(OUTBOX_KINDS as readonly string[]).includes(opts.kind)) {
        throw new CliError(`--kind: must be one of ${OUTBOX_KINDS.join(', ')}`, 2);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100000) throw new CliError('--limit: must be a whole number 1–100000', 2);
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const rows = new OutboxStore(db).list({ pending: opts.pending, kind: opts.kind as OutboxKind | undefined, limit });
        if (opts.json) return println(ctx.stdout, JSON.stringify(rows, null, 2));
        const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
        println(
          ctx.stdout,
          table(
            rows.map((r) => ({
              id: r.id,
              kind: r.kind,
              queued: iso(r.createdAt),
              delivered: iso(r.deliveredAt),
              attempts: r.attempts,
              error: r.lastError ?? '',
            })),
            ['id', 'kind', 'queued', 'delivered', 'attempts', 'error'],
          ),
        );
      } finally {
        db.close();
      }
    });
}
