// Client and server transactions (RFC 3261 §17) with their timers. Over UDP requests and final
// INVITE responses are retransmitted (Timers A, E, G); over TCP nothing is, and the wait timers
// that only absorb retransmissions (D, I, J, K) are zero.
import { header, headers, serializeMessage, type SipRequest, type SipResponse } from './message.js';
import { parseCSeq, parseVia } from './headers.js';

export interface SipTimers {
  /** RTT estimate: first retransmission interval (500 ms in RFC 3261; shorter in tests). */
  T1: number;
  /** Retransmission interval cap for non-INVITE requests and INVITE responses. */
  T2: number;
  /** How long the network keeps a message: the wait in Completed for K and I. */
  T4: number;
}

export const DEFAULT_TIMERS: SipTimers = { T1: 500, T2: 4000, T4: 5000 };

type Send = (bytes: Buffer) => Promise<void>;

/** A running retransmission schedule; stop() ends it. */
export interface Repeater {
  stop(): void;
}

/**
 * Calls `fire` after `first` ms, then at doubling intervals capped at `cap` (Infinity: no cap) —
 * the shape of Timers A, E and G and of 2xx retransmission (§13.3.1.4).
 */
export function repeatWithBackoff(first: number, cap: number, fire: () => void): Repeater {
  let interval = first;
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    fire();
    interval = Math.min(interval * 2, cap);
    timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, interval);
  return { stop: () => clearTimeout(timer) };
}

export type ClientOutcome =
  | { kind: 'response'; response: SipResponse }
  | { kind: 'timeout' }
  | { kind: 'transport-error'; error: Error };

export interface ClientCallbacks {
  /** Every response, provisional and final (and 2xx retransmissions for INVITE). */
  onResponse(res: SipResponse): void;
  /** Timer B/F fired or the transport failed: no final response will come. */
  onFailure(outcome: Exclude<ClientOutcome, { kind: 'response' }>): void;
  onTerminated(): void;
}

export function topVia(msg: SipRequest | SipResponse) {
  const v = header(msg, 'via');
  return v ? parseVia(v) : null;
}

/** Client transactions are matched by top Via branch and CSeq method (§17.1.3). */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

/**
 * Server transactions by branch + sent-by + method (§17.2.3). Stacks that predate RFC 3261 (no
 * z9hG4bK cookie: some old cameras) fall back to Call-ID, CSeq number, From tag and the Via.
 */
export function serverKey(req: SipRequest): string | null {
  const via = topVia(req);
  const cseq = parseCSeq(header(req, 'cseq') ?? '');
  if (!via || !cseq) return null;
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = via.params['branch'];
  const sentBy = `${via.host}:${via.port ?? ''}`;
  if (branch && branch.startsWith('z9hG4bK')) return `${branch}|${sentBy}|${method}`;
  const fromTag = /;\s*tag=([^;\s]+)/i.exec(header(req, 'from') ?? '')?.[1] ?? '';
  return `2543|${header(req, 'call-id')}|${cseq.seq}|${fromTag}|${header(req, 'via')}|${method}`;
}

export class ClientTransaction {
  state: 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated' = 'calling';
  private retransmit: Repeater | null = null;
  private timeout: NodeJS.Timeout | null = null;
  private wait: NodeJS.Timeout | null = null;
  private ack: Buffer | null = null;
  private readonly isInvite: boolean;

  constructor(
    private readonly request: SipRequest,
    private readonly reliable: boolean,
    private readonly send: Send,
    private readonly timers: SipTimers,
    private readonly cb: ClientCallbacks,
  ) {
    this.isInvite = request.method === 'INVITE';
  }

  start(): void {
    const bytes = serializeMessage(this.request);
    const transmit = (): void => {
      this.send(bytes).catch((error: Error) => this.fail({ kind: 'transport-error', error }));
    };
    transmit();
    if (!this.reliable) {
      // Timer A (INVITE) doubles without cap; Timer E (non-INVITE) caps at T2.
      this.retransmit = repeatWithBackoff(this.timers.T1, this.isInvite ? Infinity : this.timers.T2, transmit);
    }
    // Timer B / Timer F.
    this.timeout = setTimeout(() => this.fail({ kind: 'timeout' }), 64 * this.timers.T1);
  }

  receive(res: SipResponse): void {
    if (this.state === 'terminated') return;
    if (res.status < 200) {
      if (this.state === 'calling') {
        this.state = 'proceeding';
        // A provisional response stops INVITE retransmissions; non-INVITE ones go on at T2.
        this.clearRetransmit();
        if (!this.isInvite && !this.reliable) {
          const bytes = serializeMessage(this.request);
          this.retransmit = repeatWithBackoff(this.timers.T2, this.timers.T2, () => void this.send(bytes).catch(() => undefined));
        }
      }
      if (this.state === 'proceeding') this.cb.onResponse(res);
      return;
    }
    if (this.state === 'completed') {
      // A retransmitted final response: the network lost our ACK.
      if (this.ack) this.send(this.ack).catch(() => undefined);
      return;
    }
    if (this.state === 'accepted') {
      if (res.status < 300) this.cb.onResponse(res);
      return;
    }
    this.clearRetransmit();
    this.clearTimeout();
    this.cb.onResponse(res);
    if (this.isInvite && res.status < 300) {
      // RFC 6026: stay to pass 2xx retransmissions to the dialog (which ACKs them), Timer M.
      this.state = 'accepted';
      this.wait = setTimeout(() => this.terminate(), 64 * this.timers.T1);
      return;
    }
    this.state = 'completed';
    if (this.isInvite) {
      this.ack = serializeMessage(ackForFailure(this.request, res));
      this.send(this.ack).catch(() => undefined);
    }
    // Timer D (INVITE) or K (non-INVITE): zero on a reliable transport.
    const linger = this.reliable ? 0 : this.isInvite ? 64 * this.timers.T1 : this.timers.T4;
    this.wait = setTimeout(() => this.terminate(), linger);
  }

  private fail(outcome: Exclude<ClientOutcome, { kind: 'response' }>): void {
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted') return;
    this.cb.onFailure(outcome);
    this.terminate();
  }

  private clearRetransmit(): void {
    this.retransmit?.stop();
    this.retransmit = null;
  }

  private clearTimeout(): void {
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = null;
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearRetransmit();
    this.clearTimeout();
    if (this.wait) clearTimeout(this.wait);
    this.cb.onTerminated();
  }
}

/** The ACK a client INVITE transaction sends for a 3xx–6xx (§17.1.1.3): same branch, To from the response. */
function ackForFailure(invite: SipRequest, res: SipResponse): SipRequest {
  const ack: SipRequest = { kind: 'request', method: 'ACK', uri: invite.uri, headers: [], body: Buffer.alloc(0) };
  const via = headers(invite, 'via')[0];
  if (via) ack.headers.push({ name: 'via', value: via });
  for (const name of ['max-forwards', 'from']) {
    const v = header(invite, name);
    if (v !== undefined) ack.headers.push({ name, value: v });
  }
  ack.headers.push({ name: 'to', value: header(res, 'to') ?? header(invite, 'to') ?? '' });
  ack.headers.push({ name: 'call-id', value: header(invite, 'call-id') ?? '' });
  ack.headers.push({ name: 'cseq', value: `${parseCSeq(header(invite, 'cseq') ?? '')?.seq ?? 1} ACK` });
  for (const r of headers(invite, 'route')) ack.headers.push({ name: 'route', value: r });
  return ack;
}

export interface ServerCallbacks {
  onTerminated(): void;
  /** Timer H fired: a failure response to an INVITE was never ACKed. */
  onAckTimeout?(): void;
}

export class ServerTransaction {
  state: 'trying' | 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated' = 'trying';
  private last: Buffer | null = null;
  private retransmit: Repeater | null = null;
  private timeout: NodeJS.Timeout | null = null;
  private readonly isInvite: boolean;

  constructor(
    readonly request: SipRequest,
    private readonly reliable: boolean,
    private readonly send: Send,
    private readonly timers: SipTimers,
    private readonly cb: ServerCallbacks,
  ) {
    this.isInvite = request.method === 'INVITE';
    if (this.isInvite) this.state = 'proceeding';
  }

  /** Whether a final response has been given. */
  get answered(): boolean {
    return this.state !== 'trying' && this.state !== 'proceeding';
  }

  respond(res: SipResponse): void {
    if (this.answered) return;
    const bytes = serializeMessage(res);
    this.last = bytes;
    this.send(bytes).catch(() => undefined);
    if (res.status < 200) {
      this.state = 'proceeding';
      return;
    }
    if (this.isInvite && res.status < 300) {
      // 2xx retransmission belongs to the dialog (§13.3.1.4), not the transaction; RFC 6026's
      // Accepted state (Timer L) absorbs retransmitted INVITEs meanwhile, which would otherwise
      // look like a new call.
      this.state = 'accepted';
      this.timeout = setTimeout(() => this.terminate(), 64 * this.timers.T1);
      return;
    }
    this.state = 'completed';
    if (this.isInvite) {
      // Timer G.
      if (!this.reliable) this.retransmit = repeatWithBackoff(this.timers.T1, this.timers.T2, () => void this.send(bytes).catch(() => undefined));
      this.timeout = setTimeout(() => {
        this.cb.onAckTimeout?.();
        this.terminate();
      }, 64 * this.timers.T1); // Timer H
    } else {
      this.timeout = setTimeout(() => this.terminate(), this.reliable ? 0 : 64 * this.timers.T1); // Timer J
    }
  }

  /** The same request again: the peer missed our response. */
  retransmission(): void {
    if (this.last && this.state !== 'confirmed' && this.state !== 'accepted') this.send(this.last).catch(() => undefined);
  }

  ack(): void {
    if (!this.isInvite || this.state !== 'completed') return;
    this.state = 'confirmed';
    this.retransmit?.stop();
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = setTimeout(() => this.terminate(), this.reliable ? 0 : this.timers.T4); // Timer I
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.retransmit?.stop();
    if (this.timeout) clearTimeout(this.timeout);
    this.cb.onTerminated();
  }
}
