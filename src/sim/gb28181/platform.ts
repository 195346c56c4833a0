// A minimal GB/T 28181 platform (registrar + MANSCDP peer) built from the SIP and GB libraries:
// enough to exercise a device (the simulator, or a real one in the field) and to measure the
// SIP layer. REGISTER with digest (Date header in the 200), Keepalive and NOTIFY intake,
// Catalog/DeviceInfo/DeviceStatus queries out, DeviceControl out. Not the gateway's module.
import { DigestServer, SipEndpoint, header, type IncomingRequest, type Remote, type SipLog, type SipTimers } from '../../protocols/sip/index.js';
import {
  CatalogCollector,
  MANSCDP_CONTENT_TYPE,
  decodeManscdp,
  editionOf,
  gbTime,
  parseCatalog,
  query,
  type CollectedCatalog,
  type GbEdition,
  type ManscdpMessage,
} from '../../protocols/gb28181/index.js';
import { ConditionWaiters } from '../conditionWaiters.js';

export interface PlatformRegistration {
  deviceId: string;
  remote: Remote;
  expires: number;
  callId: string;
  cseq: string;
  via: string;
  /** From X-GB-Ver (null: a value this platform does not know). */
  edition: GbEdition | null;
}

export interface MiniPlatformOptions {
  serverId: string;
  domain: string;
  /** The password of a device (undefined: unknown device, refused). */
  passwordOf: (deviceId: string) => string | undefined;
  host?: string;
  port?: number;
  timers?: Partial<SipTimers>;
  log?: SipLog;
  /** Keep every Keepalive seen (tests); false keeps only counts (benchmarks). */
  keepKeepalives?: boolean;
  catalogIdleMs?: number;
}

export class MiniPlatform {
  /** Every accepted REGISTER, in order (refreshes and unregisters included). */
  readonly registers: PlatformRegistration[] = [];
  readonly devices = new Map<string, PlatformRegistration>();
  readonly keepalives: { deviceId: string; cseq: string }[] = [];
  keepaliveCount = 0;
  readonly notifications: ManscdpMessage[] = [];
  readonly catalog: CatalogCollector;
  private readonly digest: DigestServer;
  private readonly waiters = new ConditionWaiters('platform');
  private readonly responses = new Map<string, (m: ManscdpMessage) => void>();
  private sn = 100;

  private constructor(
    readonly ep: SipEndpoint,
    private readonly opts: MiniPlatformOptions,
  ) {
    this.digest = new DigestServer({ realm: opts.domain, nonceTtlMs: 300_000 });
    this.catalog = new CatalogCollector(opts.catalogIdleMs ?? 5000);
    ep.onRequest((r) => this.onRequest(r));
  }

  static async start(opts: MiniPlatformOptions): Promise<MiniPlatform> {
    const ep = await SipEndpoint.start({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, timers: opts.timers, log: opts.log, rateLimit: null, userAgent: 'vcgw-sim GB28181 platform' });
    return new MiniPlatform(ep, opts);
  }

  /** Resolves when `test` holds (checked after every request handled), rejects after `ms`. */
  until(test: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    return this.waiters.until(test, ms, what);
  }

  private onRequest(r: IncomingRequest): void {
    try {
      this.handle(r);
    } finally {
      this.waiters.check();
    }
  }

  private handle(r: IncomingRequest): void {
    const req = r.request;
    const deviceId = /sips?:(\d{20})@/.exec(header(req, 'from') ?? '')?.[1] ?? '';
    if (req.method === 'REGISTER') {
      const v = this.digest.verify('REGISTER', header(req, 'authorization'), (u) => (u === deviceId ? this.opts.passwordOf(u) : undefined));
      if (!v.ok) {
        if (v.reason === 'missing' || v.reason === 'stale') r.reply(401, { headers: [['WWW-Authenticate', this.digest.challenge(v.reason === 'stale')]] });
        else r.reply(403);
        return;
      }
      const expires = Number(header(req, 'expires') ?? 3600);
      const reg = { deviceId, remote: r.remote, expires, callId: header(req, 'call-id')!, cseq: header(req, 'cseq')!, via: header(req, 'via')!, edition: editionOf(header(req, 'x-gb-ver')) };
      this.registers.push(reg);
      if (expires === 0) this.devices.delete(deviceId);
      else this.devices.set(deviceId, reg);
      // The device sets its clock from the Date header (GB/T 28181 §9.10).
      r.reply(200, { headers: [['Expires', String(expires)], ['Date', `${gbTime(new Date())}.000`]] });
      return;
    }
    if (req.method !== 'MESSAGE') {
      r.reply(405);
      return;
    }
    const m = decodeManscdp(req.body, header(req, 'content-type'));
    if (!m.ok) {
      r.reply(400, { reason: m.error.slice(0, 100) });
      return;
    }
    r.reply(200);
    const msg = m.message;
    if (msg.cmdType === 'Keepalive') {
      this.keepaliveCount++;
      if (this.opts.keepKeepalives !== false) this.keepalives.push({ deviceId, cseq: header(req, 'cseq')! });
    } else if (msg.root === 'Notify') this.notifications.push(msg);
    else if (msg.cmdType === 'Catalog') {
      const p = parseCatalog(msg);
      if (p.ok) this.catalog.offer(msg.deviceId, msg.sn, p.page);
    } else this.responses.get(`${msg.cmdType}|${msg.sn}`)?.(msg);
  }

  /** A MESSAGE to `to` (the device or one of its channels) through the device's registration. */
  async send(deviceId: string, body: Buffer, to = deviceId): Promise<number> {
    const reg = this.devices.get(deviceId);
    if (!reg) throw new Error(`${deviceId} is not registered`);
    const res = await this.ep.request({
      method: 'MESSAGE',
      uri: `sip:${to}@${this.opts.domain}`,
      from: `<sip:${this.opts.serverId}@${this.opts.domain}>`,
      to: `<sip:${to}@${this.opts.domain}>`,
      target: reg.remote,
      body,
      contentType: MANSCDP_CONTENT_TYPE,
    });
    return res.status;
  }

  /** Sends a query and resolves with the device's Response MESSAGE (matched by CmdType and SN). */
  async ask(deviceId: string, cmdType: 'DeviceInfo' | 'DeviceStatus', timeoutMs = 5000): Promise<ManscdpMessage> {
    const sn = ++this.sn;
    const key = `${cmdType}|${sn}`;
    const answer = new Promise<ManscdpMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.responses.delete(key);
        reject(new Error(`no ${cmdType} response from ${deviceId} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.responses.set(key, (m) => {
        clearTimeout(timer);
        this.responses.delete(key);
        resolve(m);
      });
    });
    await this.send(deviceId, query(cmdType, { sn, deviceId }));
    return answer;
  }

  async queryCatalog(deviceId: string): Promise<CollectedCatalog> {
    const sn = ++this.sn;
    const done = this.catalog.expect(deviceId, sn);
    await this.send(deviceId, query('Catalog', { sn, deviceId }));
    return done;
  }

  close(): Promise<void> {
    this.catalog.close();
    return this.ep.close();
  }
}
