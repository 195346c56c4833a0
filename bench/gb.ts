// GB/T 28181 end to end through the gateway's own path: prints figures, asserts nothing.
// `npm run bench:gb` runs this, then bench/gb-sip.ts (registrations + keep-alives/s for 500
// devices) and bench/gb-media.ts (PS demux first frame, CPU vs FFmpeg, loss 0.1/1/5 %).
// Options: --runs N (default 20), --cpu-only (skip the first-frame runs), --window S (CPU window, default 20).
//
// INVITE → first decodable frame at the RTMP server: the gateway's registrar and media engine,
// a simulated GB camera (CIF H.264 25 fps, GOP 2 s, PS over RTP/UDP) on 127.0.0.1, the real
// nginx-rtmp server and an FFmpeg reader. Cold: no pull open (the on-demand push sends the
// INVITE). Warm: a constant push holds the channel's pull open (first frame from the GOP cache).
//
// CPU per GB pull against an RTSP pull of the same 1080p clip: see bench/lib/gbPullCpu.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { configSchema } from '../src/config/schema/index.js';
import { silentLogger } from '../src/log.js';
import { cameraStreamsOf } from '../src/modules/cameraEncoding/cameraStreams.js';
import { GatewayBus } from '../src/modules/events.js';
import { sourceKindOf } from '../src/modules/media/source.js';
import { FfmpegMediaEngine } from '../src/modules/media/ffmpegEngine.js';
import { createMediaRuntime } from '../src/modules/media/runtime.js';
import { startGbService } from '../src/modules/gb28181/service.js';
import { constantKey, constantOrder } from '../src/modules/uplinks/province/constantPush.js';
import { pushKey, pushOrder } from '../src/modules/uplinks/province/pushOrders.js';
import { VIDEO_TYPES, cameraRecordSchema } from '../src/protocols/province/messages.js';
import { SUB_CIF_H264 } from '../src/sim/camera/index.js';
import { GbCameraSim } from '../src/sim/gb28181/index.js';
import { startRtmpServer, waitFirstFrame } from '../src/sim/rtmp/index.js';
import { sampleCameraRecordFields } from '../src/sim/sampleCamera.js';
import { CameraStore } from '../src/store/cameras.js';
import { openDb } from '../src/store/db.js';
import { measurePullCpu } from './lib/gbPullCpu.js';
import { max, median, round, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 20;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs needs a whole number ≥ 1');
const CPU_ONLY = argv.includes('--cpu-only');
const windowAt = argv.indexOf('--window');
const WINDOW_S = windowAt >= 0 ? Number(argv[windowAt + 1]) : 20;
if (!(WINDOW_S >= 5)) throw new Error('--window needs seconds ≥ 5');

const log = silentLogger();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-gb-'));
const db = openDb(dir);
const gbConfig = { ...configSchema.shape.gb28181.parse({}), enabled: true, listen: '127.0.0.1:0', password: 'bench-pass', media_port_min: 46000, media_port_max: 46199 };
const media = { ...configSchema.shape.media.parse(undefined), hardware: 'off' as const, x264_preset: 'ultrafast' as const, source_linger_s: 0 };
const gb = await startGbService({ config: gbConfig, db, log });
const rtmp = await startRtmpServer();
const runtime = await createMediaRuntime(media, log);
const store = new CameraStore(db);
const engine = new FfmpegMediaEngine({ runtime, config: media, cameras: store, streams: cameraStreamsOf(db, 'gateway'), events: new GatewayBus(), sourceKinds: [sourceKindOf('gb28181', () => gb.pullFactory(media))], log });
const sim = await GbCameraSim.start({
  deviceId: '44010000041320000001',
  password: 'bench-pass',
  registrar: { address: '127.0.0.1', port: gb.registrar.port, transport: 'UDP', serverId: gbConfig.sip_id, domain: gbConfig.domain },
  channels: 0,
  clip: SUB_CIF_H264,
});
await sim.device.register(3600);
const cameraNum = crypto.randomUUID();
store.put({
  id: 'gb',
  record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(1, { pushType: 2 }), cameraNum }),
  access: { gbDeviceId: sim.deviceId, gbChannelId: sim.deviceId },
  source: 'cli',
});

async function firstFrameMs(tag: string): Promise<number> {
  const url = rtmp.url('rtmp', `${tag}-${Date.now()}`);
  const reader = waitFirstFrame(url, { timeoutMs: 30_000 });
  try {
    await reader.ready;
    const begin = Date.now();
    await engine.start(pushOrder(store.byNum(cameraNum)!, VIDEO_TYPES.source, url, {}));
    const first = await reader.firstFrame;
    return first - begin;
  } finally {
    await reader.close();
    await engine.stop(pushKey(cameraNum, VIDEO_TYPES.source));
  }
}

const idle = async () => {
  const started = Date.now();
  while (engine.sourceStatus(cameraNum, 'main')?.state !== 'idle' || sim.activeStreams() > 0) {
    if (Date.now() - started > 10_000) throw new Error('pull not closed after stop');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const cold: number[] = [];
const warm: number[] = [];
if (!CPU_ONLY) {
  for (let i = 0; i < RUNS; i++) {
    cold.push(await firstFrameMs('cold'));
    await idle();
  }
  const cam = store.byNum(cameraNum)!;
  await engine.start(constantOrder(cam, async () => rtmp.url('rtmp', `hold-${cameraNum}`), () => ({})));
  await new Promise((r) => setTimeout(r, 3000)); // the constant push's pull is running and its GOP cached
  for (let i = 0; i < RUNS; i++) warm.push(await firstFrameMs('warm'));
  // Let go of the warm runs' pull before the CPU comparison.
  await engine.stop(constantKey(cameraNum));
  await idle();
}
const invites = sim.invites.length;
const cpuRows = await measurePullCpu({
  engine,
  store,
  rtmp,
  gb: { port: gb.registrar.port, sipId: gbConfig.sip_id, domain: gbConfig.domain, password: gbConfig.password },
  windowS: WINDOW_S,
  progress: (line) => console.error(line),
});

await engine.close();
await sim.close();
await gb.stop();
await rtmp.close();
db.close();
fs.rmSync(dir, { recursive: true, force: true });

if (!CPU_ONLY) {
  console.log(`GB/T 28181 INVITE → first decodable frame at the RTMP server (source tier, CIF H.264 25 fps GOP 2 s, PS/RTP over UDP, ${RUNS} runs each)`);
  console.log(
    table([
      ['case', 'median ms', 'worst ms'],
      ['cold (INVITE sent by the push)', round(median(cold), 0), round(max(cold), 0)],
      ['warm (pull already open)', round(median(warm), 0), round(max(warm), 0)],
    ]),
  );
  console.log(`INVITEs sent: ${invites} (expected ${RUNS + 1}: one per cold run, one for all warm runs)`);
}
console.log(`\nCPU per pull, same clip (1080p25 H.264 4 Mb/s) feeding the same consumer (source tier remuxed to nginx-rtmp), ${WINDOW_S} s windows`);
console.log(`(gateway process tree from /proc: its Node process and its FFmpeg children; the cameras run in a separate process)`);
const idleNode = cpuRows[0]!.nodeCores;
console.log(
  table([
    ['case', 'node % core', 'ffmpeg % core', 'ffmpeg procs', 'total % core', 'above idle % core'],
    ...cpuRows.map((r) => [
      r.case,
      round(r.nodeCores * 100, 1),
      round(r.ffmpegCores * 100, 1),
      String(r.ffmpegProcesses),
      round((r.nodeCores + r.ffmpegCores) * 100, 1),
      round((r.nodeCores - idleNode + r.ffmpegCores) * 100, 1),
    ]),
  ]),
);
process.exit(0);
