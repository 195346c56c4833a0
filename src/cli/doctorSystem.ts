// `vcgw doctor`: this box's resources as §11.3.5 has a technician look at them (CPU, memory, disk,
// temperatures, port traffic), read through `systeminformation`, and the uplink §7.1 d asks for.
import si from 'systeminformation';
import type { Check } from './doctorCheck.js';

/** §7.1 d: 50 Mbps for fewer than 50 cameras, 100 Mbps for 50–100, then 50 Mbps more per further 50. */
export function uplinkNeededMbps(cameras: number): number {
  return cameras < 50 ? 50 : Math.max(100, Math.ceil(cameras / 50) * 50);
}

const pct = (n: number) => `${n.toFixed(0)} %`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

export async function resourceChecks(dataDir: string | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const [load, mem, disks, temp] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.cpuTemperature()]);
  const cpu = load.currentLoad;
  checks.push({
    check: 'cpu',
    result: cpu > 90 ? 'warn' : 'ok',
    detail: `${pct(cpu)} busy on ${load.cpus.length} core(s), load average ${load.avgLoad}`,
    ...(cpu > 90 && { fix: 'vcgw status: fewer transcodes (copy where the camera sends H.264) or a hardware encoder (media.hardware)' }),
  });
  const usedMem = 100 * (1 - mem.available / mem.total);
  checks.push({
    check: 'memory',
    result: usedMem > 90 ? 'warn' : 'ok',
    detail: `${pct(usedMem)} used, ${gib(mem.available)} of ${gib(mem.total)} available; swap ${gib(mem.swapused)} used`,
    ...(usedMem > 90 && { fix: 'fewer concurrent outputs (media.max_outputs) or more memory' }),
  });
  const mountOf = (dir: string) => disks.filter((d) => dir.startsWith(d.mount)).sort((a, b) => b.mount.length - a.mount.length)[0];
  const disk = mountOf(dataDir ?? '/') ?? disks[0];
  if (disk) {
    checks.push({
      check: 'disk',
      result: disk.use >= 90 ? 'warn' : 'ok',
      detail: `${disk.mount} (${disk.fs}): ${pct(disk.use)} used, ${gib(disk.available)} free`,
      ...(disk.use >= 90 && { fix: 'lower snapshots.keep_days or snapshots.max_disk_percent; remove old files outside /var/lib/vcgw' }),
    });
  }
  const hot = temp.max ?? temp.main;
  checks.push(
    hot === null || hot === undefined
      ? { check: 'temperature', result: 'ok', detail: 'no sensor readable on this box' }
      : {
          check: 'temperature',
          result: hot >= 85 ? 'warn' : 'ok',
          detail: `CPU ${temp.main ?? '?'} °C, hottest ${hot} °C`,
          ...(hot >= 85 && { fix: 'check the cabinet fan and filter; the box throttles when hot' }),
        },
  );
  return checks;
}

/** Traffic over `sampleMs` and the link speed of the default interface, against §7.1 d for `cameras`. */
export async function uplinkChecks(cameras: number, sampleMs: number): Promise<Check[]> {
  const iface = await si.networkInterfaceDefault();
  const info = (await si.networkInterfaces()) as si.Systeminformation.NetworkInterfacesData[];
  const nic = info.find((n) => n.iface === iface);
  await si.networkStats(iface); // the first reading only sets the baseline
  await new Promise((r) => setTimeout(r, sampleMs));
  const [stats] = await si.networkStats(iface);
  const mbps = (bytesPerS: number | null | undefined) => ((bytesPerS ?? 0) * 8) / 1e6;
  const checks: Check[] = [
    {
      check: 'network traffic',
      result: 'ok',
      detail: `${iface}: out ${mbps(stats?.tx_sec).toFixed(2)} Mbps, in ${mbps(stats?.rx_sec).toFixed(2)} Mbps over ${(sampleMs / 1000).toFixed(1)} s; errors ${(stats?.rx_errors ?? 0) + (stats?.tx_errors ?? 0)}, dropped ${(stats?.rx_dropped ?? 0) + (stats?.tx_dropped ?? 0)}`,
    },
  ];
  const needed = uplinkNeededMbps(cameras);
  const speed = nic?.speed ?? null;
  const base = `${cameras} camera(s) need ${needed} Mbps (seed 003 §7.1 d)`;
  checks.push(
    speed === null || speed <= 0
      ? { check: 'uplink', result: 'warn', detail: `${base}; the link speed of ${iface} is unknown`, fix: `ethtool ${iface}; confirm the leased line's bandwidth with the carrier` }
      : speed < needed
        ? { check: 'uplink', result: 'warn', detail: `${base}; ${iface} links at ${speed} Mbps`, fix: `a faster port or line: ${needed} Mbps for ${cameras} camera(s)` }
        : { check: 'uplink', result: 'ok', detail: `${base}; ${iface} links at ${speed} Mbps (the leased line's own bandwidth is the carrier's figure)` },
  );
  return checks;
}
