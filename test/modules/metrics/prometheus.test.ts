// firmware-image/prometheus as the operations Prometheus reads it: promtool accepts the scrape
// config and the rules, the rules' own unit tests pass, and every vcgw_ series they use exists.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { figuresOf } from '../../../src/modules/metrics/start.js';
import { silentLogger } from '../../../src/log.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { GbStore } from '../../../src/store/gb.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { TokenStore } from '../../../src/store/tokens.js';

const DIR = path.resolve(import.meta.dirname, '../../../firmware-image/prometheus');

function promtool(args: string[], cwd: string) {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool (Debian package prometheus, scripts/deps.sh): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

t.test('promtool check rules and the rules’ unit tests', async (t) => {
  const rules = promtool(['check', 'rules', 'vcgw-alerts.yml'], DIR);
  t.equal(rules.status, 0, rules.output);
  t.match(rules.output, /SUCCESS: 11 rules found/);
  const tests = promtool(['test', 'rules', 'vcgw-alerts.test.yml'], DIR);
  t.equal(tests.status, 0, tests.output);
});

t.test('promtool check config, as installed next to its token and gateway files', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-prom-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'gateways'));
  fs.copyFileSync(path.join(DIR, 'vcgw-alerts.yml'), path.join(dir, 'vcgw-alerts.yml'));
  fs.copyFileSync(path.join(DIR, 'gateways.example.yml'), path.join(dir, 'gateways/section.yml'));
  fs.writeFileSync(path.join(dir, 'vcgw-metrics.token'), 'x'.repeat(32));
  const config = fs.readFileSync(path.join(DIR, 'prometheus.yml'), 'utf8');
  t.match(config, "files: ['/etc/prometheus/vcgw-gateways/*.yml']", 'gateways come from file_sd');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config.replaceAll('/etc/prometheus/vcgw-gateways/', `${dir}/gateways/`));
  const r = promtool(['check', 'config', 'prometheus.yml'], dir);
  t.equal(r.status, 0, r.output);
  t.notMatch(r.output, /WARNING/, 'no warning');
});

t.test('every vcgw_ series the rules use is one the gateway serves', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-prom-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const config = parseConfig(
    { gateway: { device_code: 'vg-test01', data_dir: dir }, province: { base_url: 'https://127.0.0.1:1', user: 'u', token: 't-0', sm2_private_key: '1'.repeat(64) } },
    path.join(dir, 'gateway.toml'),
    dir,
  );
  const cameras = new CameraStore(db);
  const outbox = new OutboxStore(db);
  const cameraState = new CameraStateTracker({ db, cameras, outbox, fullIntervalMs: 3_600_000, log: silentLogger() });
  // With [gb28181] on, so its figures are served too.
  const figures = figuresOf({ config, db, cameras, cameraState, outbox, tokens: new TokenStore(db), gb: { store: new GbStore(db), pulls: () => [] } });
  const served = new Set((await figures.registry.getMetricsAsJSON()).map((m) => m.name));
  const used = new Set(fs.readFileSync(path.join(DIR, 'vcgw-alerts.yml'), 'utf8').match(/\bvcgw_[a-z0-9_]+/g));
  t.ok(used.size >= 8, `the rules use ${used.size} gateway series`);
  t.same([...used].filter((n) => !served.has(n)), [], 'none unknown to src/modules/metrics/figures.ts');
});
