// GB/T 28181 cascade (issue 11): prints figures, asserts nothing. Part of `npm run bench:gb`.
// The gateway's cascade link and media engine (FFmpeg pulling a simulated RTSP camera, 1080p
// H.264 25 fps 4 Mb/s GOP 2 s), the upper-platform simulator in the same process, 127.0.0.1.
//  1. upper-side INVITE → first picture decoded by an FFmpeg at the upper side (started before
//     the INVITE), PS over RTP on UDP and on TCP (the upper side listening), the camera's pull already open (GOP
//     cache): median and worst;
//  2. CPU per PS output (the remux, plus the simulator receiving it: same process) against the
//     CPU of the FFmpeg child doing the province's RTMP copy of the same stream;
//  3. 30 concurrent PS outputs of one camera for 10 s: frames delivered per output.
// Options: --runs N (default 20), --outputs N (default 30).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { cascadePlatformSchema } from '../src/config/schema/cascade.js';
import { configSchema } from '../src/config/schema/index.js';
import { silentLogger } from '../src/log.js';
import { engineMediaPort } from '../src/modules/cascade/enginePort.js';
import { startCascade } from '../src/modules/cascade/service.js';
import { cameraStreamsOf } from '../src/modules/cameraEncoding/cameraStreams.js';
import { GatewayBus } from '../src/modules/events.js';
import { FfmpegMediaEngine } from '../src/modules/media/ffmpegEngine.js';
import { PushRegistry } from '../src/modules/uplinks/province/pushOrders.js';
import { createMediaRuntime } from '../src/modules/media/runtime.js';
import { VIDEO_TYPES, cameraRecordSchema } from '../src/protocols/province/messages.js';
import { MAIN_1080P_H264, startRtspCamera } from '../src/sim/camera/index.js';
import { GbUpperPlatformSim } from '../src/sim/gbPlatform/index.js';
import { startRtmpServer } from '../src/sim/rtmp/index.js';
import { sampleCameraRecordFields } from '../src/sim/sampleCamera.js';
import { CameraStore } from '../src/store/cameras.js';
import { CascadeCodeStore } from '../src/store/cascadeCodes.js';
import { openDb } from '../src/store/db.js';
import { max, median, round, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const at = argv.indexOf(name);
  const v = at >= 0 ? Number(argv[at + 1]) : def;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a whole number ≥ 1`);
  return v;
};
const RUNS = opt('--runs', 20);
const OUTPUTS = opt('--outputs', 30);
const SUSTAIN_S = 10;
const CPU_S = 10;
const TICKS = 100; // USER_HZ on Linux

const log = silentLogger();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-cascade-'));
const db = openDb(dir);
const media = { ...configSchema.shape.media.parse(undefined), hardware: 'off' as const, max_outputs: OUTPUTS + 2, max_source: OUTPUTS + 2, source_linger_s: 5 };
const rtmp = await startRtmpServer();
const runtime = await createMediaRuntime(media, log);
const store = new CameraStore(db);
const engine = new FfmpegMediaEngine({ runtime, config: media, cameras: store, streams: cameraStreamsOf(db, 'gateway'), events: new GatewayBus(), log });
const cam = await startRtspCamera({ streams: [{ path: 'main', clip: MAIN_1080P_H264 }] });
const cameraNum = crypto.randomUUID();
store.put({ id: 'bench', record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(1, { pushType: 2 }), cameraNum }), access: { ip: '127.0.0.1', rtspMain: cam.url('main') }, source: 'cli' });
const push = new PushRegistry(engine, media, log);

const UPPER = '44000000002000000001';
const LOCAL = '44020000002000000001';
const sim = await GbUpperPlatformSim.start({ serverId: UPPER, domain: '4400000000', passwordOf: () => 'bench' });
const cascade = startCascade({
  platforms: [
    cascadePlatformSchema.parse({
      name: 'bench',
      upper_id: UPPER,
      upper_domain: '4400000000',
      upper_address: '127.0.0.1',
      upper_port: sim.port,
      local_id: LOCAL,
      local_address: '127.0.0.1',
      local_port: 0,
      password: 'bench',
      segments: [
        { from: '44020000002160000001', to: '44020000002160000099' },
        { from: '44020000001320000001', to: '44020000001320000099' },
      ],
    }),
  ],
  cameras: { cameras: () => store.all().map((c) => ({ id: c.id, record: c.record })) },
  state: { isOnline: () => true, onChange: () => () => undefined },
  ptz: { control: async () => ({ ok: false, message: 'not benchmarked' }) },
  media: engineMediaPort({ engine, camera: (num) => store.byNum(num) }),
  codes: new CascadeCodeStore(db),
  log,
});
await cascade.start();
await sim.until(() => sim.lowers.has(LOCAL), 10_000, 'registration');
const channel = (await sim.queryCatalog(LOCAL)).channels[0]!.deviceId;

// Holds the camera's pull open with its GOP cached, as a province push or a watching platform does.
const hold = engine.frames(cameraNum, { stream: 'main' })!;
await hold.whenReady(15_000);

// 1. INVITE → first decoded picture.
const TRANSPORTS = ['udp', 'tcp-passive'] as const;
const firsts = new Map<string, number[]>(TRANSPORTS.map((x) => [x, []]));
const decoded = new Map<string, number[]>(TRANSPORTS.map((x) => [x, []]));
for (const transport of TRANSPORTS) {
  for (let i = 0; i < RUNS; i++) {
    const play = await sim.invite(LOCAL, channel, transport, { decode: true, keep: false });
    firsts.get(transport)!.push(await play.firstMedia);
    decoded.get(transport)!.push(await play.firstDecoded!);
    await play.bye();
  }
}

// 2. CPU: this process (gateway + simulator) with 1 PS output vs none, and the RTMP copy's FFmpeg.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const procCpuMs = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idleStart = cpuMs();
await sleep(CPU_S * 1000);
const idleMs = cpuMs() - idleStart;
const one = await sim.invite(LOCAL, channel, 'udp', { keep: false });
await one.firstMedia;
const oneStart = cpuMs();
await sleep(CPU_S * 1000);
const oneMs = cpuMs() - oneStart;
await one.bye();
const pubName = `copy-${Date.now()}`;
await push.begin({ cameraNum, videoType: VIDEO_TYPES.source, serverIp: '127.0.0.1', serverPort: rtmp.port, pubName }, store.byNum(cameraNum)!);
const copyPid = fs
  .readdirSync('/proc')
  .filter((d) => /^\d+$/.test(d))
  .find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pubName);
    } catch {
      return false;
    }
  });
let copyMs = NaN;
if (copyPid) {
  await sleep(2000);
  const c0 = procCpuMs(Number(copyPid));
  await sleep(CPU_S * 1000);
  copyMs = procCpuMs(Number(copyPid)) - c0;
}
await push.stopAll();

// 3. OUTPUTS concurrent PS outputs.
const plays = [];
for (let i = 0; i < OUTPUTS; i++) plays.push(await sim.invite(LOCAL, channel, 'udp', { keep: false }));
await Promise.all(plays.map((p) => p.firstMedia));
const frames0 = cascade.status()[0]!.streams.map((s) => s.frames);
const manyStart = cpuMs();
await sleep(SUSTAIN_S * 1000);
const manyMs = cpuMs() - manyStart;
const rates = cascade.status()[0]!.streams.map((s, i) => (s.frames - (frames0[i] ?? 0)) / SUSTAIN_S);
const refused = cascade.status()[0]!.streams.length;
for (const p of plays) await p.bye();

hold.release();
await cascade.stop();
await sim.close();
await engine.close();
await cam.close();
await rtmp.close();
db.close();
fs.rmSync(dir, { recursive: true, force: true });

const perS = (ms: number, s: number) => round(ms / s, 1);
console.log(`GB/T 28181 cascade: upper-side INVITE → media (1080p H.264 25 fps 4 Mb/s GOP 2 s, PS/RTP on 127.0.0.1, pull already open, ${RUNS} runs per transport)`);
console.log(
  table([
    ['measure', 'median ms', 'worst ms'],
    ...TRANSPORTS.flatMap((x) => [
      [`${x}: first MPEG-TS out of the received PS`, round(median(firsts.get(x)!), 0), round(max(firsts.get(x)!), 0)],
      [`${x}: first picture decoded by FFmpeg at the upper side`, round(median(decoded.get(x)!), 0), round(max(decoded.get(x)!), 0)],
    ]),
  ]),
);
console.log(`\nCPU, ms per second of wall time (${CPU_S} s each):`);
console.log(
  table([
    ['case', 'CPU ms/s'],
    ['gateway+simulator process, no output (pull held)', perS(idleMs, CPU_S)],
    ['same, 1 PS output (remux + the simulator receiving it)', perS(oneMs, CPU_S)],
    ['→ one PS output costs', perS(oneMs - idleMs, CPU_S)],
    ['FFmpeg RTMP copy child of the same stream (province push, source tier)', perS(copyMs, CPU_S)],
    [`gateway+simulator process, ${OUTPUTS} PS outputs`, perS(manyMs, SUSTAIN_S)],
  ]),
);
console.log(`\n${OUTPUTS} concurrent PS outputs for ${SUSTAIN_S} s: ${refused} running; frames/s per output min ${round(Math.min(...rates), 1)}, median ${round(median(rates), 1)} (source 25)`);
process.exit(0);
