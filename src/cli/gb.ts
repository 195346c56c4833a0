// `vcgw gb …`: GB/T 28181 devices that registered to the gateway and their channels (camera
// candidates), read from the database the daemon writes; `gb catalog` asks the running daemon to
// query a device again now (a request row it polls: see modules/gb28181/requests.ts).
import type { Command } from 'commander';
import { parseGbCode } from '../protocols/gb28181/index.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore } from '../store/cameras.js';
import { openDb, type Db } from '../store/db.js';
import { GbStore, type GbChannelRow } from '../store/gb.js';
import { askDaemon, NoDaemonError } from '../modules/gb28181/requests.js';
import { CliError, println, table, type CliContext, type RegisterCommand } from './context.js';

const POLL_MS = 100;

function withStore<T>(ctx: CliContext, fn: (store: GbStore, db: Db) => T | Promise<T>): Promise<T> {
  const config = ctx.loadConfig();
  const db = openDb(config.gateway.data_dir);
  return Promise.resolve()
    .then(() => fn(new GbStore(db), db))
    .finally(() => db.close());
}

function deviceArg(id: string): string {
  if (!/^\d{20}$/.test(id)) throw new CliError(`DEVICE: expected a 20-digit GB/T 28181 device id, got ${id}`, 2);
  return id;
}

/** Video channels (types 131 camera, 132 IP camera) are what a technician adds as cameras. */
export function isCameraChannel(channelId: string): boolean {
  const code = parseGbCode(channelId);
  return code !== null && (code.type === 131 || code.type === 132);
}

const when = (ms: number | null): string => (ms === null ? '' : beijingDateTime(ms));

function channelRows(db: Db, channels: readonly GbChannelRow[]): Record<string, unknown>[] {
  const added = new Map<string, string>();
  for (const cam of new CameraStore(db).all()) if (cam.access.gbChannelId) added.set(cam.access.gbChannelId, cam.id);
  return channels.map((c) => ({
    channel: c.channelId,
    name: c.name ?? '',
    status: c.status ?? '',
    ptzType: c.ptzType,
    candidate: isCameraChannel(c.channelId) ? 'yes' : 'no',
    camera: added.get(c.channelId) ?? '',
  }));
}

export const registerGbCommand: RegisterCommand = (program: Command, ctx: CliContext) => {
  const gb = program.command('gb').description('GB/T 28181 cameras and NVRs registered to this gateway ([gb28181])');

  gb.command('devices')
    .description('Devices that registered: address, online state, keep-alive, info, clock drift')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withStore(ctx, (store) => {
        const devices = store.devices();
        if (opts.json) return println(ctx.stdout, JSON.stringify(devices, null, 2));
        if (devices.length === 0) return println(ctx.stdout, 'no GB/T 28181 device has registered (is [gb28181] enabled = true and the daemon running?)');
        println(
          ctx.stdout,
          table(
            devices.map((d) => ({
              device: d.deviceId,
              state: d.online ? 'online' : 'offline',
              address: `${d.transport} ${d.address}:${d.port}`,
              lastSeen: when(d.lastSeenAt),
              name: d.name ?? '',
              model: [d.manufacturer, d.model].filter(Boolean).join(' '),
              channels: d.channelCount ?? '',
              clockDrift: d.clockDriftMs === null ? '' : `${(d.clockDriftMs / 1000).toFixed(1)} s`,
            })),
            ['device', 'state', 'address', 'lastSeen', 'name', 'model', 'channels', 'clockDrift'],
          ),
        );
      }),
    );

  gb.command('channels')
    .argument('<DEVICE>', '20-digit device id')
    .description("A device's catalogued channels; video channels are camera candidates (`vcgw cameras add --gb-channel ID …`)")
    .option('--json', 'machine-readable output')
    .action((device: string, opts: { json?: boolean }) =>
      withStore(ctx, (store, db) => {
        const id = deviceArg(device);
        if (!store.device(id)) throw new CliError(`DEVICE: ${id} has never registered to this gateway`, 1);
        const channels = store.channels(id);
        if (opts.json) return println(ctx.stdout, JSON.stringify(channels.map((c) => ({ ...c, candidate: isCameraChannel(c.channelId) })), null, 2));
        if (channels.length === 0) return println(ctx.stdout, `no catalogue from ${id} yet (ask for one: vcgw gb catalog ${id})`);
        println(ctx.stdout, table(channelRows(db, channels), ['channel', 'name', 'status', 'ptzType', 'candidate', 'camera']));
      }),
    );

  gb.command('catalog')
    .argument('<DEVICE>', '20-digit device id')
    .description('Ask the running daemon to query the device catalogue again now, then list the channels')
    .option('--timeout <s>', 'how long to wait for the daemon', '30')
    .action((device: string, opts: { timeout: string }) =>
      withStore(ctx, async (store, db) => {
        const id = deviceArg(device);
        const timeoutS = Number(opts.timeout);
        if (!(timeoutS > 0)) throw new CliError(`--timeout: expected seconds > 0, got ${opts.timeout}`, 2);
        if (!store.device(id)) throw new CliError(`DEVICE: ${id} has never registered to this gateway`, 1);
        let result;
        try {
          result = await askDaemon(store, id, 'catalog', { takeWithinMs: timeoutS * 1000, answerWithinMs: timeoutS * 1000, pollMs: POLL_MS });
        } catch (err) {
          throw new CliError(err instanceof NoDaemonError ? err.message : `catalog query of ${id} failed: ${(err as Error).message}`, 1);
        }
        println(ctx.stdout, `${id}: ${result.items}/${result.sumNum} items in ${result.pages} page(s)${result.complete ? '' : ' (incomplete: pages missing; the list was extended, not replaced)'}`);
        println(ctx.stdout, table(channelRows(db, store.channels(id)), ['channel', 'name', 'status', 'ptzType', 'candidate', 'camera']));
      }),
    );
};
