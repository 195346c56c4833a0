// Child process of the media benchmark: N simulated RTSP cameras (1080p25 4 Mb/s main + CIF sub),
// kept out of the gateway's process so their Node CPU is not charged to it.
// Usage: node --import tsx bench/lib/cameraFarmMain.ts N
// Plus one ONVIF camera of the same streams whose encoder the gateway may set (camera-side encoding).
// Prints {"cameras":[{"main":"rtsp://…","sub":"rtsp://…"},…],"onvifCamera":{…,"onvif":"http://…"}} on one stdout line, then serves until
// stdin closes (the parent is gone) or SIGTERM.
import { MAIN_1080P_H264, startRtspCamera, SUB_CIF_H264, type RtspCamera } from '../../src/sim/camera/index.js';
import { startSimCamera, type SimCamera } from '../../src/sim/simCamera.js';
import { serveUntilParentGone } from './farmChild.js';

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1 || count > 64) {
  process.stderr.write('usage: cameraFarmMain.ts N (1–64)\n');
  process.exit(2);
}

const cams: RtspCamera[] = [];
let onvifCam: SimCamera | undefined;
const shutdown = serveUntilParentGone(() => Promise.allSettled([...cams.map((c) => c.close()), onvifCam?.close()]));

try {
  for (let i = 0; i < count; i++) {
    cams.push(
      await startRtspCamera({
        streams: [
          { path: 'main', clip: MAIN_1080P_H264 },
          { path: 'sub', clip: SUB_CIF_H264 },
        ],
      }),
    );
  }
  onvifCam = await startSimCamera({ main: MAIN_1080P_H264, sub: SUB_CIF_H264, onvif: true });
  const onvifCamera = { main: onvifCam.url('main'), sub: onvifCam.url('sub'), onvif: onvifCam.onvif!.url };
  process.stdout.write(`${JSON.stringify({ cameras: cams.map((c) => ({ main: c.url('main'), sub: c.url('sub') })), onvifCamera })}\n`);
} catch (err) {
  process.stderr.write(`camera farm: ${(err as Error).message}\n`);
  await shutdown(1);
}
