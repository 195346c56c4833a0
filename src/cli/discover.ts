// `vcgw discover`: which ONVIF devices answer a WS-Discovery probe on the camera network.
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { connectOnvif, probe, WS_DISCOVERY_GROUP, WS_DISCOVERY_PORT, type DiscoveredCamera } from '../protocols/onvif/index.js';
import { CameraStore } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { CliError, println, table, type CliContext } from './context.js';

interface Found extends DiscoveredCamera {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  mac?: string;
  error?: string;
  registered?: string;
}

/** An interface name (eth1) or an IPv4 address → the IPv4 address to probe from. */
export function interfaceAddress(value: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return value;
  const v4 = os.networkInterfaces()[value]?.find((a) => a.family === 'IPv4');
  if (!v4) throw new CliError(`--interface: no interface ${value} with an IPv4 address (have: ${Object.keys(os.networkInterfaces()).join(', ')})`, 2);
  return v4.address;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** Registered cameras by ONVIF host:port and by IP, when a config and database are at hand. */
function registeredIndex(ctx: CliContext): Map<string, string> {
  const index = new Map<string, string>();
  if (!fs.existsSync(ctx.configPath())) return index;
  const db = openDb(ctx.loadConfig().gateway.data_dir);
  try {
    for (const cam of new CameraStore(db).all()) {
      if (cam.access.onvifUrl) index.set(hostOf(cam.access.onvifUrl), cam.id);
      if (cam.access.ip) index.set(cam.access.ip, cam.id);
    }
  } finally {
    db.close();
  }
  return index;
}

export function registerDiscoverCommand(program: Command, ctx: CliContext): void {
  program
    .command('discover')
    .description('send a WS-Discovery probe and list the ONVIF devices that answer, marking those already registered')
    .option('--interface <if>', 'network interface (name or IPv4 address) facing the cameras')
    .option('--timeout <s>', 'how long to collect answers, seconds', '3')
    .option('--address <ip>', 'send the probe to this address instead of the multicast group', WS_DISCOVERY_GROUP)
    .option('--port <port>', 'UDP port of the probe', String(WS_DISCOVERY_PORT))
    .option('--user <user>', 'ONVIF user: with --password, read manufacturer, model, firmware, serial and MAC of each')
    .option('--password <password>', 'ONVIF password')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  vcgw discover --interface eth1\n  vcgw discover --user admin --password secret --json')
    .action(async (o: { interface?: string; timeout: string; address: string; port: string; user?: string; password?: string; json?: boolean }) => {
      const timeoutS = Number(o.timeout);
      if (!(timeoutS > 0 && timeoutS <= 60)) throw new CliError(`--timeout: expected seconds in (0, 60], got ${o.timeout}`, 2);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--port: expected 1–65535, got ${o.port}`, 2);
      if ((o.user === undefined) !== (o.password === undefined)) throw new CliError('--user / --password: give both or neither', 2);
      const from = o.interface === undefined ? undefined : interfaceAddress(o.interface);
      const registered = registeredIndex(ctx);
      const started = Date.now();
      const found: Found[] = await probe({ address: o.address, port, timeoutMs: timeoutS * 1000, interface: from });
      if (o.user !== undefined) {
        await Promise.all(
          found.map(async (f) => {
            try {
              const dev = await connectOnvif({ url: f.address, user: o.user!, password: o.password!, timeoutMs: 3000 });
              Object.assign(f, await dev.info(), { mac: await dev.networkMac() });
            } catch (err) {
              f.error = err instanceof Error ? err.message : String(err);
            }
          }),
        );
      }
      for (const f of found) {
        const host = hostOf(f.address);
        f.registered = registered.get(host) ?? registered.get(host.replace(/:\d+$/, ''));
      }
      if (o.json) return println(ctx.stdout, JSON.stringify(found, null, 2));
      println(
        ctx.stdout,
        table(
          found.map((f) => ({
            address: f.address,
            name: f.name ?? '',
            manufacturer: f.manufacturer ?? f.hardware ?? '',
            model: f.model ?? '',
            firmware: f.firmware ?? '',
            serial: f.serial ?? '',
            mac: f.mac ?? '',
            registered: f.registered ?? (f.error ? `error: ${f.error}` : 'no'),
          })),
          ['address', 'name', 'manufacturer', 'model', 'firmware', 'serial', 'mac', 'registered'],
        ),
      );
      println(ctx.stdout, `${found.length} device(s) answered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
}
