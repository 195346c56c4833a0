// The media engine inside `vcgw run`: constant pushes with URLs from GetPushAddress checked by the
// RTMP server, the province's VideoTransBegin/Finish on real streams, `vcgw status`, and no FFmpeg
// left behind after kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { SUB_CIF_H264, startRtspCamera } from '../../src/sim/camera/index.js';
import { PUBLISH_CHECK_PATH } from '../../src/sim/province/index.js';
import { startRtmpServer, waitFirstFrame } from '../../src/sim/rtmp/index.js';
import { cameraEntry, freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { until } from '../helpers/media.js';
import { processAlive as alive } from '../helpers/gateway.js';
import { childPids } from '../../src/modules/systemd/stop.js';

const root = path.resolve(import.meta.dirname, '../..');
const keys = generateSm2KeyPair();
const TTL_S = 8;

interface BeginReply {
  code: number;
  msg: string;
}

t.test('gateway with real media', async (t) => {
  const rtmpPort = await freePort();
  const apiPort = await freePort();
  const sim = await startSim(keys, {
    rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/rtmp`,
    publishCheck: true,
    pushUrlTtlS: TTL_S,
    gatewayUrl: `https://127.0.0.1:${apiPort}`,
  });
  t.teardown(() => sim.close());
  const rtmp = await startRtmpServer({ port: rtmpPort, onPublishUrl: sim.publishCheckUrl });
  t.teardown(() => rtmp.close());
  const cams = await Promise.all([1, 2].map(() => startRtspCamera({ streams: [{ path: 'main', clip: SUB_CIF_H264 }] })));
  t.teardown(async () => {
    for (const c of cams) await c.close();
  });
  const files = await writeGatewayConfig(
    t.testdir(),
    sim,
    keys,
    {
      api: { listen: `127.0.0.1:${apiPort}` },
      media: { hardware: 'off', x264_preset: 'ultrafast', backoff_s: [0.2, 0.5, 1], push_url_max_age_s: 5, max_outputs: 2 },
    },
    [
      cameraEntry(1, { rtspMain: cams[0]!.url('main'), pushType: 1 }),
      cameraEntry(2, { rtspMain: cams[1]!.url('main'), pushType: 2 }),
      // Answers on its port but has no such stream: reachable, no video.
      cameraEntry(3, { rtspMain: cams[0]!.url('no-such-stream'), pushType: 1 }),
    ],
  );
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/bin.ts'), 'run', '--config', files.configFile], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  t.teardown(() => child.kill('SIGKILL'));

  await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 200, 30_000);
  const nums = () => [...sim.cameras().values()];
  await until('the cameras registered', () => nums().length === 3, 30_000);
  const byPile = (pile: string) => nums().find((c) => c.pileNum === pile)!.cameraNum;
  const constNum = byPile(String(cameraEntry(1)['pileNum']));
  const darkNum = byPile(String(cameraEntry(3)['pileNum']));
  const onDemandNum = nums().find((c) => c.pushType === 2)!.cameraNum;

  await t.test('a camera that answers but gives no video is reported as faulty (online = 2)', async (t) => {
    const report = await sim.waitFor(
      (r) => r.path === '/service/video.ReportCameraStatus' && r.code === 200 && (r.body as Array<{ cameraNum: string; online: number }>).some((s) => s.cameraNum === darkNum && s.online === 2),
      30_000,
    );
    t.ok(report, 'ReportCameraStatus with online 2');
    const healthy = sim.received().filter((r) => r.path === '/service/video.ReportCameraStatus').flatMap((r) => r.body as Array<{ cameraNum: string; online: number }>);
    t.notOk(healthy.some((s) => s.cameraNum === constNum && s.online !== 1), 'the working camera is never reported otherwise than online');
  });

  await t.test('the constant push uses GetPushAddress and fetches a new URL before the old one expires', async (t) => {
    const accepted = (since = 0) =>
      sim.received({ sinceSeq: since }).find((r) => r.path === PUBLISH_CHECK_PATH && r.code === 200 && (r.body as { name?: string }).name === constNum);
    await until('the constant push is accepted by the RTMP server', () => accepted() !== undefined, 30_000);
    const first = accepted()!;
    t.ok(sim.received().some((r) => r.path === '/service/stream.GetPushAddress' && r.code === 200 && r.seq < first.seq), 'URL from GetPushAddress');
    // Past the URL's lifetime, the RTMP server restarts: the push must come back on a fresh URL.
    await until('the first URL expired', () => Date.now() > first.at + (TTL_S + 0.5) * 1000, (TTL_S + 2) * 1000);
    const mark = sim.received().at(-1)!.seq;
    await rtmp.restart();
    await until('the constant push is accepted again', () => accepted(mark) !== undefined, 30_000);
    const again = accepted(mark)!;
    const after = sim.received({ sinceSeq: mark });
    t.ok(after.some((r) => r.path === '/service/stream.GetPushAddress' && r.code === 200 && r.seq < again.seq), 'a new URL was fetched first');
    t.notOk(
      after.some((r) => r.path === PUBLISH_CHECK_PATH && r.code === 403 && (r.body as { name?: string }).name === constNum),
      'the expired URL was never offered to the server',
    );
  });

  await t.test("the province's VideoTransBegin/Finish on real streams", async (t) => {
    const begin = async (cameraNum: string, videoType: number, pubName: string) =>
      (await sim.callGateway('VideoTransBegin', { cameraNum, videoType, serverIp: '127.0.0.1', serverPort: rtmpPort, pubName: `live/${pubName}` })).body as BeginReply;
    const reader = waitFirstFrame(rtmp.url('live', 'od-a'), { timeoutMs: 20_000 });
    t.teardown(() => reader.close());
    await reader.ready;
    t.equal((await begin(onDemandNum, 3, 'od-a')).code, 200);
    t.ok(await reader.firstFrame, 'frames at the RTMP server');
    t.equal((await begin(onDemandNum, 3, 'od-a')).code, 201, 'same type and URL: 201, nothing changed');
    t.equal((await begin(onDemandNum, 3, 'od-b')).code, 200, 'new URL: moved');
    const publishingNow = async (name: string) => (await rtmp.stats()).some((s) => s.stream === name && s.publishing);
    await until('moved to od-b', async () => (await publishingNow('od-b')) && !(await publishingNow('od-a')), 15_000);
    t.equal((await begin(onDemandNum, 1, 'od-c')).code, 200, 'a second output of the same camera');
    const over = await begin(constNum, 2, 'od-d');
    t.equal(over.code, 500, 'over max_outputs = 2');
    t.match(over.msg, /over capacity/);
    t.ok((await publishingNow('od-b')) && (await publishingNow('od-c')), 'nothing running was disturbed');

    let text = '';
    const status = async () => {
      const out = new PassThrough();
      text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      t.equal(await runCli(['--config', files.configFile, 'status'], out, new PassThrough()), 0);
      return text;
    };
    // The daemon publishes its pipelines every 2 s.
    await until('vcgw status shows the on-demand pushes', async () => /ondemand\s+running[^\n]*\n[^\n]*ondemand\s+running/.test(await status()), 10_000);
    t.match(text, /constant\s+running/, 'vcgw status shows the constant push running');
    t.match(text, /ondemand\s+running/, 'and the on-demand ones');
    t.match(text, /source\s+running/, 'and the camera pulls');
    t.equal(cams[1]!.stats()[0]!.sessionsActive, 1, 'two outputs, one camera session');

    const fin = (await sim.callGateway('VideoTransFinish', { cameraNum: onDemandNum, videoType: 3 })).body as BeginReply;
    t.equal(fin.code, 200);
    await until('od-b stops', async () => !(await publishingNow('od-b')), 15_000);
  });

  await t.test('kill -9 of the daemon leaves no FFmpeg behind', async (t) => {
    const children = childPids(child.pid!, 'ffmpeg');
    t.ok(children.length >= 3, `FFmpeg children while running: ${children.length}`);
    child.kill('SIGKILL');
    await exited;
    await until('every FFmpeg child gone', () => children.every((p) => !alive(p)), 10_000);
    t.pass('all gone');
  });
});
