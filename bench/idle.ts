// Idle cost of the daemon as the unit runs it: the built `node dist/cli/bin.js run` (no tsx),
// no cameras, /metrics on, against the province simulator. Prints resident memory and CPU share
// over a window after it settled. Run: npm run build && npx tsx bench/idle.ts [settle_s] [window_s]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'smol-toml';
import { freePort } from '../src/sim/ports.js';
import { CLK_TCK, readProc } from './lib/proc.js';
import { startProvince } from './lib/daemon.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const [settleS = 20, windowS = 60] = process.argv.slice(2).map(Number);
const bin = path.join(ROOT, 'dist/cli/bin.js');
if (!fs.existsSync(bin)) throw new Error('dist/cli/bin.js is missing: npm run build first');

const province = await startProvince('rtmp://127.0.0.1:1/rtmp');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-idle-'));
fs.writeFileSync(path.join(dir, 'province-ca.pem'), province.sim.certPem);
const metricsPort = await freePort();
const config = {
  gateway: { device_code: 'vg-bench01', data_dir: 'data', log_level: 'warn' },
  province: { base_url: province.sim.url, user: 'bench', token: 'offline-token-0', sm2_private_key: province.keys.privateKeyHex, ca_file: 'province-ca.pem' },
  api: { listen: `127.0.0.1:${await freePort()}` },
  monitor: { listen: `127.0.0.1:${await freePort()}` },
  metrics: { enabled: true, listen: `127.0.0.1:${metricsPort}` },
  media: { hardware: 'off' },
};
fs.writeFileSync(path.join(dir, 'gateway.toml'), stringify(config));
const child = spawn(process.execPath, [bin, 'run', '--config', path.join(dir, 'gateway.toml')], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
const pid = child.pid!;
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
try {
  await sleep(settleS * 1000);
  const t0 = readProc(pid)!.ticks;
  const started = performance.now();
  let peak = 0;
  for (let s = 0; s < windowS; s++) {
    await sleep(1000);
    peak = Math.max(peak, rssKb());
    // One scrape every 15 s, as Prometheus would.
    if (s % 15 === 0) await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  }
  const cpuS = (readProc(pid)!.ticks - t0) / CLK_TCK;
  const wallS = (performance.now() - started) / 1000;
  console.log(`idle daemon (no cameras, /metrics scraped every 15 s), ${windowS} s after ${settleS} s settle:`);
  console.log(`  RSS now ${(rssKb() / 1024).toFixed(1)} MiB, peak ${(peak / 1024).toFixed(1)} MiB`);
  console.log(`  CPU ${cpuS.toFixed(2)} s in ${wallS.toFixed(1)} s = ${((100 * cpuS) / wallS).toFixed(2)} % of one core`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await province.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
