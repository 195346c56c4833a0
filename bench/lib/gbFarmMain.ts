// Child process of bench/gb.ts's CPU comparison: the same clip served by a simulated RTSP camera
// and by a simulated GB/T 28181 camera (PS over RTP on INVITE) registered to the gateway at
// 127.0.0.1:PORT, kept out of the gateway's process so their CPU is not charged to it.
// Usage: node --import tsx bench/lib/gbFarmMain.ts PORT SIP_ID DOMAIN PASSWORD
// Prints {"rtsp":"rtsp://…","gbDeviceId":"…"} on one stdout line once registered, then serves until stdin closes or SIGTERM.
import { MAIN_1080P_H264, startRtspCamera, type RtspCamera } from '../../src/sim/camera/index.js';
import { GbCameraSim } from '../../src/sim/gb28181/index.js';
import { serveUntilParentGone } from './farmChild.js';

export const GB_FARM_DEVICE = '44010000041320000009';
const [port, serverId, domain, password] = process.argv.slice(2);
let rtsp: RtspCamera | undefined;
let gb: GbCameraSim | undefined;
const shutdown = serveUntilParentGone(() => Promise.allSettled([rtsp?.close(), gb?.close()]));

try {
  rtsp = await startRtspCamera({ streams: [{ path: 'main', clip: MAIN_1080P_H264 }] });
  gb = await GbCameraSim.start({
    deviceId: GB_FARM_DEVICE,
    password: password!,
    registrar: { address: '127.0.0.1', port: Number(port), transport: 'UDP', serverId: serverId!, domain: domain! },
    channels: 0,
    clip: MAIN_1080P_H264,
  });
  const reg = await gb.device.register(3600);
  if (!reg.ok) throw new Error(`GB registration refused: ${reg.status} ${reg.reason}`);
  gb.device.startKeepalive(30_000);
  process.stdout.write(`${JSON.stringify({ rtsp: rtsp.url('main'), gbDeviceId: GB_FARM_DEVICE })}\n`);
} catch (err) {
  process.stderr.write(`GB farm: ${(err as Error).message}\n`);
  await shutdown(1);
}
