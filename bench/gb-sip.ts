// Registrations and keep-alives per second: N simulated GB/T 28181 devices (src/sim/gb28181) over
// UDP or TCP on 127.0.0.1, all in this process (so the figure is for both ends together), against
//   --target platform: the minimal platform (the SIP layer alone), or
//   --target gateway: the gateway's own GB service (registrar with digest, SQLite writes for every
//     registration and keep-alive, and the DeviceInfo + Catalog + DeviceStatus round it sends each
//     freshly registered device), then checks that all N are registered and online.
// Prints figures; asserts nothing.
//   npx tsx bench/gb-sip.ts [--target platform|gateway] [--devices 500] [--transport udp|tcp] [--seconds 5] [--concurrency 100]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../src/config/schema/index.js';
import { silentLogger } from '../src/log.js';
import { startGbService, type GbService } from '../src/modules/gb28181/service.js';
import { GbDeviceSim, MiniPlatform } from '../src/sim/gb28181/index.js';
import type { TransportName } from '../src/protocols/sip/index.js';
import { openDb, type Db } from '../src/store/db.js';
import { machineLine, machineMeta } from './lib/proc.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const devices = Number(arg('devices', '500'));
const transport = arg('transport', 'udp').toUpperCase() as TransportName;
const seconds = Number(arg('seconds', '5'));
const concurrency = Number(arg('concurrency', '100'));
const target = arg('target', 'platform');
if (target !== 'platform' && target !== 'gateway') throw new Error(`--target: expected platform or gateway, got ${target}`);

const SERVER_ID = '44010000002000000001';
const DOMAIN = '4401000000';

/** What the devices register to: its port, and for the gateway its store (to check the outcome). */
interface Target {
  port: number;
  gateway?: GbService;
  keepalivesCounted(): number | undefined;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (target === 'platform') {
    const platform = await MiniPlatform.start({ serverId: SERVER_ID, domain: DOMAIN, passwordOf: () => 'bench-pass', keepKeepalives: false });
    return { port: platform.ep.port, keepalivesCounted: () => platform.keepaliveCount, close: () => platform.close() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-gbsip-'));
  const db: Db = openDb(dir);
  const config = {
    ...configSchema.shape.gb28181.parse({}),
    enabled: true,
    sip_id: SERVER_ID,
    domain: DOMAIN,
    listen: '127.0.0.1:0',
    transport: transport === 'TCP' ? ('tcp' as const) : ('udp' as const),
    password: 'bench-pass',
  };
  // All devices share 127.0.0.1 here, where the field has one address each: the per-address flood
  // limit would measure itself, so it is off.
  const gateway = await startGbService({ config, db, log: silentLogger(), rateLimit: null });
  return {
    port: gateway.registrar.port,
    gateway,
    keepalivesCounted: () => undefined,
    close: async () => {
      await gateway.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Work done per second of CPU this process used: on a shared box (and under `nice`) the wall-clock
 * rate measures the other tenants as much as this code; this figure does not.
 */
function perCpuSecond(count: number, cpu: NodeJS.CpuUsage): string {
  return ((count / (cpu.user + cpu.system)) * 1e6).toFixed(0);
}

/** Runs `work(i)` for i in 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

async function main(): Promise<void> {
  const meta = machineMeta();
  console.log(`GB/T 28181 ${target === 'gateway' ? "gateway's registrar (GB service, SQLite)" : 'SIP layer (minimal platform)'}: ${devices} devices over ${transport}, ${concurrency} in flight`);
  console.log(machineLine(meta));
  const platform = await startTarget();
  const sims: GbDeviceSim[] = [];
  for (let i = 0; i < devices; i++) {
    sims.push(
      await GbDeviceSim.start({
        deviceId: `4401000004132${String(i).padStart(7, '0')}`,
        password: 'bench-pass',
        registrar: { address: '127.0.0.1', port: platform.port, transport, serverId: SERVER_ID, domain: DOMAIN },
      }),
    );
  }
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let failed = 0;
    await pool(devices, concurrency, async (i) => {
      const r = await sims[i]!.register(3600).catch(() => ({ ok: false }));
      if (!r.ok) failed++;
    });
    const regMs = performance.now() - t0;
    const regCpu = process.cpuUsage(cpu0);
    console.log(
      `  registrations (REGISTER → 401 → REGISTER with digest → 200): ${devices - failed}/${devices} in ${regMs.toFixed(0)} ms = ${(((devices - failed) / regMs) * 1000).toFixed(0)}/s; ` +
        `CPU ${((regCpu.user + regCpu.system) / 1000 / regMs * 100).toFixed(0)} % of one core = ${perCpuSecond(devices - failed, regCpu)} per CPU-second`,
    );
    const gw = platform.gateway;
    if (gw) {
      // The gateway asks every fresh device for DeviceInfo, Catalog and DeviceStatus: wait for that round to end.
      const t = performance.now();
      const surveyed = () => gw.store.devices().filter((d) => d.catalogAt !== null && d.clockCheckedAt !== null).length;
      while (surveyed() < devices - failed && performance.now() - t < 120_000) await new Promise((r) => setTimeout(r, 200));
      console.log(`  DeviceInfo + Catalog + DeviceStatus round after registration: ${surveyed()}/${devices} devices done ${((performance.now() - t0) / 1000).toFixed(1)} s after the first REGISTER`);
    }

    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    const deadline = t1 + seconds * 1000;
    let sent = 0;
    let acked = 0;
    await pool(concurrency, concurrency, async (lane) => {
      for (let i = lane; performance.now() < deadline; i = (i + concurrency) % devices) {
        sent++;
        const status = await sims[i]!.sendKeepalive().catch(() => 0);
        if (status === 200) acked++;
      }
    });
    const kaMs = performance.now() - t1;
    const kaCpu = process.cpuUsage(cpu1);
    console.log(
      `  keep-alives (MESSAGE Keepalive → 200): ${acked}/${sent} in ${kaMs.toFixed(0)} ms = ${((acked / kaMs) * 1000).toFixed(0)}/s; ` +
        `CPU ${((kaCpu.user + kaCpu.system) / 1000 / kaMs * 100).toFixed(0)} % of one core = ${perCpuSecond(acked, kaCpu)} per CPU-second` +
        (platform.keepalivesCounted() === undefined ? '' : `; platform counted ${platform.keepalivesCounted()}`),
    );
    console.log(`  at a 60 s keep-alive period that rate would carry ≈ ${Math.floor((acked / kaMs) * 1000 * 60)} devices`);
    if (gw) {
      const now = Date.now();
      const rows = gw.store.devices();
      const live = sims.filter((d) => gw.registrar.isOnline(d.deviceId)).length;
      console.log(
        `  at the end: ${rows.filter((d) => d.expiresAt > now).length}/${devices} registered and ${rows.filter((d) => d.online && d.expiresAt > now).length}/${devices} online in the database; ` +
          `${live}/${devices} online in the registrar`,
      );
    }
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
