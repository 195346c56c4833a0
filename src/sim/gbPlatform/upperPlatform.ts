// An upper GB/T 28181 platform (WVP-GB28181-pro, LiveGBS, EasyCVR …) for the gateway's cascade:
// accepts lower platforms' registration with digest, checks their keep-alives, queries and checks
// their Catalog (tree and codes), INVITEs a channel over UDP, TCP active or TCP passive and checks
// that the PS it receives decodes (FFmpeg's ffprobe: codec and frame rate), sends PTZ, subscribes
// to the catalog and records status notifications. What breaks cascades with real upper
// platforms can be switched on one by one (`strict`).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import {
  CatalogCollector,
  GB_RTPMAPS,
  MANSCDP_CONTENT_TYPE,
  buildSdp,
  decodeManscdp,
  field,
  formatFLine,
  makeSsrc,
  parseCatalog,
  parseSdp,
  ptzControl,
  query,
  ssrcNumber,
  type CatalogItem,
  type CollectedCatalog,
  type ManscdpMessage,
  type MediaTransport,
  type PtzCommand,
} from '../../protocols/gb28181/index.js';
import { receivePsStream, type PsStreamReceiver } from '../../protocols/ps/receiveStream.js';
import { DigestServer, SipEndpoint, header, parseCSeq, parseVia, randomToken, tagOf, type Dialog, type IncomingRequest, type Remote, type SipLog, type SipTimers } from '../../protocols/sip/index.js';
import { ConditionWaiters } from '../conditionWaiters.js';

const run = promisify(execFile);

export interface UpperStrictness {
  /** A refresh must reuse the Call-ID of the registration it refreshes (WVP keys lower platforms on it). */
  callIdReuse: boolean;
  /** Catalog codes are checked: 20 digits, 216 nodes / 131–132 channels, known parents, no duplicates. */
  strictCodes: boolean;
  /** REGISTER must ask for rport (RFC 3581) so that answers reach a NAT'd lower platform. */
  requireRport: boolean;
  /** The CSeq method Keepalive MESSAGEs must carry (null: any). */
  keepaliveCseqMethod: string | null;
  /**
   * NOTIFYs must belong to one of our catalog subscriptions (RFC 6665): its Call-ID, the
   * notifier's tag from the 200 as From-tag, ours as To-tag, CSeq increasing, a Subscription-State
   * (active with expires, or terminated). Others are refused with 481.
   */
  subscriptionDialogs: boolean;
}

/** One catalog subscription of ours, as the notifier keeps it. */
export interface CatalogSubscription {
  lowerId: string;
  callId: string;
  /** Our From-tag. */
  fromTag: string;
  /** The notifier's To-tag (from the 200, or its first NOTIFY). */
  toTag?: string;
  /** Our CSeq for SUBSCRIBEs in the dialog. */
  cseq: number;
  /** The NOTIFYs received in it, in order. */
  notifies: { cseq: number; state: string; items: number }[];
  /** Set by a NOTIFY with Subscription-State terminated (its reason). */
  terminated?: string;
}

export interface UpperPlatformOptions {
  serverId: string;
  domain: string;
  /** Password of a lower platform by its SIP id (undefined: unknown, refused). */
  passwordOf: (id: string) => string | undefined;
  host?: string;
  port?: number;
  /** SIP over TCP only (default: UDP and TCP). */
  tcpOnly?: boolean;
  strict?: Partial<UpperStrictness>;
  timers?: Partial<SipTimers>;
  log?: SipLog;
  catalogIdleMs?: number;
  ffprobePath?: string;
  ffmpegPath?: string;
  /** Grant at most this validity (s) to REGISTER, to exercise refreshes. */
  grantExpires?: number;
}

export interface LowerRegistration {
  id: string;
  remote: Remote;
  callId: string;
  expires: number;
  at: number;
}

export interface CatalogCheck {
  catalog: CollectedCatalog;
  channels: CatalogItem[];
  nodes: CatalogItem[];
  /** Levels of organization nodes above the deepest channel. */
  depth: number;
  /** Rule violations (strictCodes), each naming the code. */
  violations: string[];
}

export interface PlayCheck {
  codec: string;
  /** Frames per second from the decoded stream's timestamps (avg_frame_rate). */
  fps: number;
  frames: number;
}

export interface Play {
  readonly channelId: string;
  readonly transport: MediaTransport;
  readonly ssrc: number;
  readonly dialog: Dialog;
  /** ms from the INVITE sent to the first MPEG-TS out of the received PS (keyframe first). */
  readonly firstMedia: Promise<number>;
  /** With `decode`: ms from the INVITE sent to the first picture decoded by an FFmpeg started before it. */
  readonly firstDecoded?: Promise<number>;
  /** MPEG-TS bytes so far. */
  bytes(): number;
  /** The receiving end's counts (RTP loss, PS demux) once media flows. */
  stats(): ReturnType<PsStreamReceiver['stats']> | undefined;
  /** Closes the media without a BYE (a platform that crashed or dropped the stream). */
  dropMedia(): Promise<void>;
  /** Ends the call (BYE) and closes the media. */
  bye(): Promise<void>;
  /** What ffprobe reads in what was received (call after some media arrived). */
  probe(): Promise<PlayCheck>;
}

const DEFAULT_STRICT: UpperStrictness = { callIdReuse: false, strictCodes: false, requireRport: false, keepaliveCseqMethod: null, subscriptionDialogs: false };

export class GbUpperPlatformSim {
  readonly strict: UpperStrictness;
  readonly registrations: LowerRegistration[] = [];
  readonly lowers = new Map<string, LowerRegistration>();
  readonly keepalives: { id: string; cseqMethod: string; at: number }[] = [];
  /** Requests refused by a strictness switch, with the reason. */
  readonly refusals: string[] = [];
  /** Catalog status notifications (MESSAGE Notify or NOTIFY), as parsed items. */
  readonly notifications: CatalogItem[] = [];
  /** Our catalog subscriptions by Call-ID. */
  readonly subscriptions = new Map<string, CatalogSubscription>();
  private ep!: SipEndpoint;
  private digest: DigestServer;
  private catalog: CatalogCollector;
  private readonly waiters = new ConditionWaiters('upper platform sim');
  private readonly responses = new Map<string, (m: ManscdpMessage) => void>();
  private sn = 1000;
  private serial = 0;

  private constructor(private readonly opts: UpperPlatformOptions) {
    this.strict = { ...DEFAULT_STRICT, ...opts.strict };
    this.digest = new DigestServer({ realm: opts.domain, nonceTtlMs: 300_000 });
    this.catalog = new CatalogCollector(opts.catalogIdleMs ?? 3000);
  }

  static async start(opts: UpperPlatformOptions): Promise<GbUpperPlatformSim> {
    const sim = new GbUpperPlatformSim(opts);
    await sim.listen(opts.port ?? 0);
    return sim;
  }

  private async listen(port: number): Promise<void> {
    this.ep = await SipEndpoint.start({
      host: this.opts.host ?? '127.0.0.1',
      port,
      udp: !this.opts.tcpOnly,
      tcp: true,
      timers: this.opts.timers,
      log: this.opts.log,
      rateLimit: null,
      userAgent: 'vcgw-sim GB28181 upper platform',
      // A real platform answers where the Via says unless rport asks otherwise.
      replyToSourcePort: !this.strict.requireRport,
    });
    this.ep.onRequest((r) => this.onRequest(r));
  }

  get port(): number {
    return this.ep.port;
  }

  /**
   * Restarts on the same port having forgotten every registration and nonce, as a platform
   * rebooting does: the lower side's next keep-alive is refused and it must register again.
   */
  async restart(): Promise<void> {
    const port = this.ep.port;
    this.catalog.close();
    await this.ep.close();
    this.lowers.clear();
    this.digest = new DigestServer({ realm: this.opts.domain, nonceTtlMs: 300_000 });
    this.catalog = new CatalogCollector(this.opts.catalogIdleMs ?? 3000);
    await this.listen(port);
  }

  /** Forgets registrations without restarting (an operator removed the lower platform). */
  forget(): void {
    this.lowers.clear();
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

  private refuse(r: IncomingRequest, status: number, reason: string): void {
    this.refusals.push(reason);
    r.reply(status, { reason });
  }

  private handle(r: IncomingRequest): void {
    const req = r.request;
    const id = /sips?:(\d{20})@/.exec(header(req, 'from') ?? '')?.[1] ?? '';
    if (req.method === 'REGISTER') return this.onRegister(r, id);
    if (req.method !== 'MESSAGE' && req.method !== 'NOTIFY') {
      r.reply(405);
      return;
    }
    if (req.method === 'NOTIFY') {
      const problem = this.checkNotify(r);
      if (problem && this.strict.subscriptionDialogs) return this.refuse(r, 481, problem);
      if (req.body.length === 0) {
        r.reply(200);
        return;
      }
    }
    const m = decodeManscdp(req.body, header(req, 'content-type'));
    if (!m.ok) {
      r.reply(400, { reason: m.error.slice(0, 100) });
      return;
    }
    const msg = m.message;
    if (msg.cmdType === 'Keepalive') {
      const method = parseCSeq(header(req, 'cseq') ?? '')?.method ?? '';
      // A platform that restarted does not know the sender: refusing tells it to register again.
      if (!this.lowers.has(id)) return this.refuse(r, 403, `Keepalive from unregistered ${id}`);
      const want = this.strict.keepaliveCseqMethod;
      if (want && method !== want) return this.refuse(r, 400, `Keepalive CSeq method ${method}, expected ${want}`);
      this.keepalives.push({ id, cseqMethod: method, at: Date.now() });
      r.reply(200);
      return;
    }
    r.reply(200);
    if (msg.cmdType === 'Catalog') {
      const p = parseCatalog(msg);
      if (!p.ok) return;
      if (msg.root === 'Notify') {
        this.notifications.push(...p.page.items);
        const notify = this.subscriptions.get(header(req, 'call-id') ?? '')?.notifies.at(-1);
        if (req.method === 'NOTIFY' && notify) notify.items = p.page.items.length;
      }
      else this.catalog.offer(msg.deviceId, msg.sn, p.page);
      return;
    }
    this.responses.get(`${msg.cmdType}|${msg.sn}`)?.(msg);
  }

  private onRegister(r: IncomingRequest, id: string): void {
    const req = r.request;
    if (this.strict.requireRport) {
      const via = parseVia(header(req, 'via') ?? '');
      if (!via || !('rport' in via.params)) return this.refuse(r, 400, 'REGISTER without rport in Via');
    }
    const v = this.digest.verify('REGISTER', header(req, 'authorization'), (u) => this.opts.passwordOf(u === id ? u : id));
    if (!v.ok) {
      if (v.reason === 'missing' || v.reason === 'stale') r.reply(401, { headers: [['WWW-Authenticate', this.digest.challenge(v.reason === 'stale')]] });
      else this.refuse(r, 403, `REGISTER of ${id}: ${v.reason}`);
      return;
    }
    const callId = header(req, 'call-id')!;
    const known = this.lowers.get(id);
    if (this.strict.callIdReuse && known && known.callId !== callId) return this.refuse(r, 403, `REGISTER refresh of ${id} with a new Call-ID`);
    const asked = Number(header(req, 'expires') ?? 3600);
    const expires = this.opts.grantExpires !== undefined && asked > 0 ? Math.min(asked, this.opts.grantExpires) : asked;
    const reg = { id, remote: r.remote, callId, expires, at: Date.now() };
    this.registrations.push(reg);
    if (expires === 0) this.lowers.delete(id);
    else this.lowers.set(id, reg);
    r.reply(200, { headers: [['Expires', String(expires)]] });
  }

  private target(id: string): Remote {
    const reg = this.lowers.get(id);
    if (!reg) throw new Error(`${id} is not registered`);
    return reg.remote;
  }

  private async send(id: string, body: Buffer, to = id, method = 'MESSAGE', extraHeaders: [string, string][] = []): Promise<number> {
    const res = await this.ep.request({
      method,
      uri: `sip:${to}@${this.opts.domain}`,
      from: `<sip:${this.opts.serverId}@${this.opts.domain}>`,
      to: `<sip:${to}@${this.opts.domain}>`,
      target: this.target(id),
      body,
      contentType: MANSCDP_CONTENT_TYPE,
      extraHeaders,
    });
    return res.status;
  }

  /** A query and the lower side's Response MESSAGE (matched by CmdType and SN). */
  async ask(id: string, cmdType: 'DeviceInfo' | 'DeviceStatus', timeoutMs = 5000): Promise<ManscdpMessage> {
    const sn = ++this.sn;
    const answer = this.response(cmdType, sn, timeoutMs);
    await this.send(id, query(cmdType, { sn, deviceId: id }));
    return answer;
  }

  /** RecordInfo for a channel: the Response (the gateway's is an empty list). */
  async recordInfo(id: string, channelId: string, timeoutMs = 5000): Promise<ManscdpMessage> {
    const sn = ++this.sn;
    const answer = this.response('RecordInfo', sn, timeoutMs);
    const body = Buffer.from(
      `<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n<CmdType>RecordInfo</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${channelId}</DeviceID>\r\n<StartTime>2026-01-01T00:00:00</StartTime>\r\n<EndTime>2026-01-02T00:00:00</EndTime>\r\n<Type>all</Type>\r\n</Query>\r\n`,
    );
    await this.send(id, body, channelId);
    return answer;
  }

  private response(cmdType: string, sn: number, timeoutMs: number): Promise<ManscdpMessage> {
    const key = `${cmdType}|${sn}`;
    return new Promise<ManscdpMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.responses.delete(key);
        reject(new Error(`no ${cmdType} response in ${timeoutMs} ms`));
      }, timeoutMs);
      this.responses.set(key, (m) => {
        clearTimeout(timer);
        this.responses.delete(key);
        resolve(m);
      });
    });
  }

  /** DeviceControl PTZ to a channel; resolves with the Result of the lower side's Response. */
  async ptz(id: string, channelId: string, command: PtzCommand, timeoutMs = 5000): Promise<'OK' | 'ERROR'> {
    const sn = ++this.sn;
    const answer = this.response('DeviceControl', sn, timeoutMs);
    await this.send(id, ptzControl({ sn, deviceId: channelId }, command), channelId);
    return (field((await answer).body, 'Result') ?? 'ERROR').toUpperCase() === 'OK' ? 'OK' : 'ERROR';
  }

  /**
   * Checks a NOTIFY against our subscriptions and records it there; returns what is wrong (a NOTIFY
   * outside any of our subscription dialogs), or undefined.
   */
  private checkNotify(r: IncomingRequest): string | undefined {
    const req = r.request;
    const sub = this.subscriptions.get(header(req, 'call-id') ?? '');
    if (!sub) return `NOTIFY outside a subscription (Call-ID ${header(req, 'call-id')})`;
    const fromTag = tagOf(header(req, 'from'));
    // RFC 6665 §4.1.2.4: a NOTIFY may arrive before the 200 to the SUBSCRIBE; it sets the tag then.
    sub.toTag ??= fromTag;
    if (fromTag !== sub.toTag) return `NOTIFY From-tag ${fromTag} is not the subscription's ${sub.toTag}`;
    if (tagOf(header(req, 'to')) !== sub.fromTag) return `NOTIFY To-tag ${tagOf(header(req, 'to'))} is not ours (${sub.fromTag})`;
    if (sub.terminated) return `NOTIFY after the subscription ended (${sub.terminated})`;
    const cseq = parseCSeq(header(req, 'cseq') ?? '')?.seq ?? 0;
    const last = sub.notifies.at(-1)?.cseq ?? 0;
    if (cseq <= last) return `NOTIFY CSeq ${cseq} not above ${last}`;
    const state = header(req, 'subscription-state') ?? '';
    if (!/^active;\s*expires=\d+|^terminated\b/i.test(state)) return `NOTIFY Subscription-State "${state}": neither active with expires nor terminated`;
    sub.notifies.push({ cseq, state, items: 0 });
    if (/^terminated/i.test(state)) sub.terminated = /reason=(\w+)/i.exec(state)?.[1] ?? 'terminated';
    return undefined;
  }

  /** SUBSCRIBE to the catalog: a subscription dialog in which the catalog and status changes come as NOTIFY. */
  async subscribeCatalog(id: string, expires = 3600): Promise<number> {
    const sub: CatalogSubscription = { lowerId: id, callId: `${randomToken(10)}@upper`, fromTag: randomToken(6), cseq: 1, notifies: [] };
    this.subscriptions.set(sub.callId, sub);
    const res = await this.ep.request({
      method: 'SUBSCRIBE',
      uri: `sip:${id}@${this.opts.domain}`,
      from: `<sip:${this.opts.serverId}@${this.opts.domain}>`,
      fromTag: sub.fromTag,
      to: `<sip:${id}@${this.opts.domain}>`,
      target: this.target(id),
      callId: sub.callId,
      cseq: sub.cseq,
      body: query('Catalog', { sn: ++this.sn, deviceId: id }),
      contentType: MANSCDP_CONTENT_TYPE,
      extraHeaders: [
        ['Event', 'Catalog'],
        ['Expires', String(expires)],
      ],
    });
    if (res.status === 200) sub.toTag ??= tagOf(header(res, 'to'));
    else this.subscriptions.delete(sub.callId);
    return res.status;
  }

  /** SUBSCRIBE inside the lower side's last subscription dialog: a refresh, or with 0 the end of it. */
  async resubscribeCatalog(id: string, expires: number): Promise<number> {
    const sub = [...this.subscriptions.values()].filter((s) => s.lowerId === id).at(-1);
    if (!sub?.toTag) throw new Error(`no catalog subscription to ${id}`);
    const res = await this.ep.send(
      this.ep.build({
        method: 'SUBSCRIBE',
        uri: `sip:${id}@${this.opts.domain}`,
        from: `<sip:${this.opts.serverId}@${this.opts.domain}>`,
        fromTag: sub.fromTag,
        to: `<sip:${id}@${this.opts.domain}>;tag=${sub.toTag}`,
        target: this.target(id),
        callId: sub.callId,
        cseq: ++sub.cseq,
        body: query('Catalog', { sn: ++this.sn, deviceId: id }),
        contentType: MANSCDP_CONTENT_TYPE,
        extraHeaders: [
          ['Event', 'Catalog'],
          ['Expires', String(expires)],
        ],
      }),
      this.target(id),
    );
    return res.status;
  }

  /** Catalog query, all pages, then the tree and code checks. */
  async queryCatalog(id: string): Promise<CatalogCheck> {
    const sn = ++this.sn;
    const done = this.catalog.expect(id, sn);
    await this.send(id, query('Catalog', { sn, deviceId: id }));
    const catalog = await done;
    return checkCatalog(id, catalog, this.strict.strictCodes);
  }

  /** INVITE (Play) of a channel over `transport` (the upper side's role in its offer). */
  async invite(id: string, channelId: string, transport: MediaTransport, opts: { decode?: boolean; keep?: boolean } = {}): Promise<Play> {
    const y = makeSsrc(false, this.opts.domain, ++this.serial % 10000);
    const ssrc = ssrcNumber(y);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-upper-'));
    const file = path.join(dir, 'play.ts');
    // keep: false drops the media (benchmarks of many outputs), counting bytes only.
    const out = opts.keep === false ? null : fs.createWriteStream(file);
    const decoder = opts.decode ? startDecoder(this.opts.ffmpegPath ?? 'ffmpeg') : undefined;
    let bytes = 0;
    let sentAt = 0;
    let gotFirst: (ms: number) => void = () => undefined;
    const firstMedia = new Promise<number>((resolve) => (gotFirst = resolve));
    const open = (link: Parameters<typeof receivePsStream>[0]['link']) =>
      receivePsStream({
        link,
        ssrc: { expected: ssrc, onMismatch: 'accept' },
        onTs: (ts) => {
          if (bytes === 0) gotFirst(performance.now() - sentAt);
          bytes += ts.length;
          out?.write(ts);
          decoder?.write(ts);
        },
      });
    let rx: PsStreamReceiver | undefined;
    let port = 9;
    if (transport !== 'tcp-active') {
      rx = await open({ mode: transport, host: this.opts.host ?? '127.0.0.1' });
      port = rx.link.localPort;
    }
    const offer = buildSdp({
      username: this.opts.serverId,
      sessionId: '0',
      sessionName: 'Play',
      address: this.opts.host ?? '127.0.0.1',
      port,
      transport,
      direction: 'recvonly',
      rtpmaps: [...GB_RTPMAPS],
      ssrc: y,
      f: formatFLine({}),
      time: [0, 0],
    });
    sentAt = performance.now();
    const { response, dialog } = await this.ep.invite({
      uri: `sip:${channelId}@${this.opts.domain}`,
      from: `<sip:${this.opts.serverId}@${this.opts.domain}>`,
      to: `<sip:${channelId}@${this.opts.domain}>`,
      target: this.target(id),
      body: Buffer.from(offer),
      contentType: 'application/sdp',
      extraHeaders: [['Subject', `${channelId}:${y},${this.opts.serverId}:0`]],
    });
    const firstDecoded = decoder?.decoded.then(() => performance.now() - sentAt);
    const cleanup = async () => {
      await rx?.close();
      decoder?.kill();
      await new Promise<void>((resolve) => (out ? out.end(() => resolve()) : resolve()));
    };
    if (!dialog) {
      await cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`INVITE of ${channelId} answered ${response.status} ${response.reason}`);
    }
    if (transport === 'tcp-active') {
      const answer = parseSdp(response.body.toString('utf8'));
      if (!answer.ok) throw new Error(`SDP answer unreadable: ${answer.error}`);
      rx = await open({ mode: 'tcp-active', remote: { address: answer.sdp.address, port: answer.sdp.port }, connectTimeoutMs: 5000 });
    }
    let ended = false;
    return {
      channelId,
      transport,
      ssrc,
      dialog,
      firstMedia,
      ...(firstDecoded ? { firstDecoded } : {}),
      bytes: () => bytes,
      stats: () => rx?.stats(),
      dropMedia: async () => {
        await rx?.close();
      },
      bye: async () => {
        if (ended) return;
        ended = true;
        if (!dialog.terminated) await dialog.bye().catch(() => undefined);
        await cleanup();
        fs.rmSync(dir, { recursive: true, force: true });
      },
      probe: async () => {
        if (!out) throw new Error('media not kept (keep: false)');
        await new Promise<void>((resolve) => out.write(Buffer.alloc(0), () => resolve()));
        return probeTs(file, this.opts.ffprobePath ?? 'ffprobe');
      },
    };
  }

  async close(): Promise<void> {
    this.catalog.close();
    await this.ep.close();
  }
}

/** An FFmpeg decoding MPEG-TS from its stdin that exits after the first picture. */
function startDecoder(ffmpeg: string): { write(ts: Buffer): void; decoded: Promise<void>; kill(): void } {
  const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-probesize', '32768', '-analyzeduration', '0', '-f', 'mpegts', '-i', 'pipe:0', '-frames:v', '1', '-f', 'null', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.on('error', () => undefined);
  const decoded = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`decoder exited with ${code}`))));
    child.once('error', reject);
  });
  decoded.catch(() => undefined);
  return {
    write: (ts) => {
      if (child.exitCode === null && child.stdin.writable) child.stdin.write(ts);
    },
    decoded,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The codec, frame rate and decoded frame count of a received MPEG-TS file. */
export async function probeTs(file: string, ffprobe = 'ffprobe'): Promise<PlayCheck> {
  const { stdout } = await run(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,avg_frame_rate,r_frame_rate,nb_read_frames', '-of', 'json', file], { timeout: 30_000 });
  const s = (JSON.parse(stdout) as { streams?: { codec_name?: string; avg_frame_rate?: string; r_frame_rate?: string; nb_read_frames?: string }[] }).streams?.[0];
  const rate = (text: string | undefined) => {
    const [n, d] = (text ?? '0/1').split('/').map(Number);
    return d ? n! / d : 0;
  };
  return { codec: s?.codec_name ?? '', fps: Math.round(rate(s?.r_frame_rate) * 100) / 100, frames: Number(s?.nb_read_frames ?? 0) };
}

/** The tree's depth and, when strict, every code rule broken (each message names the code). */
export function checkCatalog(lowerId: string, catalog: CollectedCatalog, strict: boolean): CatalogCheck {
  const items = catalog.items;
  const isChannel = (i: CatalogItem) => [131, 132].includes(Number(i.deviceId.slice(10, 13)));
  const channels = items.filter(isChannel);
  const nodes = items.filter((i) => !isChannel(i));
  const byId = new Map(items.map((i) => [i.deviceId, i]));
  const violations: string[] = [];
  if (strict) {
    if (catalog.items.length + catalog.duplicates !== catalog.sumNum || !catalog.complete) violations.push(`SumNum ${catalog.sumNum} but ${catalog.items.length} distinct items arrived`);
    if (catalog.duplicates > 0) violations.push(`${catalog.duplicates} items sent twice`);
    for (const i of items) {
      const type = Number(i.deviceId.slice(10, 13));
      if (!/^\d{20}$/.test(i.deviceId)) violations.push(`${i.deviceId}: not 20 digits`);
      else if (!isChannel(i) && type !== 216 && type !== 215) violations.push(`${i.deviceId}: type ${type} is neither a channel (131/132) nor an organization node (215/216)`);
      if (i.parentId !== lowerId && !byId.has(i.parentId ?? '')) violations.push(`${i.deviceId}: parent ${i.parentId ?? '(none)'} is neither the lower platform nor an item`);
      if (isChannel(i) && (i.status === undefined || !i.name)) violations.push(`${i.deviceId}: channel without Status or Name`);
    }
  }
  const levels = (i: CatalogItem): number => {
    let n = 0;
    for (let p = i.parentId, guard = 0; p && p !== lowerId && guard < 50; p = byId.get(p)?.parentId, guard++) n++;
    return n;
  };
  return { catalog, channels, nodes, depth: Math.max(0, ...channels.map(levels)), violations };
}
