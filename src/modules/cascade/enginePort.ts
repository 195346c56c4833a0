// The cascade's media port over the media engine: a PS output is an engine output of tier
// 'source' into a TS sink, which sendPsStream remuxes to PS over RTP. The engine feeds it from the
// camera's shared pull (the one an RTMP push of the same camera already reads, when there is one:
// one RTSP session per camera stream), from the cached GOP on, and holds its source-rate slot of
// the budget the province's pushes share.
import { sendPsStream, type PsStreamSender } from '../../protocols/ps/sendStream.js';
import type { StoredCamera } from '../../store/cameras.js';
import { OutputRefusedError } from '../media/budget.js';
import { CameraFaultError, type MediaEngine, type OutputStarted } from '../media/engine.js';
import { MediaRefusal, type MediaPort, type PsOutput, type PsOutputRequest } from './ports.js';

/** How the province is told, when it is refused a push for the cascade's outputs. */
const HOLDER = 'PS outputs to upper GB/T 28181 platforms';

export interface EnginePortOptions {
  engine: MediaEngine;
  /** The camera a request names; undefined when it is not registered. */
  camera(cameraNum: string): StoredCamera | undefined;
  /** TCP active: how long to keep trying to connect to the upper side. */
  connectTimeoutMs?: number;
}

/** The SIP status an upper platform is told for an engine refusal. */
function refusalOf(err: unknown): unknown {
  if (err instanceof OutputRefusedError) return new MediaRefusal(486, err.message);
  if (err instanceof CameraFaultError) return err.fault === 'no-stream' ? new MediaRefusal(404, err.message) : new MediaRefusal(503, `camera gives no video: ${err.message}`);
  return err;
}

export function engineMediaPort(o: EnginePortOptions): MediaPort {
  let outputs = 0;
  return {
    async openPs(req: PsOutputRequest): Promise<PsOutput> {
      const camera = o.camera(req.cameraNum);
      if (!camera) throw new MediaRefusal(404, 'camera has no stream to play');
      const key = `ps:${req.cameraNum}:${req.ssrc}:${++outputs}`;
      let sender: PsStreamSender | undefined;
      const open = async () => {
        sender = await sendPsStream({
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
        return sender.sink;
      };
      let started: OutputStarted;
      try {
        started = await o.engine.start({ key, camera, tier: 'source', sink: { kind: 'ts', open }, params: {}, holder: HOLDER });
      } catch (err) {
        await sender?.close();
        throw refusalOf(err);
      }
      const s = sender!;
      const finish = () => o.engine.stop(key);
      void s.ended.then(finish);
      return {
        localPort: s.link.localPort,
        codec: started.codec,
        ended: s.ended,
        stats: () => {
          const x = s.stats();
          return { frames: x.ps.frames, packets: x.ps.packets, refused: x.ps.refused, rtcpIn: x.rtcpIn, refusing: x.refusing, ...(x.lastPeerPacketAt !== undefined ? { lastPeerPacketAt: x.lastPeerPacketAt } : {}) };
        },
        close: async () => {
          await s.close();
          await finish();
        },
      };
    },
  };
}
