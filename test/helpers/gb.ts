// The gateway's GB/T 28181 service on 127.0.0.1 with a temporary database, and device simulators
// registering to it (real UDP/TCP).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gb28181Config } from '../../src/config/schema/gb28181.js';
import { configSchema } from '../../src/config/schema/index.js';
import { silentLogger } from '../../src/log.js';
import { startGbService, type GbService } from '../../src/modules/gb28181/service.js';
import type { TransportName } from '../../src/protocols/sip/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { GbCameraSim, GbDeviceSim, type GbCameraSimOptions, type GbDeviceOptions } from '../../src/sim/gb28181/index.js';

export const GB_SIP_ID = '44010000002000000001';
export const GB_DOMAIN = '4401000000';
export const GB_PASSWORD = '12345678';
export const GB_TIMERS = { T1: 50, T2: 400, T4: 500 };

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function gbConfig(over: Partial<Gb28181Config> = {}): Gb28181Config {
  const base = configSchema.shape.gb28181.parse({});
  return { ...base, enabled: true, listen: '127.0.0.1:0', password: GB_PASSWORD, catalog_timeout_s: 2, ...over };
}

export function tempDb(t: Teardown): { db: Db; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-gb-'));
  const db = openDb(dir);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, dir };
}

export async function gbService(t: Teardown, opts: { config?: Partial<Gb28181Config>; keepaliveIntervalMs?: number; db?: Db; rateLimit?: null } = {}): Promise<GbService> {
  const db = opts.db ?? tempDb(t).db;
  const svc = await startGbService({
    config: gbConfig(opts.config),
    db,
    log: silentLogger(),
    keepaliveIntervalMs: opts.keepaliveIntervalMs,
    requestPollMs: 50,
    timers: GB_TIMERS,
    rateLimit: opts.rateLimit,
  });
  t.teardown(() => svc.stop());
  return svc;
}

export async function gbDevice(t: Teardown, svc: GbService, opts: Partial<GbDeviceOptions> & { transport?: TransportName } = {}): Promise<GbDeviceSim> {
  const dev = await GbDeviceSim.start({
    deviceId: '44010000041180000001',
    password: GB_PASSWORD,
    registrar: { address: '127.0.0.1', port: svc.registrar.port, transport: opts.transport ?? 'UDP', serverId: GB_SIP_ID, domain: GB_DOMAIN },
    timers: GB_TIMERS,
    ...opts,
  });
  t.teardown(() => dev.close());
  return dev;
}

/** A 2-channel NVR with CIF video, registering to the registrar on `port` over UDP (not yet registered). */
export async function gbNvr(t: Teardown, port: number, opts: Partial<GbCameraSimOptions> = {}): Promise<GbCameraSim> {
  const nvr = await GbCameraSim.start({
    deviceId: '44010000041180000001',
    password: GB_PASSWORD,
    registrar: { address: '127.0.0.1', port, transport: 'UDP', serverId: GB_SIP_ID, domain: GB_DOMAIN },
    timers: GB_TIMERS,
    channels: 2,
    clip: SUB_CIF_H264,
    ...opts,
  });
  t.teardown(() => nvr.close());
  return nvr;
}

/** Resolves on the registrar's next `event` for `deviceId`, or rejects after `ms`. */
export function nextEvent(svc: GbService, event: 'online' | 'offline' | 'registered', deviceId: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      svc.registrar.off(event, on);
      reject(new Error(`no ${event} event for ${deviceId} in ${ms} ms`));
    }, ms);
    const on = (id: string) => {
      if (id !== deviceId) return;
      clearTimeout(timer);
      svc.registrar.off(event, on);
      resolve();
    };
    svc.registrar.on(event, on);
  });
}
