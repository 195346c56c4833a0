// A full data disk met by a write nobody guarded must not stop the daemon (issue 15); any other
// uncaught error still does. Each case runs in a child process, as the daemon would meet it: a
// real SQLITE_FULL from SQLite (max_page_count pinned) thrown from a timer and from a promise.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { isStorageFull } from '../../src/modules/systemd/storageFull.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs `body` after the guard is installed; resolves with the exit code and what was printed. */
function child(body: string): Promise<{ code: number | null; out: string }> {
  const script = `
    import Database from 'better-sqlite3';
    import { createLogger } from './src/log.ts';
    import { keepRunningOnStorageFull } from './src/modules/systemd/storageFull.ts';
    const log = createLogger('info');
    const guard = keepRunningOnStorageFull(log);
    const db = new Database(':memory:');
    db.exec('CREATE TABLE x (b BLOB)');
    db.pragma('max_page_count = ' + db.pragma('page_count', { simple: true }));
    const fullWrite = () => db.prepare('INSERT INTO x VALUES (?)').run(Buffer.alloc(100000));
    ${body}
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out })));
}

t.test('a SQLITE_FULL thrown from a timer and from a promise: logged once, the process goes on', async (t) => {
  const r = await child(`
    setTimeout(() => fullWrite(), 10);
    setTimeout(() => Promise.resolve().then(() => fullWrite()), 20);
    setInterval(() => { if (guard.survived() === 2) { console.log('ALIVE ' + guard.survived()); process.exit(0); } }, 10);
    setTimeout(() => process.exit(2), 10000);
  `);
  t.equal(r.code, 0, 'the process went on', { out: r.out });
  t.match(r.out, /ALIVE 2/, 'both errors were survived');
  const lines = r.out.split('\n').filter((l) => l.includes('data disk full'));
  t.equal(lines.length, 1, 'one log line for both (at most one a minute)');
  t.match(lines[0], /"code":"SQLITE_FULL"/);
});

t.test('any other uncaught error still ends the process with code 1 and a fatal line', async (t) => {
  const r = await child(`
    setTimeout(() => { throw new TypeError('a bug'); }, 10);
    setTimeout(() => { console.log('ALIVE'); process.exit(0); }, 2000);
  `);
  t.equal(r.code, 1);
  t.notMatch(r.out, /ALIVE/);
  t.match(r.out, /"level":60.*a bug/, 'logged as fatal, with the error');
});

t.test('what counts as a full disk', async (t) => {
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'ENOSPC', 'EDQUOT']) t.ok(isStorageFull(Object.assign(new Error('x'), { code })), code);
  for (const err of [new Error('x'), Object.assign(new Error('x'), { code: 'ECONNRESET' }), Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT' }), null, 'text']) t.notOk(isStorageFull(err));
});
