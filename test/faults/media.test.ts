// Fault injection on the media path (issue 15, items 1–3): real FFmpeg, a real RTMP server
// (nginx-rtmp), a simulated RTSP camera and the province sim's publish check. One constant push
// runs throughout; each fault is applied in turn and the time until it flows again is measured.
// Timings are the field defaults (back-off, stall, first frame); only x264 is made cheap.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { configSchema } from '../../src/config/schema/index.js';
import type { ClipSpec } from '../../src/sim/camera/index.js';
import { startRtmpServer } from '../../src/sim/rtmp/index.js';
import { startSim } from '../sim/province-helpers.js';
import { startMediaRig, until } from '../helpers/media.js';
import { constantKey, constantOrder } from '../../src/modules/uplinks/province/constantPush.js';

/** CIF with a 1 s GOP, as the sub-stream of a road camera. */
const SUB: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 25, seconds: 4 };
const field = configSchema.shape.media.parse(undefined);
const MEDIA = { backoff_s: field.backoff_s, stall_s: field.stall_s, first_frame_s: field.first_frame_s, rtsp_timeout_s: field.rtsp_timeout_s };
/** The RTMP server refuses the push key this long (the figure). */
const REFUSE_S = Number(process.env.VCGW_FAULT_REFUSE_S ?? 30);

/** FFmpeg processes this test process started, as `pid args`. */
function ffmpegChildren(): Array<{ pid: number; args: string }> {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === process.pid && /ffmpeg/.test(m[3]!))
    .map((m) => ({ pid: Number(m[1]), args: m[3]! }));
}

t.test('the constant push comes back from camera, RTMP server and FFmpeg faults', async (t) => {
  const sim = await startSim(t, { publishCheck: true });
  const rtmp = await startRtmpServer({ onPublishUrl: sim.publishCheckUrl });
  t.teardown(() => rtmp.close());
  const rig = await startMediaRig(t, { cameras: [{ id: 'c', main: SUB, pushType: 1 }], rtmp, media: MEDIA });
  const cam = rig.camera('c');
  const num = cam.record.cameraNum;
  const stream = `fault-${num}`;
  await rig.engine.start(constantOrder(cam, async () => rtmp.url('rtmp', stream), () => ({})));
  const row = () => rig.engine.statusRows().find((r) => r.key === `constant:${num}`);
  /** The push runs (frames out of its FFmpeg) and the RTMP server has its publisher. */
  const flowing = async () => row()?.state === 'running' && (await rtmp.stats()).some((s) => s.stream === stream && s.publishing);
  const camera = () => rig.cams.get('c')!;
  const sessionsTotal = () => camera().stats()[0]!.sessionsTotal;
  await until('the push flowing', flowing, 30_000);
  const figures: string[] = [];
  const measure = async (what: string, boundMs: number, from = Date.now()) => {
    await until(what, flowing, 60_000);
    const ms = Date.now() - from;
    figures.push(`${what}: ${ms} ms`);
    t.comment(`${what}: flowing again ${ms} ms after (bound ${boundMs} ms)`);
    t.ok(ms <= boundMs, `${what}: back within ${boundMs} ms`);
  };

  // 1. The camera sends nothing for 10 s (connection open), then resumes.
  camera().mute(10_000);
  const mutedAt = Date.now();
  await until('the push notices the silence', async () => !(await flowing()), 15_000);
  await until('the camera speaks again', () => Date.now() - mutedAt >= 10_000, 15_000);
  await measure('camera silent 10 s', 10_000, mutedAt + 10_000);

  // 1b. The camera is unplugged (RTSP port closed) for 5 s, then back on the same port.
  const port = camera().port;
  await camera().close();
  await until('the push notices the camera gone', async () => !(await flowing()), 20_000);
  await new Promise((r) => setTimeout(r, 5000));
  await rig.startCamera({ id: 'c', main: SUB, port });
  await measure('camera unplugged, back on its port', 10_000);

  // 2. The RTMP server restarts (every publisher dropped).
  await rtmp.restart();
  await measure('RTMP server restarted', 5000);

  // 2b. The RTMP server refuses the push key for REFUSE_S, then accepts it again.
  sim.refusePublish(stream, true);
  await rtmp.restart();
  await new Promise((r) => setTimeout(r, REFUSE_S * 1000));
  t.notOk(await flowing(), `no push while the key is refused (${REFUSE_S} s)`);
  sim.refusePublish(stream, false);
  await measure(`RTMP server refusing the key ${REFUSE_S} s`, 5000);

  // 3. The push FFmpeg is killed -9 after a healthy run: no second pull, nothing left behind.
  const sessionsBefore = sessionsTotal();
  const push = ffmpegChildren().filter((p) => p.args.includes(stream));
  t.equal(push.length, 1, 'one push FFmpeg');
  const pushKilledAt = Date.now();
  process.kill(push[0]!.pid, 'SIGKILL');
  await until('the push notices', async () => !(await flowing()) || !ffmpegChildren().some((p) => p.pid === push[0]!.pid), 5000);
  await measure('push FFmpeg killed -9', 2000, pushKilledAt);
  t.equal(sessionsTotal(), sessionsBefore, 'the camera pull was not reopened');
  t.equal(ffmpegChildren().filter((p) => p.args.includes(stream)).length, 1, 'one push FFmpeg again, the killed one gone');

  // 3b. The pull FFmpeg is killed -9: one new camera session, the push follows.
  const pull = ffmpegChildren().filter((p) => p.args.includes('rtsp://'));
  t.equal(pull.length, 1, 'one pull FFmpeg');
  const pullKilledAt = Date.now();
  process.kill(pull[0]!.pid, 'SIGKILL');
  await until('the pull notices', async () => !(await flowing()), 5000);
  await measure('pull FFmpeg killed -9', 2000, pullKilledAt);
  t.equal(camera().stats()[0]!.sessionsActive, 1, 'one camera session');
  t.equal(ffmpegChildren().length, 2, 'two FFmpeg in all (pull, push): nothing left behind');

  await rig.engine.stop(constantKey(num));
  t.comment(`figures: ${figures.join('; ')}`);
});
