// Child process of the load benchmark: N simulated ONVIF cameras, each with a 1080p main, a CIF
// sub (128 kb/s) and a 720p third stream (1 Mb/s) whose encoders the gateway sets over ONVIF (camera-side encoding).
// Usage: node --import tsx bench/lib/loadFarmMain.ts N
// Prints {"cameras":[{"main","sub","third","onvif"},…],"onvifCamera":…} on one stdout line, then
// serves until stdin closes or SIGTERM (the same protocol as cameraFarmMain.ts).
import type { ClipSpec } from '../../src/sim/camera/index.js';
import { startSimCamera, type SimCamera } from '../../src/sim/simCamera.js';
import { serveUntilParentGone } from './farmChild.js';

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1 || count > 128) {
  process.stderr.write('usage: loadFarmMain.ts N (1–128)\n');
  process.exit(2);
}

const cams: SimCamera[] = [];
const shutdown = serveUntilParentGone(() => Promise.allSettled(cams.map((c) => c.close())));

try {
  // Streams already at the tiers, so the gateway's SetVideoEncoderConfiguration finds the clip
  // encoded (the sims cache clips by spec): 50 cameras re-encoding at once would time out the ONVIF calls.
  const sub: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 128, gopFrames: 25, seconds: 10 };
  const third: ClipSpec = { codec: 'h264', width: 1280, height: 720, fps: 25, bitrateKbps: 1024, gopFrames: 25, seconds: 10 };
  for (let i = 0; i < count; i++) cams.push(await startSimCamera({ onvif: true, sub, third }));
  const cameras = cams.map((c) => ({ main: c.url('main'), sub: c.url('sub'), third: c.url('third'), onvif: c.onvif!.url }));
  process.stdout.write(`${JSON.stringify({ cameras, onvifCamera: cameras[0] })}\n`);
} catch (err) {
  process.stderr.write(`load camera farm: ${(err as Error).message}\n`);
  await shutdown(1);
}
