// `vcgw ptz CAMERA ACTION --step N` moves a registered ONVIF camera (the simulator) and the log shows it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startOnvifCamera } from '../../src/sim/onvif/index.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

t.test('vcgw ptz cam-1 left --step 4', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-ptz-onvif-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cam = await startOnvifCamera({ password: 'secret', ptz: true });
  t.teardown(() => cam.close());
  const run = cliRunner(writeMinimalConfig(dir, ['[ptz]', 'pulse_ms = 200']));
  const entry = sampleCameraEntry(1, { pushType: 2, onvifUrl: cam.url, onvifUser: 'admin', onvifPassword: 'secret' });
  t.equal((await run('cameras', 'add', '--json', JSON.stringify(entry))).code, 0);

  const moved = await run('ptz', 'cam-1', 'left', '--step', '4', '--user', 'wang');
  t.equal(moved.code, 0, moved.err);
  t.match(moved.out, /cam-1 left step 4: 200 成功 \(\d+ ms\)/);
  const ptz = cam.calls().filter((c) => c.service === 'ptz');
  t.same(ptz.map((c) => c.action), ['ContinuousMove', 'Stop'], 'the command returned only after its Stop');
  t.match(ptz[0]!.body, { Velocity: { PanTilt: { '@x': '-0.5', '@y': '0' } } });
  t.ok(ptz[1]!.at - ptz[0]!.at >= 198, 'ptz.pulse_ms from the config');
  t.same(cam.ptz()?.velocity, { x: 0, y: 0, zoom: 0 });

  const bullet = await startOnvifCamera({ password: 'secret' });
  t.teardown(() => bullet.close());
  const fixed = sampleCameraEntry(2, { pushType: 2, onvifUrl: bullet.url, onvifUser: 'admin', onvifPassword: 'secret' });
  t.equal((await run('cameras', 'add', '--json', JSON.stringify(fixed))).code, 0);
  const refused = await run('ptz', 'cam-2', 'zoom-tele', '--user', 'wang');
  t.equal(refused.code, 1);
  t.match(refused.out, /cam-2 zoom-tele step 4: 403 PTZ refused: .* is a fixed camera: it offers no ONVIF PTZ service/);

  const rows = JSON.parse((await run('ptz', 'log', '--json')).out) as Array<{ actor: string; action: number; step: number; code: number; latencyMs: number }>;
  t.same(rows.map((r) => [r.actor, r.action, r.step, r.code]), [['local:wang', 6, 4, 403], ['local:wang', 1, 4, 200]]);
  t.ok(rows[1]!.latencyMs > 0, `latency ${rows[1]!.latencyMs} ms logged`);
  const table = await run('ptz', 'log', '--camera', 'cam-1');
  t.match(table.out, /ms/);
  t.match(table.out, new RegExp(`cam-1\\s+local:wang\\s+left\\s+4\\s+200 成功\\s+${rows[1]!.latencyMs}`));
});
