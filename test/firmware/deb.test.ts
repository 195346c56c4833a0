// The Debian package for real: built by firmware-image/build-deb.sh, installed with dpkg in a
// Debian 12 chroot (scripts/base-rootfs.sh, cached), run there, upgraded with config and data
// kept, and a broken upgrade rolled back by vcgw-upgrade. Needs root (chroot, mount), as CI has.
// Cost: the base chroot is built once per machine (~2.5 min, ~300 MB from Debian's mirror) and
// cached under ~/.cache/vcgw-ci; after that the test takes about 3 minutes (firmware-image/README.md).
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse, stringify } from 'smol-toml';

const repo = path.resolve(import.meta.dirname, '../..');
t.setTimeout(20 * 60_000);

/**
 * Runs a command inside the chroot; never throws, the caller asserts on the status. Through
 * `env -i`: tap adds its loader to NODE_OPTIONS of every child, which the box's node must not see.
 */
function inChroot(root: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync('env', ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'chroot', root, ...args], { encoding: 'utf8', timeout: 300_000 });
}
const output = (r: SpawnSyncReturns<string>) => `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`;

/** The same package under another version, optionally altered: what a later build would ship. */
function repack(deb: string, version: string, dir: string, alter: (tree: string) => void = () => {}): string {
  const tree = path.join(dir, `tree-${version}`);
  execFileSync('dpkg-deb', ['-R', deb, tree]);
  const control = path.join(tree, 'DEBIAN/control');
  fs.writeFileSync(control, fs.readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${version}`));
  const pkgJson = path.join(tree, 'opt/vcgw/package.json');
  fs.writeFileSync(pkgJson, JSON.stringify({ ...JSON.parse(fs.readFileSync(pkgJson, 'utf8')), version }, null, 2));
  alter(tree);
  const out = path.join(dir, `vcgw_${version}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zzstd', '--build', tree, out], { stdio: 'ignore' });
  fs.rmSync(tree, { recursive: true, force: true });
  return out;
}

/** The example config as a technician leaves it: this box's secrets, no cameras yet, the time service. */
function boxConfig(): string {
  const config = parse(fs.readFileSync(path.join(repo, 'gateway.example.toml'), 'utf8')) as Record<string, Record<string, unknown>>;
  config['province'] = { ...config['province'], token: 'box-token-issued-offline', sm2_private_key: 'a1'.repeat(32), base_url: 'https://127.0.0.1:9' };
  config['time'] = { servers: ['10.1.1.10'], serve: ['192.168.10.0/24'] };
  delete config['cameras'];
  return stringify(config);
}

t.test('the .deb installs in a Debian 12 chroot, runs, upgrades keeping config and data, and rolls back a broken upgrade', async (t) => {
  t.equal(process.getuid?.(), 0, 'runs as root (chroot and mount need it)');
  const tarball = execFileSync('bash', [path.join(repo, 'scripts/base-rootfs.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const deb = execFileSync('bash', [path.join(repo, 'firmware-image/build-deb.sh')], {
    encoding: 'utf8',
    env: { ...process.env, VCGW_DEB_COMPRESSION: 'zstd' },
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const version = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version as string;
  t.equal(path.basename(deb), `vcgw_${version}_${execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim()}.deb`, 'named vcgw_<version>_<arch>.deb');
  t.match(execFileSync('dpkg-deb', ['-f', deb, 'Depends'], { encoding: 'utf8' }), /ffmpeg.*fonts-noto-cjk.*chrony/, 'declares ffmpeg, fonts-noto-cjk and chrony');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-deb-'));
  const root = path.join(work, 'root');
  fs.mkdirSync(root, { mode: 0o755 });
  t.teardown(() => {
    // A mount left inside would make rm -rf reach the host's /proc: unmount first, always.
    const proc = path.join(root, 'proc');
    if (spawnSync('mountpoint', ['-q', proc]).status === 0) execFileSync('umount', ['-l', proc]);
    fs.rmSync(work, { recursive: true, force: true });
  });
  execFileSync('tar', ['-C', root, '-I', 'zstd', '-xf', tarball]);
  fs.chmodSync(root, 0o755);
  // dpkg fsyncs every one of the package's ~5,600 files by default; a throwaway chroot needs none.
  fs.writeFileSync(path.join(root, 'etc/dpkg/dpkg.cfg.d/unsafe-io'), 'force-unsafe-io\n');
  execFileSync('mount', ['-t', 'proc', 'proc', path.join(root, 'proc')]);
  const staged = (file: string) => {
    fs.copyFileSync(file, path.join(root, 'tmp', path.basename(file)));
    return `/tmp/${path.basename(file)}`;
  };

  // Fresh install the way the image build does it: vcgw-upgrade (from the source tree, the box has
  // none yet) runs dpkg -i and keeps the package for a later rollback.
  const first = inChroot(root, ['sh', staged(path.join(repo, 'firmware-image/deb/vcgw-upgrade')), staged(deb)]);
  t.equal(first.status, 0, `dpkg -i succeeds, postinst health check included: ${output(first)}`);
  t.equal(inChroot(root, ['runuser', '-u', 'vcgw', '--', 'vcgw', '--version']).stdout.trim(), version, 'vcgw --version, as the vcgw user');
  t.match(inChroot(root, ['stat', '-c', '%U:%G %a', '/var/lib/vcgw', '/etc/vcgw/gateway.toml']).stdout, /^vcgw:vcgw 750\nroot:vcgw 640\n$/, 'data dir owned by vcgw, config readable by it only');
  t.match(inChroot(root, ['dpkg-query', '-W', '-f=${Conffiles}', 'vcgw']).stdout, /\/etc\/vcgw\/gateway\.toml [0-9a-f]{32}/, 'gateway.toml is a conffile');
  t.ok(fs.existsSync(path.join(root, `var/lib/vcgw/rollback/${path.basename(deb)}`)), 'the installed .deb is kept for rollback');

  // The technician's config and the daemon's data, which upgrades must keep.
  fs.writeFileSync(path.join(root, 'etc/vcgw/gateway.toml'), boxConfig());
  fs.writeFileSync(path.join(root, 'var/lib/vcgw/recorded-state'), 'kept\n');
  const help = inChroot(root, ['vcgw', 'doctor', '--help']).stdout;
  const check = help.includes('--offline')
    ? inChroot(root, ['runuser', '-u', 'vcgw', '--', 'vcgw', 'doctor', '--offline'])
    : inChroot(root, ['runuser', '-u', 'vcgw', '--', 'vcgw', 'setup', 'chrony']); // without --offline: the config loads
  t.equal(check.status, 0, `${help.includes('--offline') ? 'vcgw doctor --offline' : 'config validation (doctor has no --offline here)'} passes in the chroot: ${output(check)}`);

  const next = repack(deb, `${version}.1`, work);
  const upgrade = inChroot(root, ['vcgw-upgrade', staged(next)]);
  t.equal(upgrade.status, 0, `upgrade succeeds: ${output(upgrade)}`);
  t.equal(inChroot(root, ['vcgw', '--version']).stdout.trim(), `${version}.1`, 'the new version runs');
  t.equal(fs.readFileSync(path.join(root, 'etc/vcgw/gateway.toml'), 'utf8'), boxConfig(), 'the config is kept');
  t.equal(fs.readFileSync(path.join(root, 'var/lib/vcgw/recorded-state'), 'utf8'), 'kept\n', 'the data is kept');
  t.equal(
    fs.readFileSync(path.join(root, 'etc/chrony/conf.d/vcgw.conf'), 'utf8').split('\n').filter((l) => !l.startsWith('#') && l !== '').join('\n'),
    'server 10.1.1.10 iburst\nallow 192.168.10.0/24\nlocal stratum 10',
    "chrony follows the config's time server and serves the camera network",
  );

  // A build whose runtime cannot load its native SQLite addon: the health check fails, vcgw-upgrade rolls back.
  const broken = repack(deb, `${version}.2`, work, (tree) => fs.truncateSync(path.join(tree, 'opt/vcgw/node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 0));
  fs.copyFileSync(path.join(root, 'etc/vcgw/gateway.toml'), path.join(work, 'before.toml'));
  const bad = inChroot(root, ['vcgw-upgrade', staged(broken)]);
  t.equal(bad.status, 1, 'vcgw-upgrade reports the failed upgrade');
  t.match(output(bad), /health check: .* failed[\s\S]*rolled back to [0-9.]+/, `the health check names what failed and the rollback is told: ${output(bad)}`);
  t.equal(inChroot(root, ['dpkg-query', '-W', '-f=${Version} ${Status}', 'vcgw']).stdout, `${version}.1 install ok installed`, 'dpkg has the previous version, configured');
  t.equal(inChroot(root, ['runuser', '-u', 'vcgw', '--', 'vcgw', '--version']).stdout.trim(), `${version}.1`, 'and it runs');
  t.equal(fs.readFileSync(path.join(root, 'etc/vcgw/gateway.toml'), 'utf8'), fs.readFileSync(path.join(work, 'before.toml'), 'utf8'), 'config untouched by the rollback');
  t.equal(fs.readFileSync(path.join(root, 'var/lib/vcgw/recorded-state'), 'utf8'), 'kept\n', 'data untouched by the rollback');
});
