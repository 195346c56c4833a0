// A GB/T 28181 camera or NVR, signalling only: registers with digest (refresh before expiry,
// unregister with Expires 0), sends Keepalive, answers DeviceInfo / Catalog (paged) /
// DeviceStatus / PresetQuery, records DeviceControl PTZ commands (keeping its preset list), sends
// channel-status NOTIFYs, and answers INVITE through a hook where the media side (PS over RTP)
// plugs in. Real devices' quirks can be switched on one by one.
import {
  SipEndpoint,
  answerChallenge,
  header,
  parseCSeq,
  randomToken,
  type Dialog,
  type IncomingRequest,
  type Remote,
  type SipLog,
  type SipRequest,
  type SipResponse,
  type SipTimers,
  type TransportName,
} from '../../protocols/sip/index.js';
import {
  MANSCDP_CONTENT_TYPE,
  catalogPages,
  decodeManscdp,
  deviceInfoResponse,
  deviceStatusResponse,
  gbTime,
  keepalive,
  parseDeviceControl,
  presetQueryResponse,
  parseSdp,
  buildSdp,
  type CatalogItem,
  type Charset,
  type GbSdp,
  type ManscdpMessage,
  type PtzCommand,
  type GbEdition,
  type Preset,
  X_GB_VER,
} from '../../protocols/gb28181/index.js';

export interface GbDeviceQuirks {
  /** Every REGISTER (first, authenticated, refresh) with the same Call-ID and CSeq 1, as devices do after a reboot. */
  reuseCallId: boolean;
  /** CSeq method written on Keepalive MESSAGEs (e.g. "NOTIFY") instead of MESSAGE. */
  keepaliveCseqMethod: string | null;
  /** Catalog in GB2312 with vendor fields (Block, CertNum, ErrCode, StreamNum) and Status ONLINE/OFFLINE. */
  gb2312Catalog: boolean;
  /** Behind NAT: Via and Contact carry a private address and port; only rport/received reach it. */
  behindNat: boolean;
}

export interface GbDeviceOptions {
  /** 20 digits; type 118 for an NVR, 132 for an IP camera. */
  deviceId: string;
  password: string;
  registrar: { address: string; port: number; transport: TransportName; serverId: string; domain: string };
  /** Video channels: 0 for a camera (the device is its own channel); N for an NVR. */
  channels?: number;
  expires?: number;
  keepaliveMs?: number;
  catalogPageSize?: number;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  quirks?: Partial<GbDeviceQuirks>;
  timers?: Partial<SipTimers>;
  log?: SipLog;
  /** Sends X-GB-Ver on REGISTER when set (a 2016 device usually sends none). */
  edition?: GbEdition;
  /** The device clock for DeviceStatus (drift tests shift it). */
  clock?: () => Date;
  /** Each channel's presets at start (default: 1 and 2); DeviceControl preset set/delete change them. */
  presets?: readonly Preset[];
  /** Media hook: return the SDP answer (or a status to refuse). Without one, a sendonly answer with port 9 is given. */
  onInvite?: (call: InviteCall) => Promise<{ answer: GbSdp } | { status: number }>;
}

export interface InviteCall {
  channelId: string;
  offer: GbSdp;
  remote: Remote;
  /** Set once the ACK arrived: the media side starts sending, and stops on `onEnd`. */
  dialog: Promise<Dialog>;
}

export interface RecordedPtz {
  channelId: string;
  command: PtzCommand;
  at: number;
}

export type RegisterOutcome = { ok: true; expires: number; serverDate?: string } | { ok: false; status: number; reason: string };

const DEFAULT_QUIRKS: GbDeviceQuirks = { reuseCallId: false, keepaliveCseqMethod: null, gb2312Catalog: false, behindNat: false };

export class GbDeviceSim {
  readonly quirks: GbDeviceQuirks;
  readonly ptz: RecordedPtz[] = [];
  /** Keepalives answered 200 by the platform. */
  keepalivesAcked = 0;
  private readonly registerCallId = `${randomToken(8)}@vcgw-sim`;
  private readonly fromTag = randomToken(5);
  private cseq = 0;
  private sn = 0;
  private refreshTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly calls = new Set<Dialog>();
  private readonly presetsOf = new Map<string, Map<number, Preset>>();

  private constructor(
    readonly ep: SipEndpoint,
    private readonly opts: GbDeviceOptions,
  ) {
    this.quirks = { ...DEFAULT_QUIRKS, ...opts.quirks };
    ep.onRequest((r) => this.onRequest(r));
  }

  static async start(opts: GbDeviceOptions): Promise<GbDeviceSim> {
    const nat = opts.quirks?.behindNat ?? false;
    const ep = await SipEndpoint.start({
      host: '127.0.0.1',
      port: 0,
      udp: opts.registrar.transport === 'UDP',
      tcp: opts.registrar.transport === 'TCP',
      advertisedHost: nat ? '192.168.1.64' : undefined,
      advertisedPort: nat ? 5060 : undefined,
      timers: opts.timers,
      log: opts.log,
      userAgent: 'vcgw-sim GB28181 device',
      rateLimit: null,
    });
    return new GbDeviceSim(ep, opts);
  }

  get deviceId(): string {
    return this.opts.deviceId;
  }

  /** The channel ids: the device's own id for a camera, N derived ids (type 131) for an NVR. */
  channelIds(): string[] {
    const n = this.opts.channels ?? 0;
    if (n === 0) return [this.opts.deviceId];
    const base = this.opts.deviceId.slice(0, 10);
    return Array.from({ length: n }, (_, i) => `${base}131${String(i + 1).padStart(7, '0')}`);
  }

  private get target(): Remote {
    const r = this.opts.registrar;
    return { transport: r.transport, address: r.address, port: r.port };
  }

  private get aor(): string {
    return `<sip:${this.opts.deviceId}@${this.opts.registrar.domain}>`;
  }

  private get contact(): string {
    return `<sip:${this.opts.deviceId}@${this.ep.host}:${this.quirks.behindNat ? 5060 : this.ep.port}>`;
  }

  private registerRequest(expires: number, authorization?: string): SipRequest {
    const r = this.opts.registrar;
    const cseq = this.quirks.reuseCallId ? 1 : ++this.cseq;
    return this.ep.build({
      method: 'REGISTER',
      uri: `sip:${r.serverId}@${r.domain}`,
      from: this.aor,
      fromTag: this.fromTag,
      to: this.aor,
      target: this.target,
      callId: this.registerCallId,
      cseq,
      contact: this.contact,
      extraHeaders: [
        ['Expires', String(expires)],
        ...(this.opts.edition ? ([['X-GB-Ver', X_GB_VER[this.opts.edition]]] as [string, string][]) : []),
        ...(authorization ? ([['Authorization', authorization]] as [string, string][]) : []),
      ],
    });
  }

  /** One registration (answering the digest challenge); schedules its refresh at half the expiry. */
  async register(expires = this.opts.expires ?? 3600): Promise<RegisterOutcome> {
    let res = await this.ep.send(this.registerRequest(expires), this.target);
    if (res.status === 401) {
      const challenge = header(res, 'www-authenticate') ?? '';
      const r = this.opts.registrar;
      const auth = answerChallenge(challenge, { username: this.opts.deviceId, password: this.opts.password }, 'REGISTER', `sip:${r.serverId}@${r.domain}`);
      if (!auth) return { ok: false, status: 401, reason: 'unanswerable challenge' };
      res = await this.ep.send(this.registerRequest(expires, auth), this.target);
    }
    if (res.status !== 200) return { ok: false, status: res.status, reason: res.reason };
    const granted = Number(/expires=(\d+)/i.exec(header(res, 'contact') ?? '')?.[1] ?? header(res, 'expires') ?? expires);
    this.clearRefresh();
    if (expires > 0) this.refreshTimer = setTimeout(() => void this.register(expires).catch(() => undefined), (granted * 1000) / 2);
    return { ok: true, expires: granted, serverDate: header(res, 'date') };
  }

  /** REGISTER with Expires: 0. */
  async unregister(): Promise<RegisterOutcome> {
    this.stopKeepalive();
    return this.register(0);
  }

  private clearRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  /** Sends one Keepalive now; resolves with the platform's status. */
  async sendKeepalive(): Promise<number> {
    const method = this.quirks.keepaliveCseqMethod;
    const req = this.message(keepalive({ sn: ++this.sn, deviceId: this.opts.deviceId }, 'GB2312'));
    if (method) {
      const idx = req.headers.findIndex((h) => h.name === 'cseq');
      req.headers[idx] = { name: 'cseq', value: `${parseCSeq(req.headers[idx]!.value)!.seq} ${method}` };
    }
    const res = await this.ep.send(req, this.target);
    if (res.status === 200) this.keepalivesAcked++;
    return res.status;
  }

  startKeepalive(periodMs = this.opts.keepaliveMs ?? 60_000): void {
    this.stopKeepalive();
    this.keepaliveTimer = setInterval(() => void this.sendKeepalive().catch(() => undefined), periodMs);
  }

  stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  private message(body: Buffer): SipRequest {
    const r = this.opts.registrar;
    return this.ep.build({
      method: 'MESSAGE',
      uri: `sip:${r.serverId}@${r.domain}`,
      from: this.aor,
      to: `<sip:${r.serverId}@${r.domain}>`,
      target: this.target,
      cseq: ++this.cseq,
      body,
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  private async sendMessage(body: Buffer): Promise<SipResponse> {
    return this.ep.send(this.message(body), this.target);
  }

  /** A channel went on- or offline (catalog NOTIFY with Event). */
  async notifyStatus(channelId: string, event: 'ON' | 'OFF' | 'ADD' | 'DEL' | 'UPDATE'): Promise<number> {
    const item = { ...this.catalogItems().find((i) => i.deviceId === channelId)!, event };
    const [body] = catalogPages({ sn: ++this.sn, deviceId: this.opts.deviceId }, [item], { pageSize: 1, root: 'Notify', charset: this.charset });
    return (await this.sendMessage(body!)).status;
  }

  private get charset(): Charset {
    return this.quirks.gb2312Catalog ? 'GB2312' : 'UTF-8';
  }

  catalogItems(): CatalogItem[] {
    const vendor = this.quirks.gb2312Catalog;
    const vendorFields: Record<string, string> = { Block: 'Block', CertNum: 'CertNum', Certifiable: '0', ErrCode: '400', StreamNum: '2', Status: 'ONLINE' };
    return this.channelIds().map((id, i) => ({
      deviceId: id,
      name: `模拟通道${i + 1}`,
      manufacturer: this.opts.manufacturer ?? 'vcgw-sim',
      model: this.opts.model ?? 'GB-SIM',
      owner: 'Owner',
      civilCode: this.opts.deviceId.slice(0, 6),
      address: 'K12+300',
      parental: 0,
      parentId: this.opts.deviceId,
      ...(vendor ? {} : { status: 'ON' as const }),
      ptzType: 1,
      extra: vendor ? { ...vendorFields } : {},
    }));
  }

  private onRequest(r: IncomingRequest): void {
    const method = r.request.method;
    if (method === 'INVITE') {
      void this.onInvite(r);
      return;
    }
    if (method !== 'MESSAGE') {
      r.reply(method === 'SUBSCRIBE' ? 200 : 405, method === 'SUBSCRIBE' ? { headers: [['Expires', header(r.request, 'expires') ?? '3600']] } : {});
      return;
    }
    const m = decodeManscdp(r.request.body, header(r.request, 'content-type'));
    if (!m.ok) {
      r.reply(400, { reason: m.error.slice(0, 100) });
      return;
    }
    r.reply(200);
    void this.answer(m.message).catch((err: Error) => this.opts.log?.('warn', 'GB device sim: answer failed', { err: err.message }));
  }

  private async answer(q: ManscdpMessage): Promise<void> {
    const head = { sn: q.sn, deviceId: q.deviceId };
    switch (q.cmdType) {
      case 'Catalog':
        for (const page of catalogPages({ sn: q.sn, deviceId: this.opts.deviceId }, this.catalogItems(), { pageSize: this.opts.catalogPageSize ?? 4, charset: this.charset })) {
          await this.sendMessage(page);
        }
        return;
      case 'DeviceInfo':
        await this.sendMessage(
          deviceInfoResponse(head, {
            deviceName: (this.opts.channels ?? 0) > 0 ? '模拟NVR' : '模拟摄像机',
            manufacturer: this.opts.manufacturer ?? 'vcgw-sim',
            model: this.opts.model ?? 'GB-SIM',
            firmware: this.opts.firmware ?? '1.0',
            channel: this.channelIds().length,
            result: 'OK',
          }),
        );
        return;
      case 'DeviceStatus':
        await this.sendMessage(deviceStatusResponse(head, { result: 'OK', online: true, status: 'OK', encode: 'ON', record: 'OFF', deviceTime: gbTime(this.opts.clock?.() ?? new Date()) }));
        return;
      case 'DeviceControl': {
        const c = parseDeviceControl(q);
        if (c.kind !== 'ptz') return;
        this.ptz.push({ channelId: q.deviceId, command: c.command, at: Date.now() });
        if (c.command.kind === 'preset' && c.command.action !== 'call') {
          const list = this.presets(q.deviceId);
          if (c.command.action === 'set') list.set(c.command.preset, { id: c.command.preset, name: `预置位${c.command.preset}` });
          else list.delete(c.command.preset);
        }
        return;
      }
      case 'PresetQuery':
        await this.sendMessage(presetQueryResponse(head, [...this.presets(q.deviceId).values()].sort((a, b) => a.id - b.id), this.charset));
        return;
      default:
        return;
    }
  }

  /** A channel's preset list (created from the options on first use). */
  presets(channelId: string): Map<number, Preset> {
    let list = this.presetsOf.get(channelId);
    if (!list) {
      const initial = this.opts.presets ?? [
        { id: 1, name: '收费站' },
        { id: 2, name: '桥面' },
      ];
      list = new Map(initial.map((p) => [p.id, p]));
      this.presetsOf.set(channelId, list);
    }
    return list;
  }

  private async onInvite(r: IncomingRequest): Promise<void> {
    const channelId = /^sips?:(\d{20})@/.exec(r.request.uri)?.[1] ?? '';
    if (!this.channelIds().includes(channelId)) {
      r.reply(404);
      return;
    }
    const offer = parseSdp(r.request.body.toString('utf8'));
    if (!offer.ok) {
      r.reply(488, { reason: offer.error.slice(0, 100) });
      return;
    }
    let resolveDialog!: (d: Dialog) => void;
    let rejectDialog!: (e: Error) => void;
    const dialog = new Promise<Dialog>((res, rej) => {
      resolveDialog = res;
      rejectDialog = rej;
    });
    dialog.catch(() => undefined);
    const decision = this.opts.onInvite
      ? await this.opts.onInvite({ channelId, offer: offer.sdp, remote: r.remote, dialog })
      : {
          answer: {
            ...offer.sdp,
            username: channelId,
            address: '127.0.0.1',
            port: 9,
            direction: 'sendonly' as const,
            transport: offer.sdp.transport === 'tcp-passive' ? ('tcp-active' as const) : offer.sdp.transport === 'tcp-active' ? ('tcp-passive' as const) : ('udp' as const),
            rtpmaps: offer.sdp.rtpmaps.filter((m) => m.encoding === 'PS'),
          },
        };
    if ('status' in decision) {
      r.reply(decision.status);
      rejectDialog(new Error(`refused with ${decision.status}`));
      return;
    }
    try {
      const d = await r.accept({ body: Buffer.from(buildSdp(decision.answer)), contentType: 'application/sdp' });
      this.calls.add(d);
      d.onEnd(() => this.calls.delete(d));
      resolveDialog(d);
    } catch (err) {
      rejectDialog(err as Error);
    }
  }

  /** Calls (INVITE dialogs) in progress. */
  activeCalls(): number {
    return this.calls.size;
  }

  async close(): Promise<void> {
    this.clearRefresh();
    this.stopKeepalive();
    await this.ep.close();
  }
}
