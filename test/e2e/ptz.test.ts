// The province's PTZControl through `vcgw run` (a child process) to ONVIF simulators: the move reaches the
// camera, hasControl=0 and a local operator's hold are refused with 403, and everything is in `vcgw ptz log`.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { startOnvifCamera } from '../../src/sim/onvif/index.js';
import { cameraEntry, freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { until } from '../helpers/media.js';
import { gatewayFor } from '../helpers/gateway.js';

const keys = generateSm2KeyPair();

t.test('province PTZControl moves an ONVIF dome through the daemon', async (t) => {
  const apiPort = await freePort();
  const sim = await startSim(keys, { gatewayUrl: `https://127.0.0.1:${apiPort}` });
  t.teardown(() => sim.close());
  const dome = await startOnvifCamera({ password: 'secret', ptz: true });
  t.teardown(() => dome.close());
  const locked = await startOnvifCamera({ password: 'secret', ptz: true });
  t.teardown(() => locked.close());
  const onvif = (url: string) => ({ onvifUrl: url, onvifUser: 'admin', onvifPassword: 'secret', pushType: 2 });
  const files = await writeGatewayConfig(t.testdir(), sim, keys, { api: { listen: `127.0.0.1:${apiPort}` }, ptz: { pulse_ms: 300 } }, [
    cameraEntry(1, onvif(dome.url)),
    cameraEntry(2, { ...onvif(locked.url), hasControl: 0 }),
  ]);
  gatewayFor(t, files.configFile);

  const nums = () => [...sim.cameras().values()];
  await until('the cameras registered', () => nums().length === 2, 30_000);
  // Cameras are registered before the API listens: wait until the gateway answers the province.
  const answers = () => sim.callGateway('CheckGateway').then(() => true, () => false);
  await until('the gateway API answers', answers, 30_000);
  const numOf = (i: number) => nums().find((c) => c.pileNum === cameraEntry(i)['pileNum'])!.cameraNum;
  const ptz = async (cameraNum: string, action: number, step: number) =>
    (await sim.callGateway('PTZControl', { cameraNum, action, step })).body as { code: number; msg: string };

  t.same(await ptz(numOf(1), 2, 8), { code: 200, msg: '成功' });
  const moves = () => dome.calls().filter((c) => c.service === 'ptz');
  t.match(moves()[0], { action: 'ContinuousMove', ok: true, body: { Velocity: { PanTilt: { '@x': '1', '@y': '0' } } } });
  await until('the pulse ends with a Stop', () => moves().some((c) => c.action === 'Stop'), 5000);
  t.same(dome.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });

  t.same(await ptz(numOf(2), 1, 1), { code: 403, msg: 'PTZ not allowed for this camera (hasControl=0)' });
  t.equal(locked.calls().filter((c) => c.service === 'ptz').length, 0, 'the hasControl=0 camera was not touched');

  const cli = async (...args: string[]) => {
    const out = new PassThrough();
    const code = await runCli(['-c', files.configFile, ...args], out, new PassThrough());
    return { code, out: String(out.read() ?? '') };
  };
  const local = await cli('ptz', 'cam-1', 'zoom-tele', '--step', '2', '--user', 'zhang');
  t.equal(local.code, 0, local.out);
  t.same(dome.ptz()?.velocity, { x: 0, y: 0, zoom: 0 }, 'the CLI waited for its Stop');
  const held = await ptz(numOf(1), 1, 4);
  t.equal(held.code, 403);
  t.match(held.msg, /held by local operator zhang until/);
  t.equal(moves().filter((c) => c.action === 'ContinuousMove').length, 2, 'the refused call did not move the camera');

  const rows = JSON.parse((await cli('ptz', 'log', '--json')).out) as Array<{ actor: string; action: number; code: number }>;
  t.same(
    rows.map((r) => [r.actor, r.action, r.code]),
    [
      ['province', 1, 403],
      ['local:zhang', 6, 200],
      ['province', 1, 403],
      ['province', 2, 200],
    ],
  );
});
