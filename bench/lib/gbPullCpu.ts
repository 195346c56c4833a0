// CPU of one GB/T 28181 pull against one RTSP pull of the same clip (1080p25 H.264 4 Mb/s), each
// feeding the same consumer (the source tier pushed to nginx-rtmp, a remux), measured from /proc
// for the gateway's process tree: its own Node process (where GB's RTP receive and PS → MPEG-TS
// run) and its FFmpeg children (an RTSP pull is an FFmpeg child of its own). The cameras run in a
// child process (gbFarmMain.ts) whose CPU is not counted. An idle window gives the baseline.
import crypto from 'node:crypto';
import path from 'node:path';
import type { FfmpegMediaEngine } from '../../src/modules/media/ffmpegEngine.js';
import { pushKey, pushOrder } from '../../src/modules/uplinks/province/pushOrders.js';
import { VIDEO_TYPES, cameraRecordSchema } from '../../src/protocols/province/messages.js';
import type { RtmpServer } from '../../src/sim/rtmp/index.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';
import type { CameraStore } from '../../src/store/cameras.js';
import { onLines, Ring, spawnChild } from './children.js';
import { isBelow } from './context.js';
import { CpuMeter, type CpuReport } from './cpuMeter.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PullCpuRow {
  case: string;
  nodeCores: number;
  ffmpegCores: number;
  ffmpegProcesses: number;
}

export async function measurePullCpu(o: {
  engine: FfmpegMediaEngine;
  store: CameraStore;
  rtmp: RtmpServer;
  gb: { port: number; sipId: string; domain: string; password: string };
  windowS: number;
  progress: (line: string) => void;
}): Promise<PullCpuRow[]> {
  const farm = spawnChild(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/lib/gbFarmMain.ts'), String(o.gb.port), o.gb.sipId, o.gb.domain, o.gb.password], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ring = new Ring();
  onLines(farm.child.stderr, (l) => ring.push(l));
  try {
    const urls = await new Promise<{ rtsp: string; gbDeviceId: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`GB farm: nothing within 180 s — ${ring.tail()}`)), 180_000);
      onLines(farm.child.stdout, (line) => {
        try {
          const msg = JSON.parse(line) as { rtsp?: string; gbDeviceId?: string };
          if (msg.rtsp && msg.gbDeviceId) {
            clearTimeout(timer);
            resolve({ rtsp: msg.rtsp, gbDeviceId: msg.gbDeviceId });
          }
        } catch {
          // not ours
        }
      });
      void farm.exited.then(() => reject(new Error(`GB farm exited — ${ring.tail()}`)));
    });
    const add = (id: string, access: Record<string, string>) => {
      const cameraNum = crypto.randomUUID();
      o.store.put({ id, record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(1, { pushType: 2 }), cameraNum }), access, source: 'cli' });
      return cameraNum;
    };
    const cases: Array<[string, string]> = [
      ['RTSP pull (FFmpeg child)', add('cpu-rtsp', { rtspMain: urls.rtsp })],
      ['GB pull (UDP, PS in-process)', add('cpu-gb', { gbDeviceId: urls.gbDeviceId, gbChannelId: urls.gbDeviceId })],
    ];
    const measure = async (): Promise<CpuReport> => {
      const meter = new CpuMeter((p, _argv, procs) => {
        if (p.pid === process.pid) return 'node';
        if (p.comm === 'ffmpeg' && isBelow(p, process.pid, procs) && !isBelow(p, farm.pid, procs)) return 'ffmpeg';
        return undefined;
      });
      meter.start();
      await sleep(o.windowS * 1000);
      return meter.stop();
    };
    const row = (name: string, r: CpuReport): PullCpuRow => ({ case: name, nodeCores: r.cores['node'] ?? 0, ffmpegCores: r.cores['ffmpeg'] ?? 0, ffmpegProcesses: r.processes['ffmpeg'] ?? 0 });
    o.progress('  idle baseline…');
    const rows = [row('idle (no pull)', await measure())];
    for (const [name, cameraNum] of cases) {
      o.progress(`  ${name}…`);
      const url = o.rtmp.url('rtmp', `cpu-${cameraNum}`);
      await o.engine.start(pushOrder(o.store.byNum(cameraNum)!, VIDEO_TYPES.source, url, {}));
      await sleep(3000); // past the start-up (probe, first GOP)
      rows.push(row(name, await measure()));
      await o.engine.stop(pushKey(cameraNum, VIDEO_TYPES.source));
      await sleep(2000);
    }
    return rows;
  } finally {
    farm.child.stdin?.end();
    await Promise.race([farm.exited, sleep(3000)]);
    await farm.kill(1000);
  }
}
