// `vcgw logs`: the daemon's log, from the journal or from gateway.log_file, filtered for a camera or an output.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore } from '../store/cameras.js';
import { DB_FILE, openDb } from '../store/db.js';
import { CliError, println, type CliContext } from './context.js';
import { fileLines, journalLines, matches, parseLine, parseSince, type LogEntry, type LogFilter } from './logLines.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SHOWN_ELSEWHERE = new Set(['time', 'level', 'msg', 'svc', 'pid', 'hostname', 'camera', 'cameraNum']);

/** A camera given by id or number matches log lines that name it either way. */
function cameraNames(dataDir: string, camera: string): Set<string> {
  const names = new Set([camera]);
  if (!fs.existsSync(path.join(dataDir, DB_FILE))) return names;
  const db = openDb(dataDir, { readonly: true });
  try {
    const cam = new CameraStore(db).find(camera);
    if (cam) names.add(cam.id).add(cam.record.cameraNum);
  } finally {
    db.close();
  }
  return names;
}

/** One line for a person: Beijing time, level, camera, message, the other fields compactly. */
export function humanLine(e: LogEntry): string {
  const rest = Object.fromEntries(Object.entries(e).filter(([k]) => !SHOWN_ELSEWHERE.has(k)));
  const cam = e['camera'] ?? e['cameraNum'];
  return [
    typeof e.time === 'number' ? beijingDateTime(e.time) : '-',
    (LEVELS[e.level ?? 30] ?? String(e.level)).padEnd(5),
    cam === undefined ? '' : `[${String(cam)}]`,
    e.msg ?? '',
    Object.keys(rest).length > 0 ? JSON.stringify(rest) : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
}

export function registerLogsCommand(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description('the daemon log (journal of the vcgw unit, or gateway.log_file when set), filtered by camera, output and time')
    .option('--camera <id|cameraNum>', 'only lines about this camera')
    .option('--output <o>', 'only lines about this output (output, role or videoType field: e.g. constant, ondemand, 1)')
    .option('--since <when>', 'only lines since 12h / 30m / 2d ago, or an ISO date/time')
    .option('--file <path>', 'read this log file instead')
    .option('--journal-dir <dir>', "read the journal files in this directory (journalctl --directory), e.g. another box's /var/log/journal")
    .option('--json', 'the matching JSON lines as they are')
    .addHelpText('after', '\nExamples:\n  vcgw logs --camera K1844+158-up --since 12h\n  vcgw logs --output constant --since 2026-12-01T08:00+08:00 --json')
    .action(async (opts: { camera?: string; output?: string; since?: string; file?: string; journalDir?: string; json?: boolean }) => {
      const config = ctx.loadConfig();
      const filter: LogFilter = { output: opts.output };
      if (opts.since !== undefined) {
        filter.since = parseSince(opts.since, Date.now());
        if (filter.since === undefined) throw new CliError(`--since ${opts.since}: must be like 12h, 30m, 2d or an ISO date/time`, 2);
      }
      if (opts.camera !== undefined) filter.cameras = cameraNames(config.gateway.data_dir, opts.camera);
      if (opts.file !== undefined && opts.journalDir !== undefined) throw new CliError('--file and --journal-dir: give one of them', 2);
      if (opts.journalDir !== undefined && !fs.statSync(opts.journalDir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`--journal-dir ${opts.journalDir}: no such directory`, 2);
      const file = opts.journalDir !== undefined ? undefined : (opts.file ?? config.gateway.log_file);
      if (file !== undefined && !fs.existsSync(file)) throw new CliError(`${opts.file ? '--file' : 'gateway.log_file'} ${file}: no such file`);
      const lines = file !== undefined ? fileLines(file) : journalLines('vcgw', filter.since, opts.journalDir);
      let shown = 0;
      try {
        for await (const line of lines) {
          const entry = parseLine(line);
          if (!matches(entry, filter)) continue;
          println(ctx.stdout, opts.json || entry === undefined ? line : humanLine(entry));
          shown++;
        }
      } catch (err) {
        throw new CliError(`${err instanceof Error ? err.message : String(err)} (set gateway.log_file on a box without journald)`);
      }
      if (shown === 0 && !opts.json) ctx.stderr.write(`no log lines match (${file ?? `journal of vcgw${opts.journalDir === undefined ? '' : ` in ${opts.journalDir}`}`})\n`);
    });
}
