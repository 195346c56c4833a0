// An RTP stream received on one link: SSRC check, reorder window, loss count. What comes out is
// the stream's packets in order, each with the number lost just before it, so a depacketiser
// can drop a damaged unit and resynchronise.
import { EventEmitter } from 'node:events';
import { JitterBuffer, type JitterBufferOptions, type JitterStats } from './jitter.js';
import { decodeRtp, looksLikeRtcp, type RtpPacket } from './packet.js';
import { SsrcFilter, type SsrcFilterOptions, type SsrcMismatchPolicy, type SsrcStats } from './ssrc.js';
import type { RtpLink, RtpLinkStats } from './transport.js';

export interface RtpReceiverOptions {
  ssrc?: SsrcFilterOptions;
  jitter?: Omit<JitterBufferOptions, 'now'>;
  now?: () => number;
}

export interface RtpReceiverStats {
  link: RtpLinkStats;
  jitter: JitterStats;
  ssrc: SsrcStats;
  /** Datagrams/frames that were not RTP version 2. */
  malformed: number;
  /** RTCP packets seen on the media port (multiplexed, RFC 5761); not used. */
  rtcp: number;
  /** When the last RTP packet arrived (the caller's "media stopped" check); undefined before any. */
  lastPacketAt?: number;
}

export interface RtpReceiverEvents {
  /** In sequence order; `lostBefore` packets were given up on just before this one. */
  rtp: [packet: RtpPacket, lostBefore: number];
  /** Once per distinct SSRC that is not the negotiated one. */
  'ssrc-mismatch': [ssrc: number, expected: number, policy: SsrcMismatchPolicy];
  /** A new source (first packet, or the SSRC changed): the depacketiser should start over. */
  source: [ssrc: number];
  close: [];
}

export class RtpReceiver extends EventEmitter<RtpReceiverEvents> {
  private readonly jitter: JitterBuffer<RtpPacket>;
  private readonly ssrc: SsrcFilter;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private malformed = 0;
  private rtcp = 0;
  private lastPacketAt: number | undefined;

  constructor(
    readonly link: RtpLink,
    opts: RtpReceiverOptions = {},
  ) {
    super();
    this.now = opts.now ?? Date.now;
    this.jitter = new JitterBuffer<RtpPacket>({ ...opts.jitter, now: this.now });
    this.ssrc = new SsrcFilter(opts.ssrc, (ssrc, expected, policy) => this.emit('ssrc-mismatch', ssrc, expected, policy));
    link.on('packet', (buf) => this.onPacket(buf));
    link.on('close', () => {
      this.deliver(this.jitter.flush());
      clearInterval(this.timer);
      this.emit('close');
    });
    // Gaps at the tail of a burst wait for the time window even when no packet follows.
    const windowMs = opts.jitter?.windowMs ?? 100;
    this.timer = setInterval(() => this.deliver(this.jitter.poll()), Math.max(10, Math.floor(windowMs / 2)));
    this.timer.unref();
  }

  stats(): RtpReceiverStats {
    return {
      link: { ...this.link.stats },
      jitter: { ...this.jitter.stats },
      ssrc: { ...this.ssrc.stats },
      malformed: this.malformed,
      rtcp: this.rtcp,
      ...(this.lastPacketAt !== undefined ? { lastPacketAt: this.lastPacketAt } : {}),
    };
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private onPacket(buf: Buffer): void {
    if (looksLikeRtcp(buf)) {
      this.rtcp++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = decodeRtp(buf);
    } catch {
      this.malformed++;
      return;
    }
    const verdict = this.ssrc.check(packet.ssrc);
    if (verdict === 'drop') return;
    this.lastPacketAt = this.now();
    if (verdict === 'new-source') {
      this.deliver(this.jitter.flush());
      this.jitter.reset();
      this.emit('source', packet.ssrc);
    }
    this.deliver(this.jitter.push(packet));
  }

  private deliver(released: ReadonlyArray<{ packet: RtpPacket; lostBefore: number }>): void {
    for (const r of released) this.emit('rtp', r.packet, r.lostBefore);
  }
}
