// systemd/vcgw.service as systemd reads it (systemd-analyze verify; PID 1 here is not systemd, so
// the unit cannot run) and the settings issue 12 requires of it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import t, { type Test } from 'tap';

const root = path.resolve(import.meta.dirname, '../..');
const unit = fs.readFileSync(path.join(root, 'systemd/vcgw.service'), 'utf8');
const INSTALLED_BINARY = '/opt/vcgw/bin/vcgw';

/** Runs `systemd-analyze verify` on the unit text, with ExecStart pointed at a stand-in binary (the package is not installed here). */
function verify(t: Test, text: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-unit-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'vcgw');
  fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
  const file = path.join(dir, 'vcgw.service');
  fs.writeFileSync(file, text.replaceAll(INSTALLED_BINARY, bin));
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

t.test('systemd-analyze verify finds nothing to say about the unit', async (t) => {
  t.ok(execFileSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).startsWith('systemd'), 'systemd-analyze is installed (scripts/deps.sh)');
  t.match(unit, `ExecStart=${INSTALLED_BINARY} run`, 'the unit starts the installed binary');
  const r = verify(t, unit);
  t.equal(r.output, '', 'no warning');
  t.equal(r.status, 0);
  // The check itself sees mistakes: a misspelt key is reported.
  const broken = verify(t, unit.replace('WatchdogSec=', 'WatchdogSecs='));
  t.match(broken.output, /Unknown key 'WatchdogSecs'/);
});

t.test('the unit asks for what issue 12 requires', async (t) => {
  const settings = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  const one = (key: string) => settings.get(key)?.join(' ');
  t.equal(one('Type'), 'notify');
  t.equal(one('NotifyAccess'), 'main', 'only the daemon itself may notify (sd_notify from its own PID)');
  t.ok(Number(one('WatchdogSec')) > 0, 'a watchdog');
  t.equal(one('Restart'), 'on-failure');
  t.equal(one('User'), 'vcgw');
  t.equal(one('KillMode'), 'control-group');
  t.ok(Number(one('TimeoutStopSec')) >= 20, 'TimeoutStopSec leaves room for the 15 s graceful stop (src/modules/systemd/stop.ts)');
  t.equal(one('ProtectSystem'), 'strict');
  t.equal(one('NoNewPrivileges'), 'yes');
  t.equal(one('PrivateTmp'), 'yes');
  t.equal(one('ProtectHome'), 'yes');
  t.equal(one('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
  t.equal(one('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
  t.equal(one('ReadWritePaths'), '/var/lib/vcgw -/srv/vcgw-snapshots', 'the data dir and the example snapshot dir');
});
