// An INVITE dialog (RFC 3261 §12): the state both ends keep between INVITE and BYE, and the
// requests sent inside it (ACK for 2xx, BYE, INFO/MESSAGE for GB media control).
import { formatNameAddr, parseNameAddr, parseUri } from './headers.js';
import type { SipRequest, SipResponse } from './message.js';
import type { Remote } from './transport.js';

export type DialogEnd = 'bye-received' | 'bye-sent' | 'no-ack' | 'closed';

export interface DialogState {
  role: 'uac' | 'uas';
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (UAC) or To (UAS) of the INVITE, without tag: our name-addr in this dialog. */
  localUri: string;
  remoteUri: string;
  /** Request-URI of requests in the dialog: the peer's Contact. */
  remoteTarget: string;
  /** Route headers for requests in the dialog, in the order they are sent. */
  routeSet: string[];
  localSeq: number;
  /** Where requests in the dialog go on the wire. */
  peer: Remote;
}

/** The endpoint functions a dialog needs; kept narrow so the dialog is testable on its own. */
export interface DialogHost {
  /** Sends a request in a client transaction; resolves with the final response. */
  send(req: SipRequest, target: Remote): Promise<SipResponse>;
  /** Top Via value for a new request to `target`, with a fresh branch. */
  via(target: Remote): string;
  forget(dialog: Dialog): void;
}

export class Dialog {
  private ended: DialogEnd | null = null;
  private readonly endListeners: ((why: DialogEnd) => void)[] = [];
  /** For a UAC: the ACK sent for the 2xx, resent when the 2xx is retransmitted. */
  lastAck: SipRequest | null = null;

  constructor(
    readonly state: DialogState,
    private readonly host: DialogHost,
  ) {}

  get id(): string {
    return dialogId(this.state.callId, this.state.localTag, this.state.remoteTag);
  }

  get terminated(): DialogEnd | null {
    return this.ended;
  }

  onEnd(listener: (why: DialogEnd) => void): void {
    if (this.ended) listener(this.ended);
    else this.endListeners.push(listener);
  }

  end(why: DialogEnd): void {
    if (this.ended) return;
    this.ended = why;
    this.host.forget(this);
    for (const l of this.endListeners.splice(0)) l(why);
  }

  /** A request inside the dialog (§12.2.1.1), CSeq incremented unless `cseq` is given (ACK). */
  build(method: string, opts: { body?: Buffer; contentType?: string; extraHeaders?: [string, string][]; cseq?: number } = {}): SipRequest {
    const s = this.state;
    const seq = opts.cseq ?? ++s.localSeq;
    const req: SipRequest = { kind: 'request', method, uri: s.remoteTarget, headers: [], body: opts.body ?? Buffer.alloc(0) };
    const target = this.nextHop();
    req.headers.push({ name: 'via', value: this.host.via(target) });
    for (const r of s.routeSet) req.headers.push({ name: 'route', value: r });
    req.headers.push({ name: 'max-forwards', value: '70' });
    req.headers.push({ name: 'from', value: `${s.localUri};tag=${s.localTag}` });
    req.headers.push({ name: 'to', value: `${s.remoteUri};tag=${s.remoteTag}` });
    req.headers.push({ name: 'call-id', value: s.callId });
    req.headers.push({ name: 'cseq', value: `${seq} ${method}` });
    for (const [name, value] of opts.extraHeaders ?? []) req.headers.push({ name: name.toLowerCase(), value });
    if (opts.contentType) req.headers.push({ name: 'content-type', value: opts.contentType });
    return req;
  }

  /**
   * The first Route's address when there is one (loose routing through a proxy), otherwise the
   * transport peer: behind NAT the Contact's private address is not reachable, the source is.
   */
  nextHop(): Remote {
    const first = this.state.routeSet[0];
    const uri = first ? parseUri(parseNameAddr(first)?.uri ?? '') : null;
    if (!uri) return this.state.peer;
    const transport = (uri.params['transport'] ?? this.state.peer.transport).toUpperCase() === 'TCP' ? 'TCP' : 'UDP';
    return { transport, address: uri.host, port: uri.port ?? 5060 };
  }

  async request(method: string, opts: { body?: Buffer; contentType?: string; extraHeaders?: [string, string][] } = {}): Promise<SipResponse> {
    if (this.ended) throw new Error(`dialog ${this.id} has ended (${this.ended})`);
    return this.host.send(this.build(method, opts), this.nextHop());
  }

  /** Ends the dialog from our side; resolves with the peer's answer (or rejects on timeout). */
  async bye(why: DialogEnd = 'bye-sent'): Promise<SipResponse> {
    if (this.ended) throw new Error(`dialog ${this.id} has ended (${this.ended})`);
    const req = this.build('BYE');
    this.end(why);
    return this.host.send(req, this.nextHop());
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The name-addr without its tag parameter, as a dialog keeps it. */
export function withoutTag(value: string): string {
  const na = parseNameAddr(value);
  if (!na) return value;
  const params = { ...na.params };
  delete params['tag'];
  return formatNameAddr({ ...na, params });
}
