// The GB/T 28181 device side as the daemon runs it: the registrar on the configured port, a
// DeviceInfo + Catalog + DeviceStatus round after each fresh registration, PTZ of GB channels, and
// the requests the CLI leaves in the database (`vcgw gb catalog DEVICE`, `vcgw ptz` on a GB camera).
//
// Why a request row and not a control socket: the CLI and the daemon already share the SQLite file
// (PTZ holds, status); a row needs no new listener, no socket permissions on the box and no
// protocol, survives a daemon restart, and the CLI's wait is a bounded poll of one row
// (see requests.ts).
import os from 'node:os';
import pLimit from 'p-limit';
import type { Gb28181Config } from '../../config/schema/gb28181.js';
import type { Config } from '../../config/schema/index.js';
import { PortAllocator } from '../../protocols/rtp/ports.js';
import type { PullFactory } from '../media/source.js';
import { GbPull, parseGbStreamUrl, type GbMediaDeps } from './pull.js';
import type { Logger } from '../../log.js';
import type { RateLimitOptions, SipTimers } from '../../protocols/sip/index.js';
import { GbStore, type GbRequestRow } from '../../store/gb.js';
import { CameraClockStore } from '../../store/cameraClock.js';
import { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { GbRegistrar } from './registrar.js';
import { gbStateProbe } from './health.js';
import { readPtzParams } from './requests.js';
import { GbPtzDriver } from '../ptz/gbDriver.js';
import { PTZ_LOG_CODES, type PtzAction } from '../../domain/ptz.js';
import type { StateProbe } from '../health/netcheck.js';

export interface GbServiceOptions {
  config: Gb28181Config;
  db: Db;
  log: Logger;
  /** Tests shorten these; the daemon uses the config's seconds. */
  keepaliveIntervalMs?: number;
  requestPollMs?: number;
  timers?: Partial<SipTimers>;
  rateLimit?: RateLimitOptions | null;
  /** How long a PTZ move lasts before its Stop ([ptz] pulse_ms). */
  ptzPulseMs?: number;
}

export interface GbService {
  readonly registrar: GbRegistrar;
  readonly store: GbStore;
  /** Address devices are told to send media to (SDP c=). */
  readonly mediaAddress: string;
  /** Media ports of the configured range (tests check they are released). */
  readonly ports: PortAllocator;
  /** The media engine's pulls of `gb28181:DEVICE/CHANNEL` streams. */
  pullFactory(media: Pick<Config['media'], 'stall_s' | 'first_frame_s' | 'backoff_s'>): PullFactory;
  /** Reachability of GB cameras from keep-alives and channel status (NetworkCheck, camera state). */
  readonly stateOf: StateProbe;
  /** PTZ of GB channels, for the province's calls and the CLI's requests. */
  readonly ptz: GbPtzDriver;
  /** The engine's GB pulls that are not stopped (for /metrics). */
  pulls(): GbPull[];
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;
const SURVEY_CONCURRENCY = 16;

export function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

function firstExternalIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** What devices are told to reach us at: the configured address, else the listen host, else this box's first external IPv4. */
export function announcedAddress(config: Gb28181Config): string {
  if (config.media_address) return config.media_address;
  const { host } = splitHostPort(config.listen);
  if (host !== '0.0.0.0' && host !== '::') return host;
  return firstExternalIPv4() ?? '127.0.0.1';
}

export async function startGbService(o: GbServiceOptions): Promise<GbService> {
  const c = o.config;
  const log = o.log;
  const store = new GbStore(o.db);
  const { host, port } = splitHostPort(c.listen);
  const mediaAddress = announcedAddress(c);
  const registrar = await GbRegistrar.start({
    sipId: c.sip_id,
    domain: c.domain,
    host,
    port,
    transports: { udp: c.transport !== 'tcp', tcp: c.transport !== 'udp' },
    advertisedHost: mediaAddress,
    passwordOf: (id) => c.passwords[id] ?? (c.password === '' ? undefined : c.password),
    keepaliveIntervalMs: o.keepaliveIntervalMs ?? c.keepalive_timeout_s * 1000,
    keepaliveMisses: c.keepalive_misses,
    maxExpiresS: c.max_expires_s,
    catalogIdleMs: c.catalog_timeout_s * 1000,
    store,
    log,
    timers: o.timers,
    rateLimit: o.rateLimit,
  });
  log.info({ sip: `${c.transport} ${host}:${registrar.port}`, sipId: c.sip_id, domain: c.domain }, 'GB/T 28181 registrar listening');

  const survey = async (deviceId: string): Promise<void> => {
    for (const [what, step] of [
      ['DeviceInfo', () => registrar.deviceInfo(deviceId)],
      ['Catalog', () => registrar.catalog(deviceId)],
      ['DeviceStatus', () => registrar.deviceStatus(deviceId)],
    ] as const) {
      try {
        await step();
      } catch (err) {
        log.warn({ deviceId, err: (err as Error).message }, `GB ${what} query failed`);
      }
    }
  };
  // After a power cut every device registers at once; surveying them all at once retransmits
  // thousands of UDP MESSAGEs into each other and some rounds never finish (bench/gb-sip.ts
  // --target gateway). A few at a time finish them all.
  const surveys = pLimit(SURVEY_CONCURRENCY);
  registrar.on('registered', (id) => void surveys(() => survey(id)));
  // The device set its clock from our Date header at registration; DeviceStatus tells how far off
  // it still is. Recorded for each camera on the device, as ONVIF cameras' clock syncs are.
  const clocks = new CameraClockStore(o.db);
  const cameras = new CameraStore(o.db);
  registrar.on('clockDrift', (deviceId, driftMs, at) => {
    for (const cam of cameras.all()) if (cam.access.gbDeviceId === deviceId) clocks.record(cam.record.cameraNum, { at, driftMs });
  });

  const ptz = new GbPtzDriver({ registrar, pulseMs: o.ptzPulseMs ?? 500, log });
  const isAction = (name: string): name is PtzAction => Object.hasOwn(PTZ_LOG_CODES, name);
  /** PTZ goes only to a device that is keeping alive: a clear answer beats a SIP timeout. */
  const reachable = (deviceId: string): void => {
    const dev = registrar.device(deviceId);
    if (!dev) throw new Error(`GB device ${deviceId} is offline: not registered to this gateway`);
    if (!dev.online) throw new Error(`GB device ${deviceId} is offline: no keep-alive for ${Math.round((Date.now() - dev.lastSeenAt) / 1000)} s`);
  };
  const carryOut = async (req: GbRequestRow): Promise<Record<string, unknown>> => {
    switch (req.kind) {
      case 'catalog': {
        const cat = await registrar.catalog(req.deviceId);
        return { complete: cat.complete, sumNum: cat.sumNum, items: cat.items.length, pages: cat.pages };
      }
      case 'info':
        return { info: await registrar.deviceInfo(req.deviceId) };
      case 'status':
        return { status: await registrar.deviceStatus(req.deviceId) };
      case 'ptz': {
        const p = readPtzParams(req.params, isAction);
        if (!p) throw new Error(`params: not a PTZ move or preset operation: ${req.params ?? ''}`);
        reachable(req.deviceId);
        if ('move' in p) await ptz.moveChannel(req.deviceId, p.channelId, p.move.action, p.move.step);
        else await ptz.presetChannel(req.deviceId, p.channelId, p.preset.op, p.preset.id);
        return {};
      }
      case 'presets': {
        const channelId = (JSON.parse(req.params ?? '{}') as { channelId?: unknown }).channelId;
        if (typeof channelId !== 'string' || !/^\d{20}$/.test(channelId)) throw new Error('params: channelId must be 20 digits');
        reachable(req.deviceId);
        return { presets: await registrar.presets(req.deviceId, channelId) };
      }
    }
  };
  const serve = async (req: GbRequestRow): Promise<void> => {
    if (!store.claimRequest(req.id)) return; // withdrawn by the CLI meanwhile
    let result: unknown;
    try {
      if (req.expiresAt !== null && Date.now() > req.expiresAt) throw new Error('expired before the daemon took it');
      result = { ok: true, ...(await carryOut(req)) };
    } catch (err) {
      result = { ok: false, error: (err as Error).message };
    }
    store.finishRequest(req.id, JSON.stringify(result));
  };
  // serve() claims its row before its first await, so a request is never taken twice.
  const poll = () => {
    for (const req of store.pendingRequests()) void serve(req);
  };
  // 200 ms: a local PTZ press should move the camera promptly; the poll is one indexed SELECT.
  const poller = setInterval(poll, o.requestPollMs ?? 200);
  poller.unref();
  const pruner = setInterval(() => store.pruneRequests(DAY_MS), DAY_MS / 24);
  pruner.unref();

  const ports = new PortAllocator({ min: c.media_port_min, max: c.media_port_max });
  const deps: GbMediaDeps = { registrar, ports, mediaAddress, bindHost: host, transport: c.stream_transport, sipId: c.sip_id, domain: c.domain };
  const pulls = new Set<GbPull>();
  const livePulls = (): GbPull[] => {
    for (const p of pulls) if (p.state === 'stopped') pulls.delete(p);
    return [...pulls];
  };
  const pullFactory: GbService['pullFactory'] = (media) => (url, pullLog) => {
    const ch = parseGbStreamUrl(url);
    if (!ch) return undefined;
    const pull = new GbPull({ deviceId: ch.deviceId, channelId: ch.channelId, deps: ch.transport ? { ...deps, transport: ch.transport } : deps, stallMs: media.stall_s * 1000, firstFrameMs: media.first_frame_s * 1000, backoffMs: media.backoff_s.map((s) => s * 1000), log: pullLog });
    pulls.add(pull);
    return pull;
  };

  return {
    registrar,
    store,
    mediaAddress,
    ports,
    pullFactory,
    stateOf: gbStateProbe(registrar, store),
    ptz,
    pulls: livePulls,
    async stop() {
      clearInterval(poller);
      clearInterval(pruner);
      await ptz.close();
      await registrar.close();
    },
  };
}
