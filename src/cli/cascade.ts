// `vcgw cascade …`: the upper GB/T 28181 platforms of [[cascade]], their live state (written by
// the daemon), the tree and codes each one is shown, and the code segments with their use.
import type { Command } from 'commander';
import type { CascadePlatformConfig } from '../config/schema/cascade.js';
import { cameraListPort } from '../modules/cascade/appPorts.js';
import { setManualCode, sharedView } from '../modules/cascade/catalog.js';
import { checkSegments, toSegment } from '../modules/cascade/codes.js';
import { CASCADE_STATUS_KEY } from '../modules/cascade/service.js';
import type { LinkStatus } from '../modules/cascade/uplink.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore } from '../store/cameras.js';
import { CascadeCodeStore } from '../store/cascadeCodes.js';
import { getKv, openDb, type Db } from '../store/db.js';
import type { RegisterCommand } from './context.js';
import { CliError, println, table, type CliContext } from './context.js';

function platformsOf(ctx: CliContext): CascadePlatformConfig[] {
  return ctx.loadConfig().cascade;
}

function platformArg(ctx: CliContext, name: string): CascadePlatformConfig {
  const all = platformsOf(ctx);
  const p = all.find((x) => x.name === name);
  if (!p) throw new CliError(`NAME: no [[cascade]] named ${JSON.stringify(name)} (configured: ${all.map((x) => x.name).join(', ') || 'none'})`, 2);
  return p;
}

function withDb<T>(ctx: CliContext, fn: (db: Db) => T): T {
  const db = openDb(ctx.loadConfig().gateway.data_dir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const view = (db: Db, p: CascadePlatformConfig) => sharedView(p, cameraListPort(new CameraStore(db)), new CascadeCodeStore(db));
const redacted = (p: CascadePlatformConfig) => ({ ...p, password: p.password ? '(set)' : '(empty)' });

export const registerCascadeCommand: RegisterCommand = (program: Command, ctx: CliContext) => {
  const cascade = program.command('cascade').description('Upper GB/T 28181 platforms this gateway registers to as a lower platform ([[cascade]])');

  cascade
    .command('list')
    .description('The configured upper platforms')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const platforms = platformsOf(ctx);
      if (opts.json) return println(ctx.stdout, JSON.stringify(platforms.map(redacted), null, 2));
      if (platforms.length === 0) return println(ctx.stdout, 'no [[cascade]] platform is configured');
      println(
        ctx.stdout,
        table(
          platforms.map((p) => ({
            name: p.name,
            enabled: p.enabled ? 'yes' : 'no',
            upper: `${p.upper_id} ${p.sip_transport.toUpperCase()} ${p.upper_address}:${p.upper_port}`,
            local: `${p.local_id} :${p.local_port}`,
            streams: p.stream_transport,
            heartbeat: `${p.heartbeat_s} s`,
          })),
          ['name', 'enabled', 'upper', 'local', 'streams', 'heartbeat'],
        ),
      );
    });

  cascade
    .command('show')
    .argument('<NAME>', 'platform name')
    .description('One platform: every setting (password hidden)')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: { json?: boolean }) => {
      const p = redacted(platformArg(ctx, name));
      if (opts.json) return println(ctx.stdout, JSON.stringify(p, null, 2));
      println(ctx.stdout, table(Object.entries(p).map(([key, value]) => ({ key, value: typeof value === 'object' ? JSON.stringify(value) : value })), ['key', 'value']));
    });

  cascade
    .command('status')
    .description('Registration, keep-alives and streams of each platform, as the running daemon last wrote them')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withDb(ctx, (db) => {
        const raw = getKv(db, CASCADE_STATUS_KEY);
        const written = raw ? (JSON.parse(raw) as { at: number; links: LinkStatus[] }) : undefined;
        if (opts.json) return println(ctx.stdout, JSON.stringify(written ?? null, null, 2));
        if (!written) return println(ctx.stdout, 'no cascade status yet (is `vcgw run` running with a [[cascade]] platform?)');
        println(ctx.stdout, `as of ${beijingDateTime(written.at)} (Beijing time)`);
        println(
          ctx.stdout,
          table(
            written.links.map((l) => ({
              name: l.name,
              state: l.state,
              since: l.registeredAt ? beijingDateTime(l.registeredAt) : '',
              keepalives: `${l.keepalivesAnswered}/${l.keepalivesSent}`,
              streams: l.streams.length,
              error: l.lastError ?? '',
            })),
            ['name', 'state', 'since', 'keepalives', 'streams', 'error'],
          ),
        );
      }),
    );

  cascade
    .command('channels')
    .argument('<NAME>', 'platform name')
    .description('The organization tree and channels shared with the platform, with their codes (assigned now where missing)')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: { json?: boolean }) =>
      withDb(ctx, (db) => {
        const p = platformArg(ctx, name);
        const v = view(db, p);
        const manual = new Set(new CascadeCodeStore(db).forPlatform(p.name).filter((r) => r.manual).map((r) => r.nodeKey));
        const rows = v.nodes.map((n) => ({ code: n.code, kind: n.kind, level: n.level, name: n.name, parent: n.parentCode, key: n.key, manual: manual.has(n.key) }));
        if (opts.json) return println(ctx.stdout, JSON.stringify({ nodes: rows, problems: v.problems }, null, 2));
        println(ctx.stdout, table(rows, ['code', 'level', 'name', 'parent', 'key']));
        for (const p of v.problems) println(ctx.stderr, `${p.rule}: ${p.message}`);
      }),
    );

  cascade
    .command('code')
    .argument('<NAME>', 'platform name')
    .argument('<NODE_KEY>', 'the node (key from `vcgw cascade channels NAME --json`)')
    .argument('<CODE>', 'its 20-digit code, inside a segment of the right type, used nowhere else in the tree')
    .description('Sets the code of a tree node or channel by hand (kept across restarts; automatic codes never take or move it)')
    .action((name: string, nodeKey: string, code: string) =>
      withDb(ctx, (db) => {
        const p = platformArg(ctx, name);
        const outcome = setManualCode(p, cameraListPort(new CameraStore(db)), new CascadeCodeStore(db), nodeKey, code);
        if (!outcome.ok) throw new CliError(outcome.error, 2);
        println(ctx.stdout, `${nodeKey} now has code ${code} at ${p.name} (set by hand)`);
      }),
    );

  cascade
    .command('segments')
    .description('The code segments of every platform: type, size, codes used, problems')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withDb(ctx, (db) => {
        const store = new CascadeCodeStore(db);
        const rows = platformsOf(ctx).flatMap((p) => {
          const used = store.forPlatform(p.name).map((r) => r.code);
          const segments = p.segments.map(toSegment);
          const overlaps = checkSegments(segments);
          return segments.map((s) => ({
            platform: p.name,
            from: s.from,
            to: s.to,
            type: s.type,
            size: s.last - s.first + 1,
            used: used.filter((c) => c.slice(0, 13) === s.prefix && Number(c.slice(13)) >= s.first && Number(c.slice(13)) <= s.last).length,
            problem: overlaps.filter((o) => o.code === s.from).map((o) => o.message).join('; '),
          }));
        });
        if (opts.json) return println(ctx.stdout, JSON.stringify(rows, null, 2));
        if (rows.length === 0) return println(ctx.stdout, 'no code segment is configured');
        println(ctx.stdout, table(rows, ['platform', 'from', 'to', 'type', 'size', 'used', 'problem']));
      }),
    );
};
