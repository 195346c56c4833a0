import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { registerSimCommand } from '../../src/cli/sim.js';
import { CAM_A, DEVICE, KEYS, TOKEN, USER, fakeGateway, post, startSim, trustingAgent } from './province-helpers.js';

if (!COMMANDS.includes(registerSimCommand)) COMMANDS.push(registerSimCommand);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function cli(...argv: string[]): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runCli(argv, stdout, stderr);
  return { code, stdout: out(), stderr: err() };
}

t.test('received, down, expire-tokens and cameras against a running sim', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }]);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 7 }]);

  const table = await cli('sim', 'province', 'received', '--sim', sim.url, '--path', 'video.ReportCameraStatus');
  t.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  t.match(lines[0], /^seq\s+time\s+method\s+path\s+code\s+msg$/);
  t.match(lines[2], /^2\s+\S+\s+POST\s+\/service\/video\.ReportCameraStatus\s+400\s+0\.online: /);
  const json = await cli('sim', 'province', 'received', '--sim', sim.url, '--since', '1', '--json');
  t.same((JSON.parse(json.stdout) as Array<{ seq: number }>).map((r) => r.seq), [2]);

  const down = await cli('sim', 'province', 'down', '--sim', sim.url, 'on');
  t.equal(down.code, 0);
  t.match(down.stdout, /DOWN/);
  await t.rejects(post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }]));
  t.equal((await cli('sim', 'province', 'down', '--sim', sim.url, 'off')).code, 0);
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }])).json.code, 200);

  t.equal((await cli('sim', 'province', 'expire-tokens', '--sim', sim.url)).code, 0);
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }])).json.code, 403);

  const cams = await cli('sim', 'province', 'cameras', '--sim', sim.url, '--json');
  t.same(JSON.parse(cams.stdout), []);
});

t.test('call with field flags and with --body; a refusal by the gateway exits 1', async (t) => {
  const gw = await fakeGateway(t, (path) =>
    path.endsWith('video.PTZControl') ? { code: 403, msg: '本地控制中' } : { code: 200, msg: '成功' },
  );
  const sim = await startSim(t, { gatewayUrl: gw.url, gatewayCa: gw.ca });
  const begin = await cli('sim', 'province', 'call', 'VideoTransBegin', '--sim', sim.url, '--camera', CAM_A, '--video-type', '2');
  t.equal(begin.code, 0, begin.stderr);
  t.match(begin.stdout, /^HTTP 200\n/);
  t.same(gw.seen[0]!.body, { cameraNum: CAM_A, videoType: 2, serverIp: '127.0.0.1', serverPort: 1935, pubName: CAM_A, authInfo: '' });
  t.equal(gw.seen[0]!.headers['tauth'], sim.currentToken());

  const body = await cli('sim', 'province', 'call', 'NetworkCheck', '--sim', sim.url, '--body', `{"cameras":["${CAM_A}"]}`, '--json');
  t.equal(body.code, 0);
  t.same(JSON.parse(body.stdout), { httpStatus: 200, body: { code: 200, msg: '成功' } });
  t.same(gw.seen[1]!.body, { cameras: [CAM_A] });

  const ptz = await cli('sim', 'province', 'call', 'PTZControl', '--sim', sim.url, '--camera', CAM_A, '--action', '3');
  t.equal(ptz.code, 1);
  t.match(ptz.stderr, /code 403: 本地控制中/);
  t.same(gw.seen[2]!.body, { cameraNum: CAM_A, action: 3, step: 4 });
});

t.test('usage problems exit 2 and name the flag', async (t) => {
  const sim = await startSim(t);
  const cases: Array<[string[], RegExp]> = [
    [['call', 'Reboot', '--sim', sim.url], /CALL: expected one of/],
    [['call', 'VideoTransBegin', '--sim', sim.url, '--camera', 'nope'], /--camera: nope is not a lower-case UUID v4/],
    [['call', 'VideoTransBegin', '--sim', sim.url], /--camera: give exactly one camera/],
    [['call', 'VideoTransBegin', '--sim', sim.url, '--camera', CAM_A, '--video-type', '9'], /--video-type: must be an integer 0–3/],
    [['call', 'PTZControl', '--sim', sim.url, '--camera', CAM_A], /--action: required/],
    [['call', 'NetworkCheck', '--sim', sim.url, '--body', '{'], /--body: not valid JSON/],
    [['call', 'NetworkCheck', '--sim', sim.url, '--body', '{}', '--camera', CAM_A], /--body: cannot be combined with --camera/],
    [['down', 'maybe', '--sim', sim.url], /on\|off: expected on or off/],
    [['received', '--sim', 'http://127.0.0.1:1'], /--sim: expected the sim's https:\/\//],
    [['received', '--sim', sim.url, '--since', 'x'], /--since: expected a number/],
    [['serve', '--device-code', DEVICE, '--user', USER, '--token', TOKEN], /--public-key \/ --public-key-file/],
    [['serve', '--device-code', DEVICE, '--user', USER, '--token', TOKEN, '--public-key', '04ab'], /sm2PublicKey/],
    [['serve', '--listen', 'nowhere', '--device-code', DEVICE, '--user', USER, '--token', TOKEN, '--public-key', KEYS.publicKeyHex], /--listen: expected host:port/],
    [['serve', '--public-key-file', '/nonexistent.pem', '--device-code', DEVICE, '--user', USER, '--token', TOKEN], /--public-key-file: cannot read/],
    [['serve', '--publish-check', 'x', '--device-code', DEVICE, '--user', USER, '--token', TOKEN, '--public-key', KEYS.publicKeyHex], /--publish-check: expected host:port/],
    [['serve', '--push-url-ttl', '0', '--device-code', DEVICE, '--user', USER, '--token', TOKEN, '--public-key', KEYS.publicKeyHex], /--push-url-ttl: expected seconds/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli('sim', 'province', ...argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, message, argv.join(' '));
  }
  const unreachable = await cli('sim', 'province', 'received', '--sim', 'https://127.0.0.1:1');
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, /cannot reach the province sim/);
});

t.test('serve prints its URL and fingerprint, answers, and stops on SIGTERM', async (t) => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const running = runCli(
    ['sim', 'province', 'serve', '--listen', '127.0.0.1:0', '--device-code', DEVICE, '--user', USER, '--token', TOKEN,
      '--public-key', KEYS.publicKeyHex, '--log-level', 'silent'],
    stdout,
    stderr,
  );
  let ended = false;
  void running.then(() => (ended = true));
  while (!/stop with Ctrl-C/.test(out()) && !ended) await Promise.race([once(stdout, 'data'), running]);
  if (ended) return t.fail(`serve ended early with ${await running}: ${err()}`);
  const url = /listening on (https:\/\/\S+)/.exec(out())![1]!;
  t.match(out(), /certificate SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  const received = await cli('sim', 'province', 'received', '--sim', url, '--json');
  t.equal(received.code, 0);
  t.same(JSON.parse(received.stdout), []);
  process.emit('SIGTERM');
  t.equal(await running, 0);
  t.match(out(), /province sim stopped/);
});
