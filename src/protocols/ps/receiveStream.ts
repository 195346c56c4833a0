// The device side's receiving end in one call: an RTP link of the INVITE's transport, the
// receiver (SSRC policy, reorder window, loss count) and PS → MPEG-TS, wired together. A new
// source (the device restarted its stream with another SSRC) starts the demuxer over.
import { RtpReceiver, type RtpReceiverOptions, type RtpReceiverStats } from '../rtp/receiver.js';
import { openRtpLink, type RtpLink, type RtpLinkOptions } from '../rtp/transport.js';
import { PsToMpegTs, type PsToMpegTsOptions, type PsToMpegTsStats } from './toMpegTs.js';

export interface PsStreamReceiverOptions extends RtpReceiverOptions {
  link: RtpLinkOptions;
  convert?: PsToMpegTsOptions;
  /** MPEG-TS out, e.g. TsFanout.push. */
  onTs: (ts: Buffer) => void;
  /** The stream restarted with a new SSRC: timestamps jump, e.g. reset the fan-out. */
  onRestart?: () => void;
}

export interface PsStreamReceiver {
  readonly link: RtpLink;
  readonly receiver: RtpReceiver;
  /** `ps` counts since the current source started. */
  stats(): { rtp: RtpReceiverStats; ps: PsToMpegTsStats };
  /** Closes the link (releasing its port). */
  close(): Promise<void>;
}

export async function receivePsStream(opts: PsStreamReceiverOptions): Promise<PsStreamReceiver> {
  const link = await openRtpLink(opts.link);
  const receiver = new RtpReceiver(link, opts);
  let convert = new PsToMpegTs(opts.onTs, opts.convert);
  let sources = 0;
  receiver.on('source', () => {
    if (sources++ > 0) {
      convert.flush();
      convert = new PsToMpegTs(opts.onTs, opts.convert);
      opts.onRestart?.();
    }
  });
  receiver.on('rtp', (packet, lost) => convert.pushRtp(packet, lost));
  return {
    link,
    receiver,
    stats: () => ({ rtp: receiver.stats(), ps: convert.stats() }),
    close: () => receiver.close(),
  };
}
