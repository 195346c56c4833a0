import type { Command } from 'commander';
import { CameraStore } from '../store/cameras.js';
import { MediaStatusStore } from '../store/mediaStatus.js';
import { openDb } from '../store/db.js';
import { OutboxStore } from '../store/outbox.js';
import { TokenStore } from '../store/tokens.js';
import { CameraStateTracker } from '../modules/health/cameraState.js';
import { silentLogger } from '../log.js';
import { println, table, type CliContext } from './context.js';

const ONLINE_NAMES = ['offline', 'online', 'fault'] as const;
/** The daemon rewrites the media table every 2 s; older rows mean it is not running. */
const MEDIA_STALE_MS = 15_000;
const ago = (ms: number | null | undefined, now: number) =>
  ms === null || ms === undefined ? 'never' : `${Math.round((now - ms) / 1000)} s ago`;

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show the token, the outbox and every camera with its state')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  vcgw status\n  vcgw status --json | jq .outbox')
    .action((opts: { json?: boolean }) => {
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const now = Date.now();
        const cameras = new CameraStore(db);
        const outbox = new OutboxStore(db);
        const state = new CameraStateTracker({ db, cameras, outbox, fullIntervalMs: 3600_000, log: silentLogger() });
        const token = new TokenStore(db).current();
        const pending = outbox.list({ pending: true, limit: 1000 });
        const media = new MediaStatusStore(db).all();
        const daemonLive = media.some((m) => now - m.updatedAt < MEDIA_STALE_MS);
        const report = {
          deviceCode: config.gateway.device_code,
          token: token && { origin: token.origin, obtained: ago(token.obtainedAt, now), confirmed: token.confirmedAt !== null },
          outbox: { ...outbox.counts(), oldestPending: ago(pending.at(-1)?.createdAt, now), lastError: pending.find((p) => p.lastError)?.lastError ?? null },
          cameras: cameras.all().map((c) => {
            const s = state.get(c.record.cameraNum);
            return {
              id: c.id,
              cameraNum: c.record.cameraNum,
              state: s ? ONLINE_NAMES[s.online] : 'unknown',
              since: ago(s?.changedAt, now),
              sync: c.syncState === 'rejected' ? `rejected: ${c.syncMsg ?? ''}` : c.syncState,
            };
          }),
          media: media.map((m) => ({
            camera: cameras.byNum(m.cameraNum)?.id ?? m.cameraNum,
            role: m.role,
            state: daemonLive ? m.state : `${m.state} (stale: daemon not running?)`,
            fps: m.fps === null ? null : Math.round(m.fps * 10) / 10,
            kbps: m.kbps === null ? null : Math.round(m.kbps),
            restarts: m.restarts,
            since: m.since === null ? null : ago(m.since, now),
            detail: m.detail,
            lastError: m.lastError,
          })),
        };
        if (opts.json) return println(ctx.stdout, JSON.stringify(report, null, 2));
        println(ctx.stdout, `gateway ${report.deviceCode}`);
        println(ctx.stdout, token ? `token   from ${token.origin}, obtained ${report.token!.obtained}${token.confirmedAt ? '' : ' (not yet confirmed by the platform)'}` : 'token   none');
        println(
          ctx.stdout,
          `outbox  ${report.outbox.pending} pending (${report.outbox.failing} retrying, oldest ${report.outbox.oldestPending}), ${report.outbox.delivered} delivered${report.outbox.lastError ? `; last error: ${report.outbox.lastError}` : ''}`,
        );
        println(ctx.stdout);
        println(ctx.stdout, table(report.cameras, ['id', 'cameraNum', 'state', 'since', 'sync']));
        println(ctx.stdout);
        if (report.media.length === 0) println(ctx.stdout, 'media   no pipeline running (is the daemon up?)');
        else println(ctx.stdout, table(report.media, ['camera', 'role', 'state', 'fps', 'kbps', 'restarts', 'since', 'detail', 'lastError']));
      } finally {
        db.close();
      }
    });
}
