// The cascade's sending end in one call: an RTP link of the transport the upper platform asked
// for, and a fan-out consumer that remuxes the engine's MPEG-TS into PS over RTP on it. The link
// ending (the platform hung up on TCP) ends the consumer; the caller watches `stats()` for the
// other signs of an abandoned stream (sends refused, no RTCP or other packet from the peer).
import type { FanoutSink } from '../mpegts/fanout.js';
import { looksLikeRtcp } from '../rtp/packet.js';
import { openRtpLink, type RtpLink, type RtpLinkOptions, type RtpLinkStats } from '../rtp/transport.js';
import { TsToPs, type TsToPsOptions, type TsToPsStats } from './fromMpegTs.js';

export interface PsStreamSenderOptions extends TsToPsOptions {
  link: RtpLinkOptions;
}

export interface PsStreamSenderStats {
  link: RtpLinkStats;
  ps: TsToPsStats;
  /** RTCP packets from the peer (receiver reports: it is listening). */
  rtcpIn: number;
  /** When the peer last sent anything on the link; undefined before it has. */
  lastPeerPacketAt?: number;
  /** Connected UDP: the peer's port refuses (ICMP port unreachable) now. */
  refusing: boolean;
}

export interface PsStreamSender {
  readonly link: RtpLink;
  /** Subscribe it to the fan-out: `fanout.subscribe(sender.sink)`. */
  readonly sink: FanoutSink;
  /** Resolves when the link has ended (close(), or the peer closed the TCP connection). */
  readonly ended: Promise<void>;
  stats(): PsStreamSenderStats;
  close(): Promise<void>;
}

export async function sendPsStream(opts: PsStreamSenderOptions, now: () => number = Date.now): Promise<PsStreamSender> {
  const link = await openRtpLink(opts.link);
  const { link: _link, ...psOpts } = opts;
  const sink = new TsToPs((packets) => link.send(packets), psOpts);
  let rtcpIn = 0;
  let lastPeerPacketAt: number | undefined;
  link.on('packet', (p) => {
    lastPeerPacketAt = now();
    if (looksLikeRtcp(p)) rtcpIn++;
  });
  const ended = new Promise<void>((resolve) =>
    link.once('close', () => {
      sink.end();
      resolve();
    }),
  );
  return {
    link,
    sink,
    ended,
    stats: () => ({ link: { ...link.stats }, ps: { ...sink.stats }, rtcpIn, refusing: link.refusing, ...(lastPeerPacketAt !== undefined ? { lastPeerPacketAt } : {}) }),
    close: () => link.close(),
  };
}
