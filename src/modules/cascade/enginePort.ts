// The cascade's media port over the media engine: a PS output is a lease on the camera's shared
// pull (the one an RTMP push of the same camera already reads, when there is one: one RTSP
// session per camera stream) remuxed to PS over RTP by sendPsStream, starting from the cached
// GOP. It counts against the on-demand limit (media.max_outputs) that the province's pushes use.
import type { PullLease, PullPreference } from '../media/ffmpegEngine.js';
import type { StreamName } from '../media/source.js';
import type { PushRegistry } from '../media/pushRegistry.js';
import { sendPsStream } from '../../protocols/ps/sendStream.js';
import { MediaRefusal, type MediaPort, type PsOutput, type PsOutputRequest } from './ports.js';

export interface EnginePortOptions {
  engine: { borrowPull(cameraNum: string, want: PullPreference | StreamName, fallback?: StreamName): PullLease | undefined };
  /** The province's pushes: the limit is shared with them both ways. */
  pushes: Pick<PushRegistry, 'list' | 'otherOutputs'>;
  maxOutputs: number;
  /** How long the camera's pull may take to deliver a keyframe (media.first_frame_s). */
  firstFrameMs: number;
  /** TCP active: how long to keep trying to connect to the upper side. */
  connectTimeoutMs?: number;
}

export function engineMediaPort(o: EnginePortOptions): MediaPort & { count(): number } {
  let open = 0;
  o.pushes.otherOutputs = () => open;
  return {
    count: () => open,
    async openPs(req: PsOutputRequest): Promise<PsOutput> {
      const inUse = o.pushes.list().length + open;
      if (inUse >= o.maxOutputs) throw new MediaRefusal(486, `over capacity: ${inUse} of ${o.maxOutputs} on-demand outputs in use`);
      // The slot is held from here, so that INVITEs arriving together cannot pass the limit.
      open++;
      let lease: PullLease | undefined;
      try {
        // Upper platforms watch the full picture: the largest stream already pulled, else main.
        lease = o.engine.borrowPull(req.cameraNum, 'largest', 'main');
        if (!lease) throw new MediaRefusal(404, 'camera has no stream to play');
        await lease.whenReady(o.firstFrameMs).catch((err: Error) => {
          throw new MediaRefusal(503, `camera gives no video: ${err.message}`);
        });
        const sender = await sendPsStream({
          link: {
            mode: req.mode,
            host: req.host,
            ...(req.mode !== 'tcp-passive' ? { remote: req.remote } : {}),
            // A closed UDP port then shows as refused sends (ICMP), as a gone TCP peer does.
            ...(req.mode === 'udp' ? { udpConnect: true } : {}),
            ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
          },
          ssrc: req.ssrc,
        });
        const held = lease;
        const unsubscribe = held.fanout.subscribe(sender.sink);
        let closed = false;
        const finish = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          held.release();
          open--;
        };
        void sender.ended.then(finish);
        return {
          localPort: sender.link.localPort,
          codec: held.fanout.codec,
          ended: sender.ended,
          stats: () => {
            const s = sender.stats();
            return { frames: s.ps.frames, packets: s.ps.packets, refused: s.ps.refused, rtcpIn: s.rtcpIn, refusing: s.refusing, ...(s.lastPeerPacketAt !== undefined ? { lastPeerPacketAt: s.lastPeerPacketAt } : {}) };
          },
          close: async () => {
            await sender.close();
            finish();
          },
        };
      } catch (err) {
        lease?.release();
        open--;
        throw err;
      }
    },
  };
}
