// The log as journald receives it: one JSON line per entry (queried with `journalctl -o cat | jq`),
// led by the syslog priority journald strips and files the entry under.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { createLogger, stdoutIsJournal, withJournalPriority } from '../../src/log.js';

t.test('each line gets its syslog priority and stays JSON behind it', async (t) => {
  const lines: string[] = [];
  const log = createLogger('debug', withJournalPriority({ write: (s: string) => void lines.push(s) }));
  log.child({ mod: 'media' }).warn({ camera: 'K1844+158-up', output: 'constant' }, 'push restarted');
  log.error('e');
  log.info('i');
  log.debug('d');
  t.same(
    lines.map((l) => l.slice(0, 3)),
    ['<4>', '<3>', '<6>', '<7>'],
    'warning, err, info, debug',
  );
  const entry = JSON.parse(lines[0]!.slice(3)) as Record<string, unknown>;
  t.match(entry, { mod: 'media', camera: 'K1844+158-up', output: 'constant', msg: 'push restarted' }, 'what jq selects on');
});

t.test('the prefix is used only when stdout is the journal stream systemd named', async (t) => {
  t.equal(stdoutIsJournal({}), false, 'no JOURNAL_STREAM');
  t.equal(stdoutIsJournal({ JOURNAL_STREAM: '1:1' }), false, 'JOURNAL_STREAM of another stream (a shell started from the unit, stdout redirected)');
  // A child whose stdout is a pipe, told that this very pipe is the journal.
  const script = `
    import fs from 'node:fs';
    import { stdoutIsJournal } from './src/log.ts';
    const st = fs.fstatSync(1);
    process.env.JOURNAL_STREAM = st.dev + ':' + st.ino;
    process.stderr.write(String(stdoutIsJournal()));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.stderr.trim(), 'true', 'JOURNAL_STREAM matching stdout');
});
