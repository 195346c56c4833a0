// The gateway as the platform GB/T 28181 cameras and NVRs register to: REGISTER with digest
// (Date header in the 200 for the device clock, GB/T 28181 §9.10), expiry and Expires 0, keep-alive tracking
// (offline after N missed intervals, online on the next one), DeviceInfo / Catalog (paged,
// assembled) / DeviceStatus queries, channel-status NOTIFYs and alarms. State lives in memory for
// the SIP work and in SQLite (GbStore) for the CLI and for the next start.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import {
  DigestServer,
  SipEndpoint,
  header,
  type Dialog,
  type IncomingRequest,
  type RateLimitOptions,
  type Remote,
  type SipResponse,
  type SipLog,
  type SipTimers,
  type TransportName,
} from '../../protocols/sip/index.js';
import {
  CatalogCollector,
  MANSCDP_CONTENT_TYPE,
  decodeManscdp,
  editionOf,
  gbTime,
  parseAlarm,
  parseCatalog,
  parseDeviceInfo,
  parseDeviceStatus,
  parseGbTime,
  parsePresetList,
  query,
  type CollectedCatalog,
  type DeviceInfo,
  type DeviceStatus,
  type ManscdpMessage,
  type Preset,
} from '../../protocols/gb28181/index.js';
import type { GbStore } from '../../store/gb.js';

export interface GbRegistrarOptions {
  sipId: string;
  domain: string;
  host: string;
  port: number;
  transports: { udp: boolean; tcp: boolean };
  /** Address written in our Via/Contact (what devices reach us at). */
  advertisedHost?: string;
  /** The device's password, or undefined: the device may not register. */
  passwordOf: (deviceId: string) => string | undefined;
  keepaliveIntervalMs: number;
  keepaliveMisses: number;
  maxExpiresS: number;
  catalogIdleMs: number;
  /** A query unanswered this long fails. */
  queryTimeoutMs?: number;
  store: GbStore;
  log: Logger;
  timers?: Partial<SipTimers>;
  /** Per source address (default: the SIP endpoint's); null disables (tests and benchmarks). */
  rateLimit?: RateLimitOptions | null;
  now?: () => number;
}

/** Where and until when a registered device is reached. */
export interface LiveDevice {
  deviceId: string;
  remote: Remote;
  expiresAt: number;
  lastSeenAt: number;
  online: boolean;
}

export interface GbRegistrarEvents {
  /** A device registered afresh (not a refresh): info and catalog are worth asking. */
  registered: [deviceId: string];
  online: [deviceId: string];
  offline: [deviceId: string, reason: string];
  /** A channel-status NOTIFY (ON/OFF/VLOST/DEFECT…). */
  channelStatus: [deviceId: string, channelId: string, event: string];
  alarm: [deviceId: string, message: ManscdpMessage];
  /** A DeviceStatus answer carried DeviceTime: the device clock minus ours. */
  clockDrift: [deviceId: string, driftMs: number, at: number];
}

const DEFAULT_QUERY_TIMEOUT_MS = 8000;

export class GbRegistrar extends EventEmitter<GbRegistrarEvents> {
  private readonly digest: DigestServer;
  private readonly live = new Map<string, LiveDevice>();
  private readonly catalogs: CatalogCollector;
  private readonly answers = new Map<string, (m: ManscdpMessage | Error) => void>();
  private readonly now: () => number;
  private sn = Math.floor(Math.random() * 100_000);
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    readonly ep: SipEndpoint,
    private readonly o: GbRegistrarOptions,
  ) {
    super();
    this.now = o.now ?? Date.now;
    this.digest = new DigestServer({ realm: o.domain, nonceTtlMs: 300_000 });
    this.catalogs = new CatalogCollector(o.catalogIdleMs);
    ep.onRequest((r) => this.onRequest(r));
    this.restore();
    // Checked a few times per interval so "offline" is late by a fraction of one interval at most.
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.floor(o.keepaliveIntervalMs / 4)));
    this.sweeper.unref();
  }

  static async start(o: GbRegistrarOptions): Promise<GbRegistrar> {
    const log = o.log;
    const sipLog: SipLog = (level, msg, fields) => log[level === 'debug' ? 'debug' : level === 'info' ? 'info' : 'warn'](fields ?? {}, msg);
    const ep = await SipEndpoint.start({
      host: o.host,
      port: o.port,
      udp: o.transports.udp,
      tcp: o.transports.tcp,
      advertisedHost: o.advertisedHost,
      timers: o.timers,
      ...(o.rateLimit !== undefined ? { rateLimit: o.rateLimit } : {}),
      log: sipLog,
      userAgent: 'vcgw GB28181',
    });
    return new GbRegistrar(ep, o);
  }

  get port(): number {
    return this.ep.port;
  }

  /** The registered device, if its registration holds now. */
  device(deviceId: string): LiveDevice | undefined {
    const d = this.live.get(deviceId);
    return d && d.expiresAt > this.now() ? d : undefined;
  }

  /**
   * Devices registered before a restart stay reachable until their registration expires: cameras
   * keep their keep-alives going and only re-register at expiry.
   */
  private restore(): void {
    const now = this.now();
    for (const d of this.o.store.devices()) {
      if (d.expiresAt <= now || !d.online) continue;
      const transport: TransportName = d.transport === 'TCP' ? 'TCP' : 'UDP';
      this.live.set(d.deviceId, { deviceId: d.deviceId, remote: { transport, address: d.address, port: d.port }, expiresAt: d.expiresAt, lastSeenAt: now, online: true });
    }
  }

  private onRequest(r: IncomingRequest): void {
    try {
      const req = r.request;
      if (req.method === 'REGISTER') this.onRegister(r);
      else if (req.method === 'MESSAGE' || req.method === 'NOTIFY') this.onMessage(r);
      else if (req.method === 'OPTIONS') r.reply(200);
      else r.reply(405, { headers: [['Allow', 'REGISTER, MESSAGE, NOTIFY, INVITE, ACK, BYE, CANCEL, OPTIONS']] });
    } catch (err) {
      // Nothing from the wire may end the daemon: answer 500 and log once.
      this.o.log.warn({ err: (err as Error).message, method: r.request.method }, 'GB request failed');
      try {
        r.reply(500);
      } catch {
        // already answered
      }
    }
  }

  private deviceIdOf(r: IncomingRequest): string | undefined {
    return /sips?:(\d{20})@/.exec(header(r.request, 'from') ?? '')?.[1];
  }

  private onRegister(r: IncomingRequest): void {
    const req = r.request;
    const deviceId = this.deviceIdOf(r);
    if (!deviceId) {
      r.reply(400, { reason: 'From must carry a 20-digit device id' });
      return;
    }
    const v = this.digest.verify('REGISTER', header(req, 'authorization'), (user) => (user === deviceId ? this.o.passwordOf(user) : undefined));
    if (!v.ok) {
      if (v.reason === 'missing' || v.reason === 'stale') {
        r.reply(401, { headers: [['WWW-Authenticate', this.digest.challenge(v.reason === 'stale')]] });
      } else {
        this.o.log.warn({ deviceId, remote: `${r.remote.address}:${r.remote.port}`, reason: v.reason }, 'GB device refused: wrong credentials');
        r.reply(403);
      }
      return;
    }
    const asked = Number(header(req, 'expires') ?? /expires=(\d+)/i.exec(header(req, 'contact') ?? '')?.[1] ?? 3600);
    const expires = Number.isFinite(asked) && asked >= 0 ? Math.min(asked, this.o.maxExpiresS) : 3600;
    const now = this.now();
    const date = `${gbTime(new Date(now))}.${String(now % 1000).padStart(3, '0')}`;
    if (expires === 0) {
      r.reply(200, { headers: [['Expires', '0'], ['Date', date]] });
      const was = this.live.get(deviceId);
      this.live.delete(deviceId);
      this.o.store.unregistered(deviceId, now);
      this.o.log.info({ deviceId }, 'GB device unregistered');
      if (was?.online) this.emit('offline', deviceId, 'unregistered');
      return;
    }
    r.reply(200, { headers: [['Expires', String(expires)], ['Date', date]] });
    const prior = this.device(deviceId);
    const fresh = !prior || !prior.online;
    const dev: LiveDevice = { deviceId, remote: r.remote, expiresAt: now + expires * 1000, lastSeenAt: now, online: true };
    this.live.set(deviceId, dev);
    const edition = editionOf(header(req, 'x-gb-ver'));
    this.o.store.registered({ deviceId, transport: r.remote.transport, address: r.remote.address, port: r.remote.port, edition, expiresAt: dev.expiresAt }, now);
    if (fresh) {
      this.o.log.info({ deviceId, remote: `${r.remote.transport} ${r.remote.address}:${r.remote.port}`, expires, edition: edition ?? 'unknown' }, 'GB device registered');
      this.emit('registered', deviceId);
      this.emit('online', deviceId);
    }
  }

  private onMessage(r: IncomingRequest): void {
    const req = r.request;
    const m = decodeManscdp(req.body, header(req, 'content-type'));
    if (!m.ok) {
      r.reply(400, { reason: m.error.slice(0, 100) });
      return;
    }
    const msg = m.message;
    const deviceId = this.deviceIdOf(r) ?? msg.deviceId;
    const dev = this.device(deviceId);
    if (!dev) {
      // Unknown or expired: 403 makes a device register again (as platforms in the field answer).
      r.reply(403, { reason: 'Not registered' });
      return;
    }
    r.reply(200);
    this.heard(dev);
    if (msg.root === 'Notify' && msg.cmdType === 'Keepalive') return;
    if (msg.root === 'Notify' && msg.cmdType === 'Catalog') return this.onCatalogNotify(deviceId, msg);
    if (msg.root === 'Notify' && msg.cmdType === 'Alarm') {
      const a = parseAlarm(msg);
      this.o.log.info({ deviceId, channel: msg.deviceId, priority: a.priority, method: a.method }, 'GB alarm');
      this.emit('alarm', deviceId, msg);
      return;
    }
    if (msg.root !== 'Response') return;
    if (msg.cmdType === 'Catalog') {
      const p = parseCatalog(msg);
      if (p.ok) this.catalogs.offer(deviceId, msg.sn, p.page);
      else this.o.log.warn({ deviceId, err: p.error }, 'GB catalog page unreadable');
      return;
    }
    this.answers.get(`${msg.cmdType}|${msg.sn}`)?.(msg);
  }

  private onCatalogNotify(deviceId: string, msg: ManscdpMessage): void {
    const p = parseCatalog(msg);
    if (!p.ok) return;
    for (const item of p.page.items) {
      const event = item.event ?? item.status;
      if (!event) continue;
      if (event === 'ON' || event === 'OFF') this.o.store.setChannelStatus(deviceId, item.deviceId, event, this.now());
      else if (event === 'VLOST' || event === 'DEFECT') this.o.store.setChannelStatus(deviceId, item.deviceId, 'OFF', this.now());
      this.emit('channelStatus', deviceId, item.deviceId, event);
    }
  }

  /** Any message from a device is a sign of life (some send status NOTIFYs between keep-alives). */
  private heard(dev: LiveDevice): void {
    const now = this.now();
    dev.lastSeenAt = now;
    this.o.store.seen(dev.deviceId, now);
    if (!dev.online) {
      dev.online = true;
      this.o.log.info({ deviceId: dev.deviceId }, 'GB device online again (keep-alive)');
      this.emit('online', dev.deviceId);
    }
  }

  private sweep(): void {
    const now = this.now();
    const silence = this.o.keepaliveIntervalMs * this.o.keepaliveMisses;
    for (const dev of [...this.live.values()]) {
      if (dev.expiresAt <= now) {
        this.live.delete(dev.deviceId);
        this.o.store.unregistered(dev.deviceId, now);
        this.o.log.warn({ deviceId: dev.deviceId }, 'GB device registration expired');
        if (dev.online) this.emit('offline', dev.deviceId, 'registration expired');
      } else if (dev.online && now - dev.lastSeenAt > silence) {
        dev.online = false;
        this.o.store.setOnline(dev.deviceId, false, now);
        const reason = `no keep-alive for ${Math.round((now - dev.lastSeenAt) / 1000)} s`;
        this.o.log.warn({ deviceId: dev.deviceId, reason }, 'GB device offline');
        this.emit('offline', dev.deviceId, reason);
      }
    }
  }

  /** Whether the device is registered and keeping alive. */
  isOnline(deviceId: string): boolean {
    return this.device(deviceId)?.online ?? false;
  }

  /** A MESSAGE to the device (or one of its channels, `to`) at the address it registered from. */
  async send(deviceId: string, body: Buffer, to = deviceId): Promise<number> {
    const dev = this.device(deviceId);
    if (!dev) throw new Error(`GB device ${deviceId} is not registered`);
    const res = await this.ep.request({
      method: 'MESSAGE',
      uri: `sip:${to}@${dev.remote.address}:${dev.remote.port}`,
      from: `<sip:${this.o.sipId}@${this.o.domain}>`,
      to: `<sip:${to}@${this.o.domain}>`,
      target: dev.remote,
      body,
      contentType: MANSCDP_CONTENT_TYPE,
    });
    return res.status;
  }

  /**
   * INVITE of a channel for live video (s=Play), at the address its device registered from; the
   * Subject names the channel and the y= SSRC (GB/T 28181 §9.2). The dialog is null unless answered 2xx.
   */
  async invite(deviceId: string, channelId: string, sdp: string, ssrc: string): Promise<{ response: SipResponse; dialog: Dialog | null }> {
    const dev = this.device(deviceId);
    if (!dev) throw new Error(`GB device ${deviceId} is not registered`);
    return this.ep.invite({
      uri: `sip:${channelId}@${dev.remote.address}:${dev.remote.port}`,
      from: `<sip:${this.o.sipId}@${this.o.domain}>`,
      to: `<sip:${channelId}@${this.o.domain}>`,
      target: dev.remote,
      extraHeaders: [['Subject', `${channelId}:${ssrc},${this.o.sipId}:0`]],
      body: Buffer.from(sdp),
      contentType: 'application/sdp',
    });
  }

  nextSn(): number {
    this.sn = (this.sn + 1) % 1_000_000_000;
    return this.sn;
  }

  private async ask(deviceId: string, cmdType: 'DeviceInfo' | 'DeviceStatus' | 'PresetQuery', to = deviceId): Promise<ManscdpMessage> {
    const sn = this.nextSn();
    const key = `${cmdType}|${sn}`;
    const timeoutMs = this.o.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    const answer = new Promise<ManscdpMessage>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no ${cmdType} response from ${deviceId} in ${timeoutMs} ms`)), timeoutMs);
      const settle = (m: ManscdpMessage | Error) => {
        clearTimeout(timer);
        this.answers.delete(key);
        if (m instanceof Error) reject(m);
        else resolve(m);
      };
      this.answers.set(key, settle);
    });
    // The answer may time out while the MESSAGE is still being retransmitted: never unhandled.
    answer.catch(() => undefined);
    try {
      const status = await this.send(deviceId, query(cmdType, { sn, deviceId: to }), to);
      if (status >= 300) throw new Error(`${deviceId} answered ${cmdType} with ${status}`);
    } catch (err) {
      this.answers.get(key)?.(err as Error);
      throw err;
    }
    return answer;
  }

  async deviceInfo(deviceId: string): Promise<DeviceInfo> {
    const info = parseDeviceInfo(await this.ask(deviceId, 'DeviceInfo'));
    this.o.store.setInfo(deviceId, { name: info.deviceName, manufacturer: info.manufacturer, model: info.model, firmware: info.firmware, channel: info.channel }, this.now());
    return info;
  }

  /** DeviceStatus, and the device clock's drift from ours (recorded) when it sent DeviceTime. */
  async deviceStatus(deviceId: string): Promise<DeviceStatus & { driftMs: number | null }> {
    const sent = this.now();
    const status = parseDeviceStatus(await this.ask(deviceId, 'DeviceStatus'));
    const got = this.now();
    const deviceTime = status.deviceTime ? parseGbTime(status.deviceTime) : null;
    // The device wrote its time somewhere between our send and its answer: compare to the middle.
    const driftMs = deviceTime ? deviceTime.getTime() - Math.round((sent + got) / 2) : null;
    if (driftMs !== null) {
      this.o.store.setClockDrift(deviceId, driftMs, got);
      this.emit('clockDrift', deviceId, driftMs, got);
    }
    return { ...status, driftMs };
  }

  /** The presets a channel (PTZ camera) lists; devices without presets answer an empty list or not at all. */
  async presets(deviceId: string, channelId: string): Promise<Preset[]> {
    return parsePresetList(await this.ask(deviceId, 'PresetQuery', channelId));
  }

  /** Queries the catalog; the assembled answer (complete or not) replaces or extends the stored channels. */
  async catalog(deviceId: string): Promise<CollectedCatalog> {
    const sn = this.nextSn();
    const done = this.catalogs.expect(deviceId, sn);
    const status = await this.send(deviceId, query('Catalog', { sn, deviceId }));
    if (status >= 300) throw new Error(`${deviceId} answered Catalog with ${status}`);
    const cat = await done;
    if (cat.pages > 0) this.o.store.putCatalog(deviceId, cat.items, cat.complete, this.now());
    return cat;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.catalogs.close();
    for (const settle of [...this.answers.values()]) settle(new Error('GB registrar closing'));
    await this.ep.close();
  }
}
