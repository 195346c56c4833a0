// A SIP endpoint: transports + transactions + dialogs behind one small API. It is both a UAS
// (requests go to one handler, which replies) and a UAC (request() and invite() resolve with
// the final response, answering digest challenges when given credentials). Nothing from the
// wire can make it throw: malformed input gets a 400/513 when it can be answered, otherwise one
// log line.
import crypto from 'node:crypto';
import { answerChallenge, type DigestCredentials } from './digest.js';
import { Dialog, dialogId, withoutTag, type DialogHost } from './dialog.js';
import { formatVia, parseCSeq, parseNameAddr, parseVia, tagOf } from './headers.js';
import {
  header,
  headers,
  makeResponse,
  parseMessage,
  serializeMessage,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from './message.js';
import type { RateLimitOptions } from './rateLimit.js';
import { ClientTransaction, DEFAULT_TIMERS, ServerTransaction, clientKey, repeatWithBackoff, serverKey, topVia, type SipTimers } from './transaction.js';
import { SipTransport, type Remote, type SipLog, type TransportName } from './transport.js';

export interface SipEndpointOptions {
  /** Address to bind (127.0.0.1 in tests, 0.0.0.0 on the box). */
  host: string;
  /** 0: any free port (the same number on UDP and TCP). */
  port: number;
  udp?: boolean;
  tcp?: boolean;
  /** Host written in our Via and Contact; defaults to `host` (or 127.0.0.1 for a wildcard). */
  advertisedHost?: string;
  /** Port written in our Via and Contact (a NAT's mapped port); defaults to the bound port. */
  advertisedPort?: number;
  timers?: Partial<SipTimers>;
  /** Larger messages are refused (513 when answerable). Default 65535. */
  maxMessageBytes?: number;
  /** Per source address; null disables. Default 200/s with bursts of 400. */
  rateLimit?: RateLimitOptions | null;
  log?: SipLog;
  userAgent?: string;
  /**
   * Answer UDP requests at the port they came from even without `rport` (default true): many
   * cameras sit behind NAT without asking for it, and platforms (WVP) answer the source anyway.
   */
  replyToSourcePort?: boolean;
  tcpIdleMs?: number;
  /** Open TCP connections at most; default 1024. */
  maxTcpConnections?: number;
}

export interface ReplyOptions {
  reason?: string;
  headers?: [string, string][];
  body?: Buffer;
  contentType?: string;
}

export interface IncomingRequest {
  readonly request: SipRequest;
  readonly remote: Remote;
  /** The dialog an in-dialog request (BYE excepted: the endpoint answers it) belongs to. */
  readonly dialog: Dialog | null;
  /** The To-tag our responses carry (the request's own, or the one we chose): a notifier's dialog tag. */
  readonly localTag: string;
  reply(status: number, opts?: ReplyOptions): void;
  /**
   * INVITE only: 200 with our Contact and the answer body; resolves with the dialog once ACKed,
   * rejects if no ACK comes in 64*T1 (a BYE is then sent) or the dialog ends first.
   */
  accept(opts: ReplyOptions): Promise<Dialog>;
  /** INVITE only: called if the caller CANCELs before we answered (we then reply 487). */
  onCancel(listener: () => void): void;
}

export type RequestHandler = (req: IncomingRequest) => void | Promise<void>;

export interface OutgoingRequest {
  method: string;
  uri: string;
  /** From name-addr without tag (e.g. `<sip:34020000001320000001@3402000000>`). */
  from: string;
  fromTag?: string;
  to: string;
  target: Remote;
  callId?: string;
  cseq?: number;
  contact?: string;
  body?: Buffer;
  contentType?: string;
  extraHeaders?: [string, string][];
  /** Answer 401/407 once with these. */
  auth?: DigestCredentials;
  onProvisional?: (res: SipResponse) => void;
}

export class SipTimeoutError extends Error {
  constructor(method: string, target: Remote) {
    super(`no final response to ${method} from ${target.transport} ${target.address}:${target.port}`);
    this.name = 'SipTimeoutError';
  }
}

const noLog: SipLog = () => undefined;

export function randomToken(bytes = 8): string {
  return crypto.randomBytes(bytes).toString('hex');
}

interface PendingAccept {
  resolve: (d: Dialog) => void;
  reject: (e: Error) => void;
  /** Ends the 2xx retransmission and the give-up timer. */
  stop: () => void;
}

export class SipEndpoint {
  readonly timers: SipTimers;
  private readonly transport: SipTransport;
  private readonly log: SipLog;
  private handler: RequestHandler | null = null;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly cancelListeners = new Map<string, (() => void)[]>();
  private readonly dialogs = new Map<string, Dialog>();
  /** UAS dialogs whose 2xx is being retransmitted until the ACK (§13.3.1.4). */
  private readonly awaitingAck = new Map<string, PendingAccept>();
  private readonly advertised: string;
  private closed = false;

  private constructor(private readonly opts: SipEndpointOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.log = opts.log ?? noLog;
    this.advertised = opts.advertisedHost ?? (opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host);
    this.transport = new SipTransport(
      {
        host: opts.host,
        port: opts.port,
        udp: opts.udp ?? true,
        tcp: opts.tcp ?? true,
        maxMessageBytes: opts.maxMessageBytes ?? 65535,
        rateLimit: opts.rateLimit === undefined ? { perSecond: 200, burst: 400 } : opts.rateLimit,
        log: this.log,
        tcpIdleMs: opts.tcpIdleMs ?? 600_000,
        connectTimeoutMs: 64 * this.timers.T1,
        maxTcpConnections: opts.maxTcpConnections ?? 1024,
      },
      {
        message: (bytes, remote, datagram) => this.guard(() => this.onBytes(bytes, remote, datagram), remote),
        oversized: (head, remote, reason) => this.guard(() => this.onOversized(head, remote, reason), remote),
      },
    );
  }

  static async start(opts: SipEndpointOptions): Promise<SipEndpoint> {
    const ep = new SipEndpoint(opts);
    await ep.transport.listen();
    return ep;
  }

  get port(): number {
    return this.transport.port;
  }

  get host(): string {
    return this.advertised;
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** The last line of defence: a bug on a path fed by the network is logged, never thrown. */
  private guard(fn: () => void, remote: Remote): void {
    try {
      fn();
    } catch (err) {
      this.log('error', 'SIP message handling failed', { remote, err: (err as Error).message });
    }
  }

  // ---------------------------------------------------------------- inbound

  private onOversized(head: Buffer, remote: Remote, reason: string): void {
    const parsed = parseMessage(head, false);
    const req = parsed.ok ? (parsed.message.kind === 'request' ? parsed.message : undefined) : parsed.partial;
    if (req && this.canAnswer(req)) {
      this.sendResponse(makeResponse(this.stampVia(req, remote), 513), remote);
      this.log('warn', 'SIP message refused: too large', { remote, reason });
    } else {
      this.log('warn', 'SIP message dropped: too large', { remote, reason });
    }
  }

  private canAnswer(req: SipRequest): boolean {
    return req.method !== 'ACK' && !!topVia(req);
  }

  private onBytes(bytes: Buffer, remote: Remote, datagram: boolean): void {
    const parsed = parseMessage(bytes, datagram);
    if (!parsed.ok) {
      if (parsed.partial && this.canAnswer(parsed.partial)) {
        this.sendResponse(makeResponse(this.stampVia(parsed.partial, remote), 400, `Bad Request (${parsed.error})`), remote);
      }
      this.log('warn', 'malformed SIP message', { remote, error: parsed.error, answered: !!parsed.partial && this.canAnswer(parsed.partial) });
      return;
    }
    const msg = parsed.message;
    if (msg.kind === 'response') this.onResponse(msg, remote);
    else this.onRequestMessage(msg, remote);
  }

  /** Which required header is missing or unreadable, for the 400's reason phrase. */
  private invalidHeader(req: SipRequest): string | null {
    const from = header(req, 'from');
    const to = header(req, 'to');
    if (!from || !parseNameAddr(from)) return 'From';
    if (!to || !parseNameAddr(to)) return 'To';
    if (!header(req, 'call-id')) return 'Call-ID';
    if (!parseCSeq(header(req, 'cseq') ?? '')) return 'CSeq';
    const mf = header(req, 'max-forwards');
    if (mf !== undefined && !/^\d{1,3}$/.test(mf)) return 'Max-Forwards';
    return null;
  }

  /** RFC 3261 §18.2.1 received= and RFC 3581 rport= on the top Via, so responses reach NAT'd peers. */
  private stampVia(req: SipRequest, remote: Remote): SipRequest {
    const idx = req.headers.findIndex((h) => h.name === 'via');
    const via = idx >= 0 ? parseVia(req.headers[idx]!.value) : null;
    if (!via) return req;
    let changed = false;
    if (via.host !== remote.address) {
      via.params['received'] = remote.address;
      changed = true;
    }
    if ('rport' in via.params && via.params['rport'] === null) {
      via.params['rport'] = String(remote.port);
      via.params['received'] = remote.address;
      changed = true;
    }
    if (changed) req.headers[idx] = { name: 'via', value: formatVia(via) };
    return req;
  }

  private onRequestMessage(req: SipRequest, remote: Remote): void {
    const via = topVia(req);
    if (!via) {
      this.log('warn', 'SIP request dropped: no readable Via to answer to', { remote, method: req.method });
      return;
    }
    this.stampVia(req, remote);
    const bad = this.invalidHeader(req);
    if (bad) {
      if (req.method !== 'ACK') this.sendResponse(makeResponse(req, 400, `Missing or malformed ${bad} header`), remote);
      this.log('warn', `SIP request refused: missing or malformed ${bad} header`, { remote, method: req.method });
      return;
    }
    const cseq = parseCSeq(header(req, 'cseq')!)!;
    if (cseq.method !== req.method && req.method !== 'ACK') {
      // Tolerated (seen from devices: a Keepalive MESSAGE whose CSeq names another method).
      this.log('debug', 'SIP request whose CSeq method differs from its method', { remote, method: req.method, cseq: cseq.method });
    }

    const key = serverKey(req)!;
    if (req.method === 'ACK') {
      const tx = this.servers.get(key);
      if (tx) tx.ack();
      else this.onAck2xx(req);
      return;
    }
    const existing = this.servers.get(key);
    if (existing) {
      existing.retransmission();
      return;
    }
    if (req.method === 'CANCEL') {
      this.onCancelRequest(req, remote);
      return;
    }
    const reliable = remote.transport === 'TCP';
    const tx = new ServerTransaction(req, reliable, (b) => this.transport.send(b, this.responseTarget(req, remote)), this.timers, {
      onTerminated: () => {
        if (this.servers.get(key) === tx) this.servers.delete(key);
        this.cancelListeners.delete(key);
      },
      onAckTimeout: () => this.log('warn', 'no ACK for a failure response to INVITE', { remote }),
    });
    this.servers.set(key, tx);
    if (req.method === 'INVITE') tx.respond(makeResponse(req, 100));

    const dialog = this.findDialog(req);
    if (req.method === 'BYE') {
      if (!dialog) {
        tx.respond(makeResponse(req, 481));
        return;
      }
      tx.respond(makeResponse(req, 200));
      dialog.end('bye-received');
      return;
    }
    if (!this.handler) {
      tx.respond(makeResponse(req, 501));
      return;
    }
    const incoming = this.incoming(req, remote, tx, key, dialog);
    Promise.resolve()
      .then(() => this.handler!(incoming))
      .catch((err: Error) => {
        this.log('error', 'SIP request handler failed', { remote, method: req.method, err: err.message });
        if (!tx.answered) tx.respond(makeResponse(req, 500));
      });
  }

  private incoming(req: SipRequest, remote: Remote, tx: ServerTransaction, key: string, dialog: Dialog | null): IncomingRequest {
    const toTag = tagOf(header(req, 'to')) ?? randomToken(6);
    const build = (status: number, o: ReplyOptions = {}): SipResponse => {
      const res = makeResponse(req, status, o.reason, toTag);
      if (this.opts.userAgent) res.headers.push({ name: 'server', value: this.opts.userAgent });
      for (const [name, value] of o.headers ?? []) res.headers.push({ name: name.toLowerCase(), value });
      if (o.body) {
        res.body = o.body;
        if (o.contentType) res.headers.push({ name: 'content-type', value: o.contentType });
      }
      return res;
    };
    return {
      request: req,
      remote,
      dialog,
      localTag: toTag,
      reply: (status, o) => {
        if (status >= 200 && status < 300 && req.method === 'INVITE') {
          this.log('warn', 'use accept() for a 2xx to INVITE', { remote });
        }
        tx.respond(build(status, o));
      },
      accept: (o) => {
        if (req.method !== 'INVITE') return Promise.reject(new Error('accept() is for INVITE'));
        const res = build(200, o);
        const contactUser = parseNameAddr(header(req, 'to') ?? '')?.uri.match(/^sips?:([^@]+)@/)?.[1];
        res.headers.push({ name: 'contact', value: `<sip:${contactUser ? `${contactUser}@` : ''}${this.advertised}:${this.viaPort}>` });
        return this.acceptInvite(req, remote, tx, res, toTag);
      },
      onCancel: (listener) => {
        const list = this.cancelListeners.get(key) ?? [];
        list.push(listener);
        this.cancelListeners.set(key, list);
      },
    };
  }

  private acceptInvite(req: SipRequest, remote: Remote, tx: ServerTransaction, res: SipResponse, toTag: string): Promise<Dialog> {
    const contact = header(req, 'contact');
    const dialog = new Dialog(
      {
        role: 'uas',
        callId: header(req, 'call-id')!,
        localTag: toTag,
        remoteTag: tagOf(header(req, 'from')) ?? '',
        localUri: withoutTag(header(req, 'to')!),
        remoteUri: withoutTag(header(req, 'from')!),
        remoteTarget: (contact && parseNameAddr(contact)?.uri) || req.uri,
        routeSet: headers(req, 'record-route'),
        localSeq: Math.floor(Math.random() * 10000),
        peer: remote,
      },
      this.dialogHost,
    );
    this.dialogs.set(dialog.id, dialog);
    tx.respond(res);
    const target = this.responseTarget(req, remote);
    const bytes = serializeMessage(res);
    const confirmed = new Promise<Dialog>((resolve, reject) => {
      // 2xx retransmission until the ACK (UDP only), giving up after 64*T1 with a BYE (§13.3.1.4).
      const retransmit = remote.transport === 'TCP' ? null : repeatWithBackoff(this.timers.T1, this.timers.T2, () => void this.transport.send(bytes, target).catch(() => undefined));
      const giveUp = setTimeout(() => {
        this.awaitingAck.delete(dialog.id);
        retransmit?.stop();
        dialog.bye('no-ack').catch(() => undefined);
        reject(new Error('no ACK for the 200 OK to INVITE'));
      }, 64 * this.timers.T1);
      this.awaitingAck.set(dialog.id, {
        resolve,
        reject,
        stop: () => {
          retransmit?.stop();
          clearTimeout(giveUp);
        },
      });
    });
    // A peer that never ACKs must not become an unhandled rejection in a caller that ignores it.
    confirmed.catch(() => undefined);
    return confirmed;
  }

  private onAck2xx(req: SipRequest): void {
    const d = this.findDialog(req);
    if (!d) return;
    const pending = this.awaitingAck.get(d.id);
    if (!pending) return;
    pending.stop();
    this.awaitingAck.delete(d.id);
    pending.resolve(d);
  }

  private onCancelRequest(req: SipRequest, remote: Remote): void {
    const inviteKey = serverKey({ ...req, method: 'INVITE' });
    const invite = inviteKey ? this.servers.get(inviteKey) : undefined;
    const reliable = remote.transport === 'TCP';
    const tx = new ServerTransaction(req, reliable, (b) => this.transport.send(b, this.responseTarget(req, remote)), this.timers, {
      onTerminated: () => this.servers.delete(serverKey(req)!),
    });
    this.servers.set(serverKey(req)!, tx);
    if (!invite || invite.answered) {
      tx.respond(makeResponse(req, 481));
      return;
    }
    tx.respond(makeResponse(req, 200));
    invite.respond(makeResponse(invite.request, 487, undefined, randomToken(6)));
    for (const l of this.cancelListeners.get(inviteKey!) ?? []) l();
  }

  private findDialog(req: SipRequest): Dialog | null {
    const callId = header(req, 'call-id') ?? '';
    const toTag = tagOf(header(req, 'to')) ?? '';
    const fromTag = tagOf(header(req, 'from')) ?? '';
    return this.dialogs.get(dialogId(callId, toTag, fromTag)) ?? null;
  }

  /** RFC 3261 §18.2.2 with RFC 3581: TCP back on the connection; UDP to the source address. */
  private responseTarget(msg: SipRequest | SipResponse, remote: Remote): Remote {
    if (remote.transport === 'TCP') return remote;
    const via = topVia(msg);
    const usePort = this.opts.replyToSourcePort !== false || (via && via.params['rport']);
    return { transport: 'UDP', address: remote.address, port: usePort ? remote.port : (via?.port ?? 5060) };
  }

  private sendResponse(res: SipResponse, remote: Remote): void {
    this.transport.send(serializeMessage(res), this.responseTarget(res, remote)).catch((err: Error) => {
      this.log('debug', 'SIP response not sent', { remote, err: err.message });
    });
  }

  private onResponse(res: SipResponse, remote: Remote): void {
    const via = topVia(res);
    const cseq = parseCSeq(header(res, 'cseq') ?? '');
    const branch = via?.params['branch'];
    if (!via || !cseq || !branch) {
      this.log('warn', 'SIP response dropped: no readable Via branch or CSeq', { remote, status: res.status });
      return;
    }
    const tx = this.clients.get(clientKey(branch, cseq.method));
    if (tx) {
      tx.receive(res);
      return;
    }
    // A 2xx retransmitted after its transaction ended: re-ACK from the dialog (§13.2.2.4).
    if (cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
      const d = this.dialogs.get(dialogId(header(res, 'call-id') ?? '', tagOf(header(res, 'from')) ?? '', tagOf(header(res, 'to')) ?? ''));
      if (d?.lastAck) this.transport.send(serializeMessage(d.lastAck), d.nextHop()).catch(() => undefined);
      return;
    }
    this.log('debug', 'SIP response matching no transaction', { remote, status: res.status });
  }

  // ---------------------------------------------------------------- outbound

  /** Top Via for a request to `target`: our advertised address, a fresh branch, rport asked for. */
  via(target: Remote): string {
    return `SIP/2.0/${target.transport} ${this.advertised}:${this.viaPort};rport;branch=z9hG4bK${randomToken(8)}`;
  }

  private get viaPort(): number {
    return this.opts.advertisedPort ?? this.port;
  }

  private readonly dialogHost: DialogHost = {
    send: (req, target) => this.send(req, target),
    via: (target) => this.via(target),
    forget: (d) => {
      this.dialogs.delete(d.id);
      const pending = this.awaitingAck.get(d.id);
      if (pending) {
        // Ended (BYE, close) before the ACK came: whoever awaits accept() learns it.
        this.awaitingAck.delete(d.id);
        pending.stop();
        pending.reject(new Error(`dialog ended before the ACK (${d.terminated ?? 'closed'})`));
      }
    },
  };

  /** Builds a request outside a dialog (§8.1.1). */
  build(o: OutgoingRequest): SipRequest {
    const req: SipRequest = { kind: 'request', method: o.method, uri: o.uri, headers: [], body: o.body ?? Buffer.alloc(0) };
    const h: SipHeader[] = req.headers;
    h.push({ name: 'via', value: this.via(o.target) });
    h.push({ name: 'from', value: `${o.from};tag=${o.fromTag ?? randomToken(6)}` });
    h.push({ name: 'to', value: o.to });
    h.push({ name: 'call-id', value: o.callId ?? `${randomToken(10)}@${this.advertised}` });
    h.push({ name: 'cseq', value: `${o.cseq ?? 1} ${o.method}` });
    h.push({ name: 'max-forwards', value: '70' });
    if (o.contact) h.push({ name: 'contact', value: o.contact });
    if (this.opts.userAgent) h.push({ name: 'user-agent', value: this.opts.userAgent });
    for (const [name, value] of o.extraHeaders ?? []) h.push({ name: name.toLowerCase(), value });
    if (o.body && o.contentType) h.push({ name: 'content-type', value: o.contentType });
    return req;
  }

  /** Sends a built request in a client transaction; resolves with the final response. */
  send(req: SipRequest, target: Remote, onProvisional?: (res: SipResponse) => void): Promise<SipResponse> {
    if (this.closed) return Promise.reject(new Error('SIP endpoint closed'));
    const via = topVia(req);
    const branch = via?.params['branch'];
    if (!branch) return Promise.reject(new Error('request without a Via branch'));
    // Keyed by the CSeq method, which the response echoes (even when a quirky peer wrote one
    // that differs from the request's method).
    const key = clientKey(branch, parseCSeq(header(req, 'cseq') ?? '')?.method ?? req.method);
    return new Promise<SipResponse>((resolve, reject) => {
      const tx = new ClientTransaction(req, target.transport === 'TCP', (b) => this.transport.send(b, target), this.timers, {
        onResponse: (res) => {
          if (res.status < 200) onProvisional?.(res);
          else resolve(res);
        },
        onFailure: (outcome) => reject(outcome.kind === 'timeout' ? new SipTimeoutError(req.method, target) : outcome.error),
        onTerminated: () => {
          if (this.clients.get(key) === tx) this.clients.delete(key);
        },
      });
      this.clients.set(key, tx);
      tx.start();
    });
  }

  /** A request outside a dialog; answers one 401/407 when credentials are given. */
  async request(o: OutgoingRequest): Promise<SipResponse> {
    const fromTag = o.fromTag ?? randomToken(6);
    const callId = o.callId ?? `${randomToken(10)}@${this.advertised}`;
    const cseq = o.cseq ?? 1;
    const first = this.build({ ...o, fromTag, callId, cseq });
    const res = await this.send(first, o.target, o.onProvisional);
    if ((res.status !== 401 && res.status !== 407) || !o.auth) return res;
    const challenge = header(res, res.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
    const authorization = challenge ? answerChallenge(challenge, o.auth, o.method, o.uri) : null;
    if (!authorization) return res;
    const name = res.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const retry = this.build({ ...o, fromTag, callId, cseq: cseq + 1, extraHeaders: [...(o.extraHeaders ?? []), [name, authorization]] });
    return this.send(retry, o.target, o.onProvisional);
  }

  /**
   * INVITE; on a 2xx, ACKs and returns the dialog. A non-2xx final response comes back with
   * `dialog: null`.
   */
  async invite(o: Omit<OutgoingRequest, 'method'>): Promise<{ response: SipResponse; dialog: Dialog | null }> {
    const response = await this.request({ ...o, method: 'INVITE', contact: o.contact ?? `<sip:${this.advertised}:${this.viaPort}>` });
    if (response.status < 200 || response.status >= 300) return { response, dialog: null };
    const inviteCseq = parseCSeq(header(response, 'cseq') ?? '')?.seq ?? 1;
    const contact = header(response, 'contact');
    const dialog = new Dialog(
      {
        role: 'uac',
        callId: header(response, 'call-id')!,
        localTag: tagOf(header(response, 'from')) ?? '',
        remoteTag: tagOf(header(response, 'to')) ?? '',
        localUri: withoutTag(header(response, 'from')!),
        remoteUri: withoutTag(header(response, 'to')!),
        remoteTarget: (contact && parseNameAddr(contact)?.uri) || o.uri,
        routeSet: headers(response, 'record-route').reverse(),
        localSeq: inviteCseq,
        peer: o.target,
      },
      this.dialogHost,
    );
    this.dialogs.set(dialog.id, dialog);
    const ack = dialog.build('ACK', { cseq: inviteCseq });
    dialog.lastAck = ack;
    await this.transport.send(serializeMessage(ack), dialog.nextHop());
    return { response, dialog };
  }

  /** Dialogs open now (for tests and status). */
  dialogCount(): number {
    return this.dialogs.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    for (const d of [...this.dialogs.values()]) d.end('closed');
    await this.transport.close();
  }
}

/** The address a registrar saw us at (RFC 3581 received/rport on our Via), for a NAT'd Contact. */
export function learnedAddress(res: SipResponse): { address: string; port?: number } | null {
  const via = topVia(res);
  const received = via?.params['received'];
  if (!via || !received) return null;
  const rport = via.params['rport'];
  return { address: received, port: rport ? Number(rport) : undefined };
}

export type { Remote, TransportName };
