// `vcgw report online`: the seed 003 Appendix F (test 5.3) online rate from the checks the daemon recorded.
import type { Command } from 'commander';
import { beijingDate, beijingMidnight, checkSlots, DAY_MS, daysEndingWith } from '../modules/reports/checkSlots.js';
import { CONSECUTIVE_DAYS, onlineReport, ONLINE_CHECKS_NEEDED, TARGET_PERCENT, type OnlineReport } from '../modules/reports/onlineRate.js';
import { CameraStore } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { OnlineCheckStore } from '../store/onlineChecks.js';
import { CliError, println, table, type CliContext } from './context.js';

function parseDays(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new CliError(`--days ${v}: must be a whole number of days from 1 to 366`, 2);
  return n;
}

function parseDate(v: string | undefined, now: number): string {
  if (v === undefined) return beijingDate(now - DAY_MS); // the last complete day
  try {
    beijingMidnight(v);
  } catch (err) {
    throw new CliError(`--date ${(err as Error).message}`, 2);
  }
  return v;
}

function humanReport(r: OnlineReport): string {
  const days = table(
    r.days.map((d) => ({
      date: d.date,
      online: `${d.camerasOnline}/${d.cameras}`,
      rate: `${d.percent.toFixed(2)} %`,
      verdict: d.meetsTarget ? 'ok' : `below ${TARGET_PERCENT} %`,
      'gateway down': d.gatewayDownChecks === 0 ? '' : `${d.gatewayDownChecks} of 36 checks`,
    })),
    ['date', 'online', 'rate', 'verdict', 'gateway down'],
  );
  const cameras = table(
    r.cameras.map((c) => ({
      camera: c.id ?? `${c.cameraNum} (removed)`,
      ...Object.fromEntries(c.days.map((d) => [d.date.slice(5), `${d.online ? 'on' : 'OFF'} ${d.onlineChecks}`])),
      'online days': `${c.onlineDays}/${c.days.length}`,
      verdict: c.meetsTarget ? 'ok' : `below ${TARGET_PERCENT} %`,
    })),
    ['camera', ...r.days.map((d) => d.date.slice(5)), 'online days', 'verdict'],
  );
  const section = r.sectionFails
    ? `section: FAILS (below ${TARGET_PERCENT} % on ${CONSECUTIVE_DAYS} consecutive days)`
    : `section: passes (not below ${TARGET_PERCENT} % on ${CONSECUTIVE_DAYS} consecutive days)`;
  const rule = `A camera is online on a day when online at >= ${ONLINE_CHECKS_NEEDED} of the 36 checks (06:00-23:30 Beijing time); "on 24" = online day, 24 checks online. A check the gateway was down for counts as not online.`;
  return [days, '', cameras, '', section, rule].join('\n');
}

export function registerReportOnline(report: Command, ctx: CliContext): void {
  report
    .command('online')
    .description('online rate per day and per camera by the Appendix F rule (36 half-hourly checks 06:00-23:30, online on >= 20), from the checks this gateway recorded')
    .option('--days <n>', 'days in the period', '7')
    .option('--date <YYYY-MM-DD>', 'last day of the period, Beijing time (default: yesterday)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  vcgw report online\n  vcgw report online --days 30 --date 2026-12-01 --json')
    .action((opts: { days: string; date?: string; json?: boolean }) => {
      const now = Date.now();
      const dates = daysEndingWith(parseDate(opts.date, now), parseDays(opts.days));
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const cameras = new Map(new CameraStore(db).all().map((c) => [c.record.cameraNum, c.id]));
        const from = checkSlots(dates[0]!)[0]!;
        const to = checkSlots(dates.at(-1)!).at(-1)! + 1;
        const report = onlineReport(dates, cameras, new OnlineCheckStore(db).between(from, to));
        println(ctx.stdout, opts.json ? JSON.stringify(report, null, 2) : humanReport(report));
      } finally {
        db.close();
      }
    });
}
