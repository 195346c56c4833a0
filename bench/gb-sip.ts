// Registrations and keep-alives per second the SIP layer sustains: N simulated GB/T 28181
// devices (src/sim/gb28181) against the minimal platform, over UDP or TCP on 127.0.0.1, all in
// this process (so the figure is for both ends together). Prints figures; asserts nothing.
//   npx tsx bench/gb-sip.ts [--devices 500] [--transport udp|tcp] [--seconds 5] [--concurrency 100]
import { GbDeviceSim, MiniPlatform } from '../src/sim/gb28181/index.js';
import type { TransportName } from '../src/protocols/sip/index.js';
import { machineLine, machineMeta } from './lib/proc.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const devices = Number(arg('devices', '500'));
const transport = arg('transport', 'udp').toUpperCase() as TransportName;
const seconds = Number(arg('seconds', '5'));
const concurrency = Number(arg('concurrency', '100'));

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
  console.log(`GB/T 28181 SIP layer: ${devices} devices over ${transport}, ${concurrency} in flight`);
  console.log(machineLine(meta));
  const platform = await MiniPlatform.start({ serverId: '44010000002000000001', domain: '4401000000', passwordOf: () => 'bench-pass', keepKeepalives: false });
  const sims: GbDeviceSim[] = [];
  for (let i = 0; i < devices; i++) {
    sims.push(
      await GbDeviceSim.start({
        deviceId: `4401000004132${String(i).padStart(7, '0')}`,
        password: 'bench-pass',
        registrar: { address: '127.0.0.1', port: platform.ep.port, transport, serverId: '44010000002000000001', domain: '4401000000' },
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
        `CPU ${((regCpu.user + regCpu.system) / 1000 / regMs * 100).toFixed(0)} % of one core`,
    );

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
        `CPU ${((kaCpu.user + kaCpu.system) / 1000 / kaMs * 100).toFixed(0)} % of one core; platform counted ${platform.keepaliveCount}`,
    );
    console.log(`  at a 60 s keep-alive period that rate would carry ≈ ${Math.floor((acked / kaMs) * 1000 * 60)} devices`);
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    await platform.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
