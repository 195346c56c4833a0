// `vcgw doctor` with a config: the overlay font (when burned in) and the snapshot disk room.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

type Report = { checks: Array<{ check: string; result: string; detail: string }> };

function doctor(t: { teardown(fn: () => unknown): void }, extra: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return cliRunner(writeMinimalConfig(dir, ['[media]', 'hardware = "off"', ...extra]))('doctor', '--json');
}

t.test('the burned-in overlay font is checked as fontconfig resolves it; snapshots have room', async (t) => {
  const ok = await doctor(t, ['[overlay]', 'burn_in = true']);
  t.equal(ok.code, 0, ok.err);
  const checks = (JSON.parse(ok.out) as Report).checks;
  t.match(checks.find((c) => c.check === 'overlay font'), { result: 'ok', detail: 'Noto Sans CJK SC' });
  t.match(checks.find((c) => c.check === 'snapshots'), { result: 'ok', detail: /snapshots: disk \d+ % used, \d+ MB free \(limits 90 %, 512 MB\)/ });

  const missing = await doctor(t, ['[overlay]', 'burn_in = true', 'font = "No Such Font SC"']);
  t.equal(missing.code, 1, 'a missing font fails doctor');
  t.match((JSON.parse(missing.out) as Report).checks.find((c) => c.check === 'overlay font'), { result: 'FAIL', detail: /No Such Font SC not installed \(fontconfig gives .+\): apt-get install fonts-noto-cjk/ });

  const off = await doctor(t, []);
  t.notOk((JSON.parse(off.out) as Report).checks.some((c) => c.check === 'overlay font'), 'no burn-in, no font check');
});
