// The installable bundle's pieces: what prune-bundle.sh removes (and that SQLite still opens
// after it), what check-host.sh refuses before install.sh touches the box, and the unit's
// writable paths against the example config.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';

const root = path.resolve(import.meta.dirname, '../..');
const here = path.join(root, 'firmware-image');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

t.test('prune-bundle.sh keeps only the native addon of better-sqlite3 and drops source maps', async (t) => {
  const dir = t.testdir({ dist: { 'main.js': 'export {};\n', 'main.js.map': '{}' } });
  for (const m of ['better-sqlite3', 'bindings', 'file-uri-to-path']) fs.cpSync(path.join(root, 'node_modules', m), path.join(dir, 'node_modules', m), { recursive: true });
  const sqlite = path.join(dir, 'node_modules/better-sqlite3');
  t.ok(fs.existsSync(path.join(sqlite, 'deps')) && fs.existsSync(path.join(sqlite, 'build/Release/obj.target')), 'the copy has the build intermediates and SQLite sources');

  execFileSync('bash', [path.join(here, 'prune-bundle.sh'), dir]);
  t.same(
    files(sqlite).filter((f) => !f.startsWith('lib/')).sort(),
    ['LICENSE', 'README.md', 'build/Release/better_sqlite3.node', 'package.json'],
    'only lib/ and the addon are left',
  );
  t.same(files(dir).filter((f) => f.endsWith('.map')), [], 'no source maps');
  const build = fs.readFileSync(path.join(here, 'build.sh'), 'utf8');
  t.ok(build.indexOf('prune-bundle.sh') > build.indexOf('npm ci --omit=dev'), 'build.sh prunes after installing the production modules');
  t.match(build, /cp [^\n]*"\$here\/check-host\.sh" "\$stage\/vcgw\/"/, 'and ships check-host.sh beside install.sh');
  const opened = execFileSync(process.execPath, ['-e', "const D=require('better-sqlite3');process.stdout.write(String(new D(':memory:').prepare('select 6*7 x').get().x))"], { cwd: dir, encoding: 'utf8' });
  t.equal(opened, '42', 'the pruned better-sqlite3 still opens a database');
});

t.test('check-host.sh names everything missing at once and install.sh runs it first', async (t) => {
  const bin = t.testdir({
    node: '#!/bin/sh\necho v18.19.0\n',
    'fc-match': '#!/bin/sh\nprintf "DejaVu Sans"\n',
  });
  for (const f of ['node', 'fc-match']) fs.chmodSync(path.join(bin, f), 0o755);
  for (const tool of ['sh', 'sed', 'tr', 'grep']) fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
  const r = spawnSync('/bin/sh', [path.join(here, 'check-host.sh')], { env: { PATH: bin }, encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /Node\.js 20 or newer is required, 'node' is v18\.19\.0 \(Debian 12's own nodejs is 18: use NodeSource/);
  t.match(r.stderr, /ffmpeg not found \(apt-get install ffmpeg\)/);
  t.match(r.stderr, /ffprobe not found/);
  t.match(r.stderr, /font 'Noto Sans CJK SC' not installed \(apt-get install fonts-noto-cjk\)/);
  t.match(r.stderr, /4 problem\(s\); nothing was installed/);
  t.notMatch(fs.readFileSync(path.join(here, 'install.sh'), 'utf8'), /apt-get install nodejs/, 'no advice to install Debian 12 nodejs (18)');
  const install = fs.readFileSync(path.join(here, 'install.sh'), 'utf8');
  const check = install.indexOf('check-host.sh" || exit 1');
  t.ok(check > 0 && check < install.indexOf('useradd'), 'the host check runs before anything is installed');

  const here_ = spawnSync('/bin/sh', [path.join(here, 'check-host.sh')], { encoding: 'utf8' });
  t.equal(here_.status, 0, `this machine has all of it: ${here_.stderr}`);
});

t.test("the unit lets the daemon write the example's data and snapshot directories", async (t) => {
  const unit = fs.readFileSync(path.join(root, 'systemd/vcgw.service'), 'utf8');
  const writable = (unit.match(/^ReadWritePaths=(.*)$/m)?.[1] ?? '').split(/\s+/).map((p) => p.replace(/^-/, ''));
  const example = fs.readFileSync(path.join(root, 'gateway.example.toml'), 'utf8');
  const dataDir = example.match(/^# data_dir = "(.+)"$/m)?.[1];
  const snapshotDir = example.match(/^# dir = "(.+)"$/m)?.[1];
  t.equal(dataDir, loadConfig(path.join(root, 'gateway.example.toml')).gateway.data_dir, 'the data dir is the default');
  for (const dir of [dataDir, snapshotDir]) t.ok(dir !== undefined && writable.some((w) => dir === w || dir.startsWith(`${w}/`)), `${dir} is in ReadWritePaths (${writable.join(' ')})`);
});
