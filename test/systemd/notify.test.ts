// `vcgw run` speaking sd_notify to a notify socket the test owns, as systemd's Type=notify unit
// sees it: READY=1 once the API answers, WATCHDOG=1 at half of WATCHDOG_USEC from the event
// loop (and none while the loop is stuck), STOPPING=1 on SIGTERM and no FFmpeg left at exit.
import https from 'node:https';
import path from 'node:path';
import t from 'tap';
import { childPids } from '../../src/modules/systemd/stop.js';
import { serviceManager } from '../../src/modules/systemd/notify.js';
import { SUB_CIF_H264, startRtspCamera } from '../../src/sim/camera/index.js';
import { startRtmpServer } from '../../src/sim/rtmp/index.js';
import { cameraEntry, freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { gatewayFor, processAlive } from '../helpers/gateway.js';
import { until } from '../helpers/media.js';
import { listenNotifySocket } from '../helpers/notifySocket.js';
import { parseSamples, scrape, valueOf } from '../helpers/prometheus.js';

const keys = generateSm2KeyPair();
const BLOCKER = path.resolve(import.meta.dirname, '../fixtures/block-loop-on-sigusr2.mjs');
const WATCHDOG_MS = 3000;
const BLOCK_MS = 2 * WATCHDOG_MS;

/** One HTTPS request to the API; resolves with the status code (any code means it answered). */
function apiAnswers(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}/`, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('API request timed out')));
  });
}

t.test('serviceManager outside systemd does nothing and needs no addon', async (t) => {
  const m = serviceManager({});
  t.equal(m.notifying, false);
  t.equal(m.startWatchdog(), undefined);
});

t.test('serviceManager sends READY/STATUS/STOPPING; no watchdog for another PID', async (t) => {
  const sock = await listenNotifySocket();
  t.teardown(() => sock.close());
  // sd_notify reads the socket from the environment of this process.
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  process.env.NOTIFY_SOCKET = sock.path;
  process.env.WATCHDOG_USEC = '1000000';
  process.env.WATCHDOG_PID = String(process.pid + 1);
  const m = serviceManager(process.env);
  t.equal(m.notifying, true);
  t.equal(m.startWatchdog(), undefined, 'WATCHDOG_PID names another process: not ours to feed');
  m.ready('up\nand running');
  const ready = await sock.next('READY', '1', 5000);
  t.same(ready.fields, { READY: '1', STATUS: 'up and running', MAINPID: String(process.pid) }, 'one-line STATUS, our PID');
  m.stopping('bye');
  const stopping = await sock.next('STOPPING', '1', 5000);
  t.equal(stopping.fields.STATUS, 'bye');
});

t.test('vcgw run under a notify socket', async (t) => {
  const rtmpPort = await freePort();
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const sim = await startSim(keys, { rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/rtmp`, gatewayUrl: `https://127.0.0.1:${apiPort}` });
  t.teardown(() => sim.close());
  const rtmp = await startRtmpServer({ port: rtmpPort });
  t.teardown(() => rtmp.close());
  const cam = await startRtspCamera({ streams: [{ path: 'main', clip: SUB_CIF_H264 }] });
  t.teardown(() => cam.close());
  const dir = t.testdir();
  const files = await writeGatewayConfig(
    dir,
    sim,
    keys,
    {
      api: { listen: `127.0.0.1:${apiPort}` },
      metrics: { enabled: true, listen: `127.0.0.1:${metricsPort}` },
      media: { hardware: 'off', x264_preset: 'ultrafast' },
    },
    [cameraEntry(1, { rtspMain: cam.url('main'), pushType: 1 })],
  );
  const sock = await listenNotifySocket();
  t.teardown(() => sock.close());
  const gw = gatewayFor(t, files.configFile, {
    env: { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: String(WATCHDOG_MS * 1000), VCGW_TEST_BLOCK_MS: String(BLOCK_MS) },
    nodeArgs: ['--import', BLOCKER],
  });
  const pid = gw.child.pid!;

  const ready = await sock.next('READY', '1', 60_000).catch((e: Error) => {
    throw new Error(`${e.message}\ngateway stderr: ${gw.stderr()}`);
  });
  // Asked the moment READY arrived, without a retry: the API must already answer.
  t.type(await apiAnswers(`https://127.0.0.1:${apiPort}`), 'number', 'the API answers as soon as READY=1 is seen');
  t.equal(ready.fields.MAINPID, String(pid), 'READY names the main PID');
  t.match(ready.fields.STATUS, `127.0.0.1:${apiPort}`, 'STATUS carries the start summary');
  t.notOk(
    sock.messages.slice(0, sock.messages.indexOf(ready)).some((m) => 'WATCHDOG' in m.fields),
    'no keep-alive before READY',
  );

  const readyIndex = sock.messages.indexOf(ready);
  // The first beats come while the constant push and its pull start up; the period is read after them.
  for (let i = 0; i < 7; i++) await sock.next('WATCHDOG', '1', WATCHDOG_MS * 3, readyIndex + 1 + i);
  const beats = () => sock.messages.filter((m) => m.fields.WATCHDOG === '1').map((m) => m.at);
  const gaps = (ats: number[]) => ats.slice(1).map((at, i) => at - ats[i]!);
  const steady = gaps(beats().slice(3, 7));
  t.ok(
    steady.every((g) => g >= WATCHDOG_MS / 4 && g < WATCHDOG_MS),
    `keep-alives every ~${WATCHDOG_MS / 2} ms, always within WatchdogSec (${steady.map((g) => g.toFixed(0)).join(', ')} ms)`,
  );

  // A stuck event loop: the keep-alive must stop, for longer than WatchdogSec.
  const before = beats().length;
  gw.child.kill('SIGUSR2');
  await gw.untilStderr(/event loop free again/, BLOCK_MS * 4);
  await sock.next('WATCHDOG', '1', WATCHDOG_MS * 3, sock.messages.length);
  const around = gaps(beats().slice(before - 1));
  t.ok(Math.max(...around) > WATCHDOG_MS, `a gap longer than WatchdogSec while the loop was stuck (${around.map((g) => g.toFixed(0)).join(', ')} ms)`);

  await until('FFmpeg runs the constant push', () => childPids(pid, 'ffmpeg').length > 0, 30_000);
  // The operations figures of the running daemon show that push.
  const figures = async () => parseSamples((await scrape(`http://127.0.0.1:${metricsPort}/metrics`)).text);
  await until('the constant push is up in /metrics', async () => valueOf(await figures(), 'vcgw_pipeline_up', { role: 'constant', camera: 'cam-1' }) === 1, 30_000);
  const live = await figures();
  t.ok(valueOf(live, 'vcgw_push_first_frame_seconds_count', { role: 'constant' })! >= 1, 'its first frame was timed');
  t.ok(valueOf(live, 'vcgw_pipeline_bitrate_bps', { role: 'constant', camera: 'cam-1' })! > 0, 'with a bit rate');
  const ffmpegs = childPids(pid, 'ffmpeg');
  const mark = sock.messages.length;
  gw.child.kill('SIGTERM');
  await sock.next('STOPPING', '1', 10_000, mark);
  t.pass('STOPPING=1 on SIGTERM');
  const code = await Promise.race([gw.exited, new Promise<string>((r) => setTimeout(() => r('still running after TimeoutStopSec'), 20_000).unref())]);
  t.equal(code, 0, 'exits cleanly within TimeoutStopSec (20 s)');
  t.same(ffmpegs.filter(processAlive), [], `every FFmpeg child (${ffmpegs.length}) is gone`);
});
