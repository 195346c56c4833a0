// The data disk full (issue 15, item 6): the data dir is a small tmpfs of its own. Filled to
// under snapshots.min_free_mb, snapshots are pruned and skipped while the database and the
// outbox keep working; filled to the last block, the daemon stays up and `vcgw doctor` says
// the disk is full; with room again, reports flow again.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { Agent, request } from 'undici';
import { runCli } from '../../src/cli/main.js';
import { startRtspCamera } from '../../src/sim/camera/index.js';
import { cameraEntry, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { runGateway, type GatewayChild } from '../helpers/gateway.js';
import { until } from '../helpers/media.js';

const keys = generateSm2KeyPair();
const DISK_MB = 48;
const MIN_FREE_MB = 16;

function jpegs(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.jpg')).length;
}

/** Writes `file` until the filesystem has `leaveMb` left (0: until it refuses). */
function fill(file: string, leaveMb: number): void {
  const fd = fs.openSync(file, 'a');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) {
      const st = fs.statfsSync(path.dirname(file));
      if ((st.bavail * st.bsize) / 1048576 <= leaveMb + 0.25 && leaveMb > 0) return;
      fs.writeSync(fd, chunk);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

async function doctor(configFile: string): Promise<{ result: string; detail: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await runCli(['--config', configFile, 'doctor', '--json'], out, new PassThrough());
  const checks = (JSON.parse(text) as { checks: Array<{ check: string; result: string; detail: string }> }).checks;
  return checks.find((c) => c.check === 'data disk')!;
}

t.test('data disk full: snapshots pruned and skipped, database and outbox keep working, the daemon stays up', async (t) => {
  const base = t.testdir();
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m`, 'tmpfs', mountPoint]);
  let gw: GatewayChild | undefined;
  // One teardown, in this order: the daemon, then the file system it wrote to.
  t.teardown(async () => {
    gw?.child.kill('SIGKILL');
    await gw?.exited;
    execFileSync('umount', [mountPoint]);
    fs.rmdirSync(mountPoint);
  });
  const dataDir = path.join(mountPoint, 'data');
  const camera = await startRtspCamera({ streams: [{ path: 'sub', clip: { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 25, seconds: 4 } }] });
  t.teardown(() => camera.close());
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const files = await writeGatewayConfig(
    base,
    sim,
    keys,
    {
      gateway: { data_dir: dataDir },
      monitor: { tls: false },
      snapshots: { enabled: true, interval_s: 10, min_free_mb: MIN_FREE_MB },
      quality: { enabled: false },
    },
    [1, 2, 3].map((i) => cameraEntry(i, { rtspSub: camera.url('sub'), pushType: 2 })),
  );
  gw = runGateway(files.configFile);
  const daemon = gw;
  const snapDir = path.join(dataDir, 'snapshots');
  await until('snapshots on disk', () => jpegs(snapDir) >= 3, 40_000);
  t.equal((await doctor(files.configFile)).result, 'ok', 'doctor: the data disk is fine at first');

  const { parse } = await import('smol-toml');
  const monitorUrl = `http://${(parse(fs.readFileSync(files.configFile, 'utf8')) as { monitor: { listen: string } }).monitor.listen}`;
  const agent = new Agent();
  t.teardown(() => agent.close());
  const cameraNum = [...sim.cameras().keys()][0]!;
  const post = async () => {
    const eventId = `20261206_${cameraNum}_${crypto.randomUUID()}`;
    const res = await request(`${monitorUrl}/monitor/video.ReportAnalyse`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ eventId, deviceCode: cameraNum, detectTime: '2026-12-06 09:20:23', Location: 'K1', latLong: '113.1/23.1', mediaUrl: 'https://det/1.mp4', eventType: 0 }] }),
    });
    return { eventId, code: ((await res.body.json()) as { code: number }).code };
  };
  const delivered = (eventId: string) =>
    sim.received({ path: '/service/video.ReportAnalyse' }).some((r) => r.code === 200 && (r.body as { data: Array<{ eventId: string }> }).data.some((e) => e.eventId === eventId));

  // A: something else fills the disk to under min_free_mb.
  const filler = path.join(mountPoint, 'filler');
  fill(filler, MIN_FREE_MB / 2);
  const filledAt = Date.now();
  await until('the snapshots pruned', () => jpegs(snapDir) === 0, 30_000);
  t.comment(`nearly full (${MIN_FREE_MB / 2} MB free): every snapshot pruned ${Date.now() - filledAt} ms after`);
  const a = await post();
  t.equal(a.code, 200, 'nearly full: the monitor queues an event (the database takes it)');
  await until('the event delivered', () => delivered(a.eventId), 15_000);
  const skippedFrom = Date.now();
  await new Promise((r) => setTimeout(r, 12_000)); // a whole snapshot interval
  t.equal(jpegs(snapDir), 0, `no snapshot written in the ${Date.now() - skippedFrom} ms since: they are skipped`);
  t.equal((await doctor(files.configFile)).result, 'warn', 'doctor warns: under min_free_mb');

  // B: filled to the last block.
  fill(filler, 0);
  const b = await post();
  t.comment(`full: the monitor answered ${b.code}`);
  t.ok([200, 500].includes(b.code), 'full: the event is answered (queued, or refused with an error), not dropped silently');
  const full = await doctor(files.configFile);
  t.equal(full.result, 'FAIL', `doctor: ${full.detail}`);
  await new Promise((r) => setTimeout(r, 3000)); // the periodic writers (status, state) meet the full disk
  t.equal(daemon.child.exitCode, null, 'the daemon is still running', { stderr: daemon.child.exitCode === null ? '' : daemon.stderr().slice(-4000) });

  // C: room again.
  fs.rmSync(filler);
  const c = await post();
  t.equal(c.code, 200, 'room again: events are queued');
  await until('the event delivered', () => delivered(c.eventId), 15_000);
  t.equal(daemon.child.exitCode, null, 'the daemon never stopped');
});
