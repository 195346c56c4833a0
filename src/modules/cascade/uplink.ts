// One upper GB/T 28181 platform, from the lower platform's side (issue 11): REGISTER with digest,
// refreshed at half the granted validity, retried with back-off, and done again when the upper
// side forgets us (a keep-alive refused, or unanswered `heartbeat_misses` times); Keepalive at the
// heartbeat period; answers Catalog (paged, GB2312), DeviceInfo, DeviceStatus, RecordInfo
// (empty: the gateway records nothing), Catalog SUBSCRIBE, DeviceControl PTZ, and INVITE with a
// PS-over-RTP output; channel status changes go upward as catalog notifications.
import type { CascadePlatformConfig } from '../../config/schema/cascade.js';
import type { Logger } from '../../log.js';
import {
  MANSCDP_CONTENT_TYPE,
  buildSdp,
  catalogPages,
  controlResult,
  decodeManscdp,
  deviceInfoResponse,
  deviceStatusResponse,
  emptyRecordInfo,
  gbTime,
  keepalive,
  makeSsrc,
  parseDeviceControl,
  parseSdp,
  ssrcNumber,
  type ManscdpMessage,
  type MediaTransport,
  type PtzCommand,
} from '../../protocols/gb28181/index.js';
import { SipEndpoint, SipTimeoutError, header, randomToken, tagOf, withoutTag, type Dialog, type IncomingRequest, type Remote, type SipRequest, type SipTimers } from '../../protocols/sip/index.js';
import type { CascadeCodeStore } from '../../store/cascadeCodes.js';
import type { PtzAction } from '../../domain/ptz.js';
import { catalogItem, sharedView, type SharedView } from './catalog.js';
import { MediaRefusal, type CameraListPort, type CameraStatePort, type MediaPort, type PsOutput, type PtzPort } from './ports.js';

export interface CascadeDeps {
  cameras: CameraListPort;
  state: CameraStatePort;
  ptz: PtzPort;
  media: MediaPort;
  codes: CascadeCodeStore;
  log: Logger;
  /** SIP timers (tests shorten them). */
  timers?: Partial<SipTimers>;
}

export type LinkState = 'stopped' | 'registering' | 'registered' | 'failed';

export interface LinkStream {
  channel: string;
  cameraNum: string;
  transport: MediaTransport;
  ssrc: number;
  since: number;
  frames: number;
}

export interface LinkStatus {
  name: string;
  state: LinkState;
  localPort: number;
  /** Why the last registration or keep-alive failed. */
  lastError?: string;
  registeredAt?: number;
  expiresAt?: number;
  registrations: number;
  keepalivesSent: number;
  keepalivesAnswered: number;
  subscriptions: number;
  notifications: number;
  streams: LinkStream[];
}

interface Stream {
  info: LinkStream;
  output: PsOutput;
  dialog: Dialog;
  /** Refused sends at the last check, and checks in a row that saw only refusals. */
  refused: number;
  failing: number;
}

/** Checks in a row (one per heartbeat) with sends refused and none delivered before a stream is given up. */
const FAILING_CHECKS = 2;

/** A catalog subscription: a SIP dialog of its own (RFC 6665), in which every NOTIFY is sent. */
interface Subscription {
  callId: string;
  /** The To-tag of our 200: the From-tag of our NOTIFYs. */
  localTag: string;
  /** The subscriber's From-tag: the To-tag of our NOTIFYs. */
  remoteTag: string;
  /** The subscriber's From and To name-addrs without tags (the To is us). */
  remoteUri: string;
  localUri: string;
  /** Our CSeq in the dialog, increasing with every NOTIFY. */
  cseq: number;
  expiresAt: number;
  expiry: NodeJS.Timeout | undefined;
  /**
   * The NOTIFYs in flight, one after the other: a status change during the initial catalog must
   * not overtake its pages (strict platforms refuse a NOTIFY whose CSeq is below one they saw).
   */
  sending: Promise<void>;
}

/** Longest catalog subscription granted (s). */
const MAX_SUBSCRIPTION_S = 86400;

const MAX_BACKOFF_FACTOR = 10;
/** Upper sides that expect a refresh well before expiry: never later than this before it. */
const REFRESH_MARGIN_S = 30;

export class CascadeLink {
  private ep: SipEndpoint | undefined;
  private state: LinkState = 'stopped';
  private lastError: string | undefined;
  private registeredAt: number | undefined;
  private expiresAt: number | undefined;
  private registrations = 0;
  private keepalivesSent = 0;
  private keepalivesAnswered = 0;
  private notifications = 0;
  private misses = 0;
  private failures = 0;
  private registerTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private registering: Promise<void> | undefined;
  // One Call-ID and an increasing CSeq for every REGISTER of this run (RFC 3261 §10.2.4; upper
  // platforms such as WVP key a lower platform's registration on it).
  private readonly callId = `${randomToken(10)}@vcgw`;
  private readonly fromTag = randomToken(6);
  private cseq = 0;
  private sn = 0;
  private ssrcSerial = 0;
  private readonly streams = new Map<string, Stream>();
  private readonly subscriptions = new Map<string, Subscription>();
  private unsubscribeState: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    readonly config: CascadePlatformConfig,
    private readonly deps: CascadeDeps,
  ) {
    this.log = deps.log.child({ platform: config.name });
  }

  private get upper(): Remote {
    return { transport: this.config.sip_transport === 'tcp' ? 'TCP' : 'UDP', address: this.config.upper_address, port: this.config.upper_port };
  }

  private get aor(): string {
    return `<sip:${this.config.local_id}@${this.config.upper_domain}>`;
  }

  private get upperUri(): string {
    return `sip:${this.config.upper_id}@${this.config.upper_domain}`;
  }

  private get advertised(): string {
    const c = this.config;
    return c.advertised_address ?? (c.local_address === '0.0.0.0' || c.local_address === '::' ? '127.0.0.1' : c.local_address);
  }

  async start(): Promise<void> {
    const c = this.config;
    this.ep = await SipEndpoint.start({
      host: c.local_address,
      port: c.local_port,
      udp: c.sip_transport === 'udp',
      tcp: c.sip_transport === 'tcp',
      advertisedHost: this.advertised,
      timers: this.deps.timers,
      userAgent: 'vcgw cascade',
      log: (level, msg, fields) => this.log[level](fields ?? {}, msg),
    });
    this.ep.onRequest((r) => this.onRequest(r));
    this.unsubscribeState = this.deps.state.onChange((cameraNum, online) => void this.notifyStatus(cameraNum, online));
    this.state = 'registering';
    void this.register();
  }

  async stop(): Promise<void> {
    const ep = this.ep;
    if (!ep) return;
    this.unsubscribeState?.();
    this.clearTimers();
    await Promise.all([...this.streams.values()].map((s) => this.endStream(s, 'gateway stopping')));
    await Promise.all([...this.subscriptions.values()].map((s) => this.endSubscription(s, 'noresource')));
    if (this.state === 'registered') {
      // Expires 0, so that the upper side shows us offline at once; bounded by the transaction timeout.
      await this.sendRegister(0).catch(() => undefined);
    }
    this.state = 'stopped';
    this.ep = undefined;
    await ep.close();
  }

  status(): LinkStatus {
    return {
      name: this.config.name,
      state: this.state,
      localPort: this.ep?.port ?? 0,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.registeredAt !== undefined ? { registeredAt: this.registeredAt } : {}),
      ...(this.expiresAt !== undefined ? { expiresAt: this.expiresAt } : {}),
      registrations: this.registrations,
      keepalivesSent: this.keepalivesSent,
      keepalivesAnswered: this.keepalivesAnswered,
      subscriptions: this.subscriptions.size,
      notifications: this.notifications,
      streams: [...this.streams.values()].map((s) => ({ ...s.info, frames: s.output.stats().frames })),
    };
  }

  /** The tree and codes as the upper side sees them now. */
  view(): SharedView {
    return sharedView(this.config, this.deps.cameras, this.deps.codes);
  }

  private clearTimers(): void {
    clearTimeout(this.registerTimer);
    clearInterval(this.keepaliveTimer);
    this.registerTimer = undefined;
    this.keepaliveTimer = undefined;
  }

  // ------------------------------------------------------------------ registration

  private sendRegister(expires: number) {
    const ep = this.ep!;
    const cseq = this.cseq + 1;
    this.cseq += 2; // the answer to a 401 takes the next one
    return ep.request({
      method: 'REGISTER',
      uri: this.upperUri,
      from: this.aor,
      fromTag: this.fromTag,
      to: this.aor,
      target: this.upper,
      callId: this.callId,
      cseq,
      contact: `<sip:${this.config.local_id}@${this.advertised}:${ep.port}>`,
      extraHeaders: [['Expires', String(expires)]],
      auth: { username: this.config.username ?? this.config.local_id, password: this.config.password },
    });
  }

  /** Registers now (once at a time); on failure, schedules the next try with back-off. */
  private register(): Promise<void> {
    this.registering ??= this.doRegister().finally(() => (this.registering = undefined));
    return this.registering;
  }

  private async doRegister(): Promise<void> {
    if (!this.ep) return;
    clearTimeout(this.registerTimer);
    let failure: string;
    try {
      const res = await this.sendRegister(this.config.register_expires_s);
      if (!this.ep) return;
      if (res.status === 200) {
        const granted = Number(/expires=(\d+)/i.exec(header(res, 'contact') ?? '')?.[1] ?? header(res, 'expires') ?? this.config.register_expires_s);
        const expires = Number.isFinite(granted) && granted > 0 ? granted : this.config.register_expires_s;
        this.onRegistered(expires);
        return;
      }
      failure = res.status === 401 || res.status === 403 ? `refused with ${res.status} ${res.reason}: check username and password` : `refused with ${res.status} ${res.reason}`;
    } catch (err) {
      failure = err instanceof SipTimeoutError ? `no answer from ${this.config.upper_address}:${this.config.upper_port}` : (err as Error).message;
    }
    if (!this.ep) return;
    this.clearTimers();
    this.failures++;
    const delayS = Math.min(this.config.register_interval_s * 2 ** (this.failures - 1), this.config.register_interval_s * MAX_BACKOFF_FACTOR);
    this.setState('failed', failure);
    this.log.warn({ retryInS: delayS }, `registration failed: ${failure}`);
    this.registerTimer = setTimeout(() => void this.register(), delayS * 1000);
  }

  private onRegistered(expiresS: number): void {
    const now = Date.now();
    this.failures = 0;
    this.misses = 0;
    this.registrations++;
    this.registeredAt = now;
    this.expiresAt = now + expiresS * 1000;
    this.setState('registered');
    const refreshS = Math.max(1, Math.min(expiresS / 2, expiresS - REFRESH_MARGIN_S));
    this.registerTimer = setTimeout(() => void this.register(), refreshS * 1000);
    // A refresh keeps the keep-alive rhythm going.
    this.keepaliveTimer ??= setInterval(() => void this.sendKeepalive(), this.config.heartbeat_s * 1000);
    this.log.info({ expiresS }, 'registered to the upper platform');
  }

  private setState(state: LinkState, error?: string): void {
    this.state = state;
    if (error !== undefined) this.lastError = error;
  }

  /**
   * A stream whose sends are all refused (TCP peer gone silent or far behind, UDP port closed:
   * ICMP port unreachable) is abandoned: BYE.
   */
  private checkStreams(): void {
    for (const s of [...this.streams.values()]) {
      const stats = s.output.stats();
      const delivered = stats.frames > s.info.frames;
      // After a refused frame only keyframes are tried, so a check may see no new refusal while the port stays shut.
      s.failing = !delivered && (stats.refused > s.refused || stats.refusing) ? s.failing + 1 : 0;
      s.refused = stats.refused;
      s.info.frames = stats.frames;
      if (s.failing >= FAILING_CHECKS) void this.endStream(s, `sends refused for ${FAILING_CHECKS} heartbeats`);
    }
  }

  private async sendKeepalive(): Promise<void> {
    this.checkStreams();
    if (!this.ep || this.state !== 'registered') return;
    const req = this.message(keepalive({ sn: ++this.sn, deviceId: this.config.local_id }, 'GB2312'));
    const method = this.config.keepalive_cseq_method;
    if (method !== 'MESSAGE') {
      // Some upper platforms (Monibuca's tracker) expect another method in the CSeq of a Keepalive.
      const i = req.headers.findIndex((h) => h.name === 'cseq');
      req.headers[i] = { name: 'cseq', value: req.headers[i]!.value.replace(/\s+\S+$/, ` ${method}`) };
    }
    this.keepalivesSent++;
    try {
      const res = await this.ep.send(req, this.upper);
      if (res.status === 200) {
        this.keepalivesAnswered++;
        this.misses = 0;
        return;
      }
      // The upper side no longer knows us (it restarted, or dropped us): register again at once.
      this.log.warn({ status: res.status }, 'keep-alive refused: registering again');
      this.setState('registering', `keep-alive refused with ${res.status} ${res.reason}`);
      void this.register();
    } catch (err) {
      this.misses++;
      if (this.misses < this.config.heartbeat_misses) return;
      this.log.warn({ misses: this.misses }, 'keep-alives unanswered: registering again');
      this.setState('registering', `${this.misses} keep-alives unanswered (${(err as Error).message})`);
      // The upper side is gone: its streams are abandoned.
      for (const s of [...this.streams.values()]) void this.endStream(s, 'upper platform unreachable');
      void this.register();
    }
  }

  // ------------------------------------------------------------------ MANSCDP out

  private message(body: Buffer): SipRequest {
    return this.ep!.build({
      method: 'MESSAGE',
      uri: this.upperUri,
      from: this.aor,
      to: `<${this.upperUri}>`,
      target: this.upper,
      cseq: ++this.cseq,
      body,
      contentType: MANSCDP_CONTENT_TYPE,
    });
  }

  private async sendMessage(body: Buffer): Promise<number> {
    if (!this.ep) return 0;
    return (await this.ep.send(this.message(body), this.upper)).status;
  }

  /** Channel status change upward: a NOTIFY on each catalog subscription, else a Notify MESSAGE. */
  private async notifyStatus(cameraNum: string, online: boolean): Promise<void> {
    if (this.state !== 'registered' || !this.ep) return;
    const view = this.view();
    const code = view.codeOf.get(cameraNum);
    const node = code ? view.nodes.find((n) => n.code === code) : undefined;
    if (!node) return;
    const item = { ...catalogItem(node, this.config, this.deps.state), status: online ? ('ON' as const) : ('OFF' as const), event: online ? ('ON' as const) : ('OFF' as const) };
    const [body] = catalogPages({ sn: ++this.sn, deviceId: this.config.local_id }, [item], { pageSize: 1, root: 'Notify', charset: 'GB2312' });
    try {
      const subs = [...this.subscriptions.values()].filter((s) => s.expiresAt > Date.now());
      if (subs.length === 0) await this.sendMessage(body!);
      for (const s of subs) await this.notifyIn(s, body);
      this.notifications++;
      this.log.info({ cameraNum, channel: code, online }, 'channel status sent upward');
    } catch (err) {
      this.log.warn({ cameraNum, err: (err as Error).message }, 'channel status notification failed');
    }
  }

  // ------------------------------------------------------------------ requests in

  private onRequest(r: IncomingRequest): void {
    const method = r.request.method;
    if (method === 'MESSAGE') return this.onMessage(r);
    if (method === 'INVITE') {
      void this.onInvite(r);
      return;
    }
    if (method === 'SUBSCRIBE') return this.onSubscribe(r);
    r.reply(405, { headers: [['Allow', 'INVITE, ACK, BYE, CANCEL, MESSAGE, SUBSCRIBE']] });
  }

  private onMessage(r: IncomingRequest): void {
    const m = decodeManscdp(r.request.body, header(r.request, 'content-type'));
    if (!m.ok) {
      r.reply(400, { reason: m.error.slice(0, 100) });
      return;
    }
    r.reply(200);
    void this.answer(m.message).catch((err: Error) => this.log.warn({ cmdType: m.message.cmdType, err: err.message }, 'answering the upper platform failed'));
  }

  private async answer(q: ManscdpMessage): Promise<void> {
    const head = { sn: q.sn, deviceId: this.config.local_id };
    if (q.root === 'Query') {
      switch (q.cmdType) {
        case 'Catalog': {
          const view = this.view();
          for (const p of view.problems) this.log.warn({ code: p.code, rule: p.rule }, p.message);
          const items = view.nodes.map((n) => catalogItem(n, this.config, this.deps.state));
          for (const page of catalogPages(head, items, { pageSize: this.config.catalog_page_size, charset: 'GB2312' })) await this.sendMessage(page);
          return;
        }
        case 'DeviceInfo':
          await this.sendMessage(
            deviceInfoResponse(head, { deviceName: this.config.name, manufacturer: this.config.manufacturer, model: this.config.model, firmware: this.config.firmware, channel: this.view().byCode.size, result: 'OK' }, 'GB2312'),
          );
          return;
        case 'DeviceStatus':
          await this.sendMessage(deviceStatusResponse(head, { result: 'OK', online: true, status: 'OK', encode: 'ON', record: 'OFF', deviceTime: gbTime(new Date()) }, 'GB2312'));
          return;
        case 'RecordInfo':
          await this.sendMessage(emptyRecordInfo({ sn: q.sn, deviceId: q.deviceId }, this.view().nodes.find((n) => n.code === q.deviceId)?.name ?? q.deviceId, 'GB2312'));
          return;
        default:
          this.log.debug({ cmdType: q.cmdType }, 'query not answered');
          return;
      }
    }
    if (q.root === 'Control' && q.cmdType === 'DeviceControl') {
      const ok = await this.onControl(q);
      await this.sendMessage(controlResult({ sn: q.sn, deviceId: q.deviceId }, ok, 'GB2312'));
    }
  }

  private async onControl(q: ManscdpMessage): Promise<boolean> {
    const camera = this.view().byCode.get(q.deviceId);
    const control = parseDeviceControl(q);
    if (!camera || control.kind !== 'ptz') {
      this.log.warn({ channel: q.deviceId, kind: control.kind }, camera ? 'DeviceControl other than PTZ not supported' : 'DeviceControl for an unknown channel');
      return false;
    }
    const action = ptzMoveOf(control.command);
    // A stop ends nothing here: the PTZ service moves in pulses that stop by themselves.
    if (action === 'stop') return true;
    if (!action) {
      this.log.warn({ channel: q.deviceId, command: control.command }, 'PTZ command not forwarded: presets and auxiliary switches are not mapped');
      return false;
    }
    const outcome = await this.deps.ptz.control(this.config.name, camera.record.cameraNum, action.action, action.step);
    return outcome.ok;
  }

  // ------------------------------------------------------------------ catalog subscriptions

  /**
   * SUBSCRIBE (Event: Catalog), RFC 6665 as GB/T 28181 uses it: 200, then a NOTIFY with the
   * catalog in the new dialog; a SUBSCRIBE inside the dialog refreshes it, or ends it with Expires 0.
   */
  private onSubscribe(r: IncomingRequest): void {
    const req = r.request;
    const event = (header(req, 'event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== 'catalog') {
      r.reply(489, { reason: 'Bad Event' });
      return;
    }
    const callId = header(req, 'call-id')!;
    const existing = this.subscriptions.get(callId);
    const toTag = tagOf(header(req, 'to'));
    if (toTag !== undefined && existing?.localTag !== toTag) {
      r.reply(481, { reason: 'Subscription does not exist' });
      return;
    }
    const expires = Math.min(Number(header(req, 'expires') ?? 3600) || 0, MAX_SUBSCRIPTION_S);
    r.reply(200, { headers: [['Expires', String(expires)]] });
    if (expires === 0) {
      if (existing) void this.endSubscription(existing, 'timeout');
      return;
    }
    const sub: Subscription = existing ?? {
      callId,
      localTag: r.localTag,
      remoteTag: tagOf(header(req, 'from')) ?? '',
      remoteUri: withoutTag(header(req, 'from') ?? ''),
      localUri: withoutTag(header(req, 'to') ?? ''),
      cseq: 0,
      expiresAt: 0,
      expiry: undefined,
      sending: Promise.resolve(),
    };
    clearTimeout(sub.expiry);
    sub.expiresAt = Date.now() + expires * 1000;
    sub.expiry = setTimeout(() => void this.endSubscription(sub, 'timeout'), expires * 1000);
    this.subscriptions.set(callId, sub);
    if (existing) return;
    // The initial NOTIFY: the catalog as it is now, paged like a Catalog answer.
    const items = this.view().nodes.map((n) => catalogItem(n, this.config, this.deps.state));
    const pages = catalogPages({ sn: ++this.sn, deviceId: this.config.local_id }, items, { pageSize: this.config.catalog_page_size, root: 'Notify', charset: 'GB2312' });
    void (async () => {
      for (const page of pages) await this.notifyIn(sub, page);
    })().catch((err: Error) => this.log.warn({ err: err.message }, 'initial catalog NOTIFY failed'));
  }

  /** A NOTIFY inside the subscription's dialog, after the ones before it; `terminated` ends it (then without a body). */
  private notifyIn(sub: Subscription, body: Buffer | undefined, terminated?: string): Promise<void> {
    const next = sub.sending.then(() => this.sendNotify(sub, body, terminated));
    sub.sending = next.catch(() => undefined);
    return next;
  }

  private async sendNotify(sub: Subscription, body: Buffer | undefined, terminated?: string): Promise<void> {
    if (!this.ep) return;
    const state = terminated ? `terminated;reason=${terminated}` : `active;expires=${Math.max(0, Math.round((sub.expiresAt - Date.now()) / 1000))}`;
    const req = this.ep.build({
      method: 'NOTIFY',
      uri: this.upperUri,
      from: sub.localUri,
      fromTag: sub.localTag,
      to: `${sub.remoteUri};tag=${sub.remoteTag}`,
      target: this.upper,
      callId: sub.callId,
      cseq: ++sub.cseq,
      contact: `<sip:${this.config.local_id}@${this.advertised}:${this.ep.port}>`,
      ...(body ? { body, contentType: MANSCDP_CONTENT_TYPE } : {}),
      extraHeaders: [
        ['Event', 'Catalog'],
        ['Subscription-State', state],
      ],
    });
    await this.ep.send(req, this.upper);
  }

  private async endSubscription(sub: Subscription, reason: string): Promise<void> {
    clearTimeout(sub.expiry);
    if (this.subscriptions.get(sub.callId) !== sub) return;
    this.subscriptions.delete(sub.callId);
    this.log.info({ callId: sub.callId, reason }, 'catalog subscription ended');
    await this.notifyIn(sub, undefined, reason).catch(() => undefined);
  }

  // ------------------------------------------------------------------ media

  private async onInvite(r: IncomingRequest): Promise<void> {
    const channel = /^sips?:(\d{20})@/.exec(r.request.uri)?.[1] ?? '';
    const camera = this.view().byCode.get(channel);
    if (!camera) {
      r.reply(404, { reason: `No shared channel ${channel}` });
      return;
    }
    const parsed = parseSdp(r.request.body.toString('utf8'));
    if (!parsed.ok) {
      r.reply(488, { reason: parsed.error.slice(0, 100) });
      return;
    }
    const offer = parsed.sdp;
    if (offer.sessionName !== 'Play') {
      r.reply(488, { reason: `${offer.sessionName} not supported: the gateway records nothing` });
      return;
    }
    const allowed = this.config.stream_transport;
    if (allowed !== 'any' && allowed !== offer.transport) {
      r.reply(488, { reason: `Stream transport ${offer.transport} not accepted (configured: ${allowed})` });
      return;
    }
    // The offer names the upper side's role; ours is the other one.
    const mode = offer.transport === 'tcp-passive' ? 'tcp-active' : offer.transport === 'tcp-active' ? 'tcp-passive' : 'udp';
    const y = offer.ssrc ?? makeSsrc(false, this.config.local_id.slice(0, 10), ++this.ssrcSerial % 10000);
    let output: PsOutput;
    try {
      output = await this.deps.media.openPs({ cameraNum: camera.record.cameraNum, mode, remote: { address: offer.address, port: offer.port }, ssrc: ssrcNumber(y), host: this.config.local_address });
    } catch (err) {
      const status = err instanceof MediaRefusal ? err.sipStatus : 500;
      this.log.warn({ channel, status, err: (err as Error).message }, 'INVITE refused');
      r.reply(status, { reason: (err as Error).message.slice(0, 100) });
      return;
    }
    const answer = buildSdp({
      username: channel,
      sessionId: offer.sessionId || '0',
      sessionName: 'Play',
      address: this.config.advertised_address ?? (this.config.local_address === '0.0.0.0' ? this.advertised : this.config.local_address),
      port: output.localPort,
      transport: mode,
      direction: 'sendonly',
      rtpmaps: [{ pt: 96, encoding: 'PS', clock: 90000 }],
      ssrc: y,
      // f=: video codec 2 H.264 (5 H.265 in the 2022 edition), the rest left to the stream.
      f: `v/${output.codec === 'h265' ? 5 : 2}/////a///`,
      time: [0, 0],
    });
    let dialog: Dialog;
    try {
      dialog = await r.accept({ body: Buffer.from(answer), contentType: 'application/sdp' });
    } catch (err) {
      this.log.warn({ channel, err: (err as Error).message }, 'INVITE not completed');
      await output.close();
      return;
    }
    const stream: Stream = { info: { channel, cameraNum: camera.record.cameraNum, transport: offer.transport, ssrc: ssrcNumber(y), since: Date.now(), frames: 0 }, output, dialog, refused: 0, failing: 0 };
    this.streams.set(dialog.id, stream);
    this.log.info({ channel, cameraNum: camera.record.cameraNum, transport: offer.transport, to: `${offer.address}:${offer.port}` }, 'PS output started');
    dialog.onEnd((why) => void this.endStream(stream, `dialog ended (${why})`));
    void output.ended.then(() => this.endStream(stream, 'the upper side closed the stream'));
  }

  private async endStream(s: Stream, why: string): Promise<void> {
    if (!this.streams.delete(s.dialog.id)) return;
    this.log.info({ channel: s.info.channel, why, frames: s.output.stats().frames }, 'PS output ended');
    await s.output.close();
    if (!s.dialog.terminated) await s.dialog.bye().catch(() => undefined);
  }
}

/** GB PTZCmd → a PTZ action and step (1–8); 'stop'; or null when not mapped. */
export function ptzMoveOf(cmd: PtzCommand): { action: PtzAction; step: number } | 'stop' | null {
  const step = (speed: number, max: number) => Math.min(8, Math.max(1, Math.round((speed / max) * 8)));
  switch (cmd.kind) {
    case 'stop':
      return 'stop';
    case 'ptz':
      if (cmd.pan !== 0) return { action: cmd.pan < 0 ? 'left' : 'right', step: step(cmd.panSpeed, 255) };
      if (cmd.tilt !== 0) return { action: cmd.tilt > 0 ? 'up' : 'down', step: step(cmd.tiltSpeed, 255) };
      if (cmd.zoom !== 0) return { action: cmd.zoom < 0 ? 'zoom-wide' : 'zoom-tele', step: step(cmd.zoomSpeed, 15) };
      return 'stop';
    case 'fi':
      if (cmd.focus !== 0) return { action: cmd.focus < 0 ? 'focus-near' : 'focus-far', step: step(cmd.focusSpeed, 255) };
      if (cmd.iris !== 0) return { action: cmd.iris < 0 ? 'iris-close' : 'iris-open', step: step(cmd.irisSpeed, 255) };
      return 'stop';
    default:
      return null;
  }
}
