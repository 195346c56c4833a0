// A complete GB/T 28181 camera or NVR: the signalling simulator (GbDeviceSim) with the media
// streamer behind its INVITE hook, so an INVITE over any transport gets PS over RTP from a
// pre-encoded clip until BYE. Used by tests, benchmarks, the demo and `vcgw sim gb-device`.
import { parseGbSsrc } from '../../protocols/rtp/ssrc.js';
import type { MediaTransport } from '../../protocols/gb28181/index.js';
import type { ClipSpec } from '../camera/index.js';
import { GbDeviceSim, type GbDeviceOptions } from './device.js';
import { startGbMediaStream, type GbMediaQuirks, type GbMediaStream } from './mediaStreamer.js';
import { startUdpImpairment, type UdpImpairment } from '../udpImpairment.js';

export interface GbCameraSimOptions extends Omit<GbDeviceOptions, 'onInvite'> {
  clip: ClipSpec;
  media?: GbMediaQuirks;
  /** Address the device's media comes from / listens on. */
  mediaHost?: string;
  /** UDP media crosses a link that loses and reorders datagrams (seeded): what a receiver's loss figures are tested on. */
  lossyLink?: { lossRate: number; reorderRate?: number; seed?: number };
}

/** The device's side for the platform's offer: the platform listening means the device connects. */
function deviceSide(offer: MediaTransport): MediaTransport {
  return offer === 'tcp-passive' ? 'tcp-active' : offer === 'tcp-active' ? 'tcp-passive' : 'udp';
}

export class GbCameraSim {
  /** INVITEs answered, in order: channel and the platform's transport. */
  readonly invites: { channelId: string; transport: MediaTransport; ssrc: string | undefined }[] = [];
  private readonly streams = new Set<GbMediaStream>();
  private muted = false;

  private constructor(readonly device: GbDeviceSim) {}

  static async start(opts: GbCameraSimOptions): Promise<GbCameraSim> {
    let self: GbCameraSim | undefined;
    const device = await GbDeviceSim.start({
      ...opts,
      onInvite: async (call) => {
        const cam = self!;
        if (cam.muted) return { status: 486 };
        const transport = deviceSide(call.offer.transport);
        const ssrc = call.offer.ssrc ? parseGbSsrc(call.offer.ssrc) : 0;
        cam.invites.push({ channelId: call.channelId, transport: call.offer.transport, ssrc: call.offer.ssrc });
        let stream: GbMediaStream;
        let link: UdpImpairment | undefined;
        try {
          let dest = { address: call.offer.address, port: call.offer.port };
          if (opts.lossyLink && transport === 'udp') {
            link = await startUdpImpairment({ target: dest, host: opts.mediaHost ?? '127.0.0.1', ...opts.lossyLink });
            dest = { address: opts.mediaHost ?? '127.0.0.1', port: link.port };
          }
          stream = await startGbMediaStream({ clip: opts.clip, quirks: opts.media, host: opts.mediaHost ?? '127.0.0.1', dest: { ...dest, ssrc, transport } });
        } catch {
          await link?.close();
          return { status: 500 };
        }
        cam.streams.add(stream);
        void stream.ended.then(() => {
          cam.streams.delete(stream);
          return link?.close();
        });
        call.dialog.then(
          (d) => d.onEnd(() => void stream.stop()),
          () => void stream.stop(),
        );
        return {
          answer: {
            ...call.offer,
            username: call.channelId,
            address: opts.mediaHost ?? '127.0.0.1',
            port: stream.localPort,
            direction: 'sendonly',
            transport,
            rtpmaps: call.offer.rtpmaps.filter((m) => m.encoding === 'PS'),
          },
        };
      },
    });
    self = new GbCameraSim(device);
    return self;
  }

  get deviceId(): string {
    return this.device.deviceId;
  }

  /** Streams being sent now. */
  activeStreams(): number {
    return this.streams.size;
  }

  /**
   * Media loss as in the field (a cable, a reboot of the encoder): every stream stops without a
   * BYE, and new INVITEs are refused until `unmute()`.
   */
  async muteMedia(): Promise<void> {
    this.muted = true;
    await Promise.all([...this.streams].map((s) => s.stop()));
  }

  unmute(): void {
    this.muted = false;
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams].map((s) => s.stop()));
    await this.device.close();
  }
}
