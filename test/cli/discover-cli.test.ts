// `vcgw discover` against simulated ONVIF cameras answering WS-Discovery on loopback multicast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { interfaceAddress } from '../../src/cli/discover.js';
import { startDiscoveryResponder, startOnvifCamera, WS_DISCOVERY_GROUP, type OnvifCamera } from '../../src/sim/onvif/index.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-discover-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const run = cliRunner(writeMinimalConfig(dir));

t.test('lists every device that answers, with its details, marking the registered one', async (t) => {
  const cams: OnvifCamera[] = [];
  for (let i = 0; i < 3; i++) cams.push(await startOnvifCamera({ user: 'admin', password: 'pw', serial: `SN-${i}`, model: 'SimCam', mac: `02:00:00:00:00:0${i}` }));
  t.teardown(async () => {
    for (const c of cams) await c.close();
  });
  // Multicast on loopback, on a port of the test's own so parallel tests cannot answer.
  const first = await startDiscoveryResponder({ port: 0, xaddrs: [cams[0]!.url], scopes: { name: 'cam-0' }, multicast: { interface: '127.0.0.1' } });
  const rest = await Promise.all(
    cams.slice(1).map((c, i) => startDiscoveryResponder({ port: first.port, xaddrs: [c.url], scopes: { name: `cam-${i + 1}` }, multicast: { interface: '127.0.0.1' } })),
  );
  t.teardown(async () => {
    for (const r of [first, ...rest]) await r.close();
  });
  t.equal((await run('cameras', 'add', '--json', JSON.stringify(sampleCameraEntry(1, { onvifUrl: cams[1]!.url, ip: '10.0.0.5' })))).code, 0);

  const args = ['discover', '--address', WS_DISCOVERY_GROUP, '--port', String(first.port), '--interface', '127.0.0.1', '--timeout', '1'];
  const listed = await run(...args, '--user', 'admin', '--password', 'pw', '--json');
  t.equal(listed.code, 0, listed.err);
  const found = (JSON.parse(listed.out) as Array<{ address: string; serial?: string; model?: string; mac?: string; registered?: string }>).sort((a, b) =>
    (a.serial ?? '').localeCompare(b.serial ?? ''),
  );
  t.same(found.map((f) => [f.address, f.serial, f.model, f.mac]), cams.map((c, i) => [c.url, `SN-${i}`, 'SimCam', `02:00:00:00:00:0${i}`]));
  t.same(found.map((f) => f.registered ?? null), [null, 'cam-1', null], 'the registered camera is marked (by its ONVIF address; by IP in the field)');

  const human = await run(...args);
  t.match(human.out, /3 device\(s\) answered in/);
  t.match(human.out, /cam-1/);
  const wrong = await run(...args, '--user', 'admin', '--password', 'nope', '--json');
  t.match((JSON.parse(wrong.out) as Array<{ error?: string }>)[0]!.error, /auth|Not ?Authorized/i, 'a wrong password is named per device');
});

t.test('bad flags', async (t) => {
  for (const [args, message] of [
    [['discover', '--timeout', '0'], /--timeout: expected seconds/],
    [['discover', '--port', '70000'], /--port: expected 1–65535/],
    [['discover', '--user', 'admin'], /--user \/ --password: give both or neither/],
    [['discover', '--interface', 'no-such-if0'], /--interface: no interface no-such-if0/],
  ] as const) {
    const r = await run(...args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, message);
  }
  t.equal(interfaceAddress('lo'), '127.0.0.1');
});
