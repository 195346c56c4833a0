// The cascade's media port over the media engine: a PS output is a lease on the camera's shared
// pull (the one an RTMP push of the same camera already reads, when there is one: one RTSP
// session per camera stream) remuxed to PS over RTP by sendPsStream, starting from the cached
// GOP. It takes a source-rate slot of the engine's budget, which the province's pushes share.
import type { OutputBudget } from '../media/budget.js';
import type { FrameLease, FrameProvider } from '../media/engine.js';
import { sendPsStream } from '../../protocols/ps/sendStream.js';
import { MediaRefusal, type MediaPort, type PsOutput, type PsOutputRequest } from './ports.js';

/** How the province is told, when it is refused a push for the cascade's outputs. */
const HOLDER = 'PS outputs to upper GB/T 28181 platforms';

export interface EnginePortOptions {
  frames: FrameProvider;
  /** The engine's budget, shared with the province's pushes both ways. */
  budget: Pick<OutputBudget, 'tryAcquire'>;
  /** How long the camera's pull may take to deliver a keyframe (media.first_frame_s). */
  firstFrameMs: number;
  /** TCP active: how long to keep trying to connect to the upper side. */
  connectTimeoutMs?: number;
}

export function engineMediaPort(o: EnginePortOptions): MediaPort & { count(): number } {
  let open = 0;
  return {
    count: () => open,
    async openPs(req: PsOutputRequest): Promise<PsOutput> {
      // A PS output is the camera's own stream sent on: a source-rate output. The slot is held
      // from here, so that INVITEs arriving together cannot pass the limit.
      const slot = o.budget.tryAcquire('source', HOLDER);
      if (!slot.ok) throw new MediaRefusal(486, slot.refused);
      open++;
      let lease: FrameLease | undefined;
      try {
        // Upper platforms watch the full picture: the largest stream already pulled, else main.
        lease = o.frames.frames(req.cameraNum, { prefer: 'largest', orStart: 'main' });
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
        const unsubscribe = held.attach(sender.sink);
        let closed = false;
        const finish = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          held.release();
          slot.release();
          open--;
        };
        void sender.ended.then(finish);
        return {
          localPort: sender.link.localPort,
          codec: held.codec,
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
        slot.release();
        open--;
        throw err;
      }
    },
  };
}
