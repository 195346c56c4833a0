// The reporter `npm test` uses: raw TAP, then the list of failing test points, then tap's closing
// lines (counts and time) last.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';

const root = path.resolve(import.meta.dirname, '../..');

function runTap(dir: string, file: string) {
  // The outer tap run marks its children as TAP producers; the inner run must pick its reporter itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAP') && !k.startsWith('_TAP')));
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tap/dist/esm/run.mjs'), '--reporter=./scripts/tap-failures-reporter.mjs', '--disable-coverage', path.relative(root, path.join(dir, file))], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  return { code: r.status, lines: r.stdout.trimEnd().split('\n'), out: r.stdout };
}

t.test('a failing run ends with the failures, then tap closing lines', async (t) => {
  const dir = t.testdir({
    'failing.test.mjs': `import t from 'tap';
t.test('outer', async (t) => { t.equal(1, 2, 'one is two'); t.ok(true); t.test('inner', async (t) => t.fail('boom')); });
t.test('fine', async (t) => t.pass('ok'));
`,
    'passing.test.mjs': `import t from 'tap';\nt.test('fine', async (t) => t.pass('ok'));\n`,
  });
  const rel = path.relative(root, dir);
  const failing = runTap(dir, 'failing.test.mjs');
  t.equal(failing.code, 1);
  t.match(failing.out, /^TAP version 14\n/, 'the raw TAP stream comes through');
  t.same(failing.lines.slice(-6, -2), [
    '# 2 failing test point(s):',
    `#   not ok: ${rel}/failing.test.mjs > outer > one is two`,
    `#   not ok: ${rel}/failing.test.mjs > outer > inner > boom`,
    '# No coverage generated',
  ]);
  t.equal(failing.lines.at(-2), '# { total: 4, pass: 2, fail: 2 }', "tap's closing lines stay last");
  t.match(failing.lines.at(-1), /^# time=/);

  const passing = runTap(dir, 'passing.test.mjs');
  t.equal(passing.code, 0);
  t.notMatch(passing.out, /failing test point/, 'nothing added when all pass');
});
