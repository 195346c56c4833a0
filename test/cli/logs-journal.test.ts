// `vcgw logs` on the journal path: a real journal file, written by systemd-journal-remote from the
// export format (as journald would have stored the unit's stdout: PRIORITY from the line's <N>
// prefix, the JSON line as MESSAGE), read back through journalctl --directory. The entries of
// another unit must not show; --camera, --output, --since and --json filter as on the file path.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createLogger } from '../../src/log.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

/** One journal entry in the export format (systemd.io/JOURNAL_EXPORT_FORMATS); text fields only. */
function exportEntry(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n\n`;
}

t.test('vcgw logs reads the unit journal and filters it by camera, output and time', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-logs-journal-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The daemon's own logger makes the lines; their pino time is the journal's receive time.
  const lines: string[] = [];
  const log = createLogger('info', { write: (s: string) => void lines.push(s) });
  log.warn({ camera: 'cam-1', output: 'constant' }, 'push restarted');
  log.info({ camera: 'cam-2', output: 'ondemand' }, 'push started');
  log.info({ camera: 'cam-1' }, 'overlay written');
  const now = Date.now();
  const entries = lines.map((l) => JSON.parse(l) as { level: number; time: number });
  const bootId = crypto.randomUUID().replaceAll('-', '');
  let monotonic = 1_000_000;
  const journalEntry = (message: string, timeMs: number, priority: number, unit = 'vcgw.service') =>
    exportEntry({
      __REALTIME_TIMESTAMP: String(timeMs * 1000),
      __MONOTONIC_TIMESTAMP: String((monotonic += 1000)),
      _BOOT_ID: bootId,
      _SYSTEMD_UNIT: unit,
      SYSLOG_IDENTIFIER: unit.replace('.service', ''),
      PRIORITY: String(priority),
      MESSAGE: message,
    });
  const twoHoursAgo = now - 2 * 3_600_000;
  const stream = [
    journalEntry(JSON.stringify({ level: 30, time: twoHoursAgo, camera: 'cam-1', msg: 'two hours ago' }), twoHoursAgo, 6),
    ...lines.map((l, i) => journalEntry(l.trimEnd(), entries[i]!.time, entries[i]!.level === 40 ? 4 : 6)),
    journalEntry('not json: a crash trace', now, 3),
    // Another service on the box whose lines happen to name the camera.
    journalEntry(JSON.stringify({ level: 30, time: now, camera: 'cam-1', msg: 'from chrony?' }), now, 6, 'chrony.service'),
  ].join('');
  const journalDir = path.join(dir, 'journal');
  fs.mkdirSync(journalDir);
  const made = spawnSync(JOURNAL_REMOTE, [`--output=${path.join(journalDir, 'remote.journal')}`, '-'], { input: stream, encoding: 'utf8' });
  t.equal(made.status, 0, `systemd-journal-remote wrote the journal file (scripts/deps.sh installs it): ${made.stderr}`);

  const run = cliRunner(writeMinimalConfig(dir));
  const logs = (...args: string[]) => run('logs', '--journal-dir', journalDir, ...args);

  const all = await logs();
  t.equal(all.code, 0, all.err);
  t.equal(all.out.trimEnd().split('\n').length, 5, "every line of the vcgw unit, none of chrony's");
  t.match(all.out, /^not json: a crash trace$/m, 'unfiltered, a line that is not JSON shows as it is');

  const cam1 = await logs('--camera', 'cam-1');
  t.match(
    cam1.out.trimEnd().split('\n'),
    [/INFO  \[cam-1\] two hours ago$/, /WARN  \[cam-1\] push restarted \{"output":"constant"\}$/, /INFO  \[cam-1\] overlay written$/],
    '--camera: its three lines, oldest first, for a person',
  );

  const recent = await logs('--camera', 'cam-1', '--since', '1h', '--json');
  t.same(
    recent.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['push restarted', 'overlay written'],
    '--since 1h drops the two-hour-old line; --json gives the JSON lines as pino wrote them',
  );

  const ondemand = await logs('--output', 'ondemand', '--json');
  t.match(JSON.parse(ondemand.out), { camera: 'cam-2', msg: 'push started' }, '--output ondemand: the one line');

  const none = await logs('--camera', 'no-such-camera');
  t.equal(none.out, '');
  t.equal(none.err, `no log lines match (journal of vcgw in ${journalDir})\n`, 'an empty result is said, naming where it looked');

  const missing = await run('logs', '--journal-dir', path.join(dir, 'nope'));
  t.equal(missing.code, 2);
  t.match(missing.err, /--journal-dir .*nope: no such directory/);
});
