// `vcgw ptz` on a GB/T 28181 camera: the CLI leaves a request row, the daemon's GB service (same
// data directory) sends the DeviceControl through the device's registration, and the simulated
// device over real UDP records the PTZCmd bytes it received. Also presets (PresetQuery, 0x81–0x83),
// the local hold and the PTZ log, and the clear errors when the device is offline or no daemon runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/log.js';
import { PtzService } from '../../src/modules/ptz/controller.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { GbStore } from '../../src/store/gb.js';
import { PtzHoldStore } from '../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../src/store/ptzLog.js';
import type { GbDeviceSim } from '../../src/sim/gb28181/index.js';
import { addCamera } from '../modules/api/helpers.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { gbDevice, gbService } from '../helpers/gb.js';

/** Waits (bounded) until the device recorded `n` PTZ commands. */
async function recorded(dev: GbDeviceSim, n: number, ms = 5000): Promise<void> {
  const started = Date.now();
  while (dev.ptz.length < n) {
    if (Date.now() - started > ms) throw new Error(`device recorded ${dev.ptz.length} PTZ commands, expected ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('vcgw ptz moves a GB camera through the daemon: PTZCmd on the wire, hold, log, presets, errors', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-ptzgb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = cliRunner(writeMinimalConfig(dir, ['[ptz]', 'hold_s = 120']));
  const db = openDb(path.join(dir, 'data'));
  t.teardown(() => db.close());
  const svc = await gbService(t, { db });
  const dev = await gbDevice(t, svc, { channels: 2 });
  await dev.register(3600);
  const channel = dev.channelIds()[1]!;
  const cameras = new CameraStore(db);
  const num = addCamera(cameras, { hasControl: 1 }, { gbDeviceId: dev.deviceId, gbChannelId: channel }).cameraNum;
  const cam = cameras.byNum(num)!.id;

  const moved = await run('ptz', cam, 'left', '--step', '8', '--user', 'li');
  t.equal(moved.code, 0, moved.err);
  t.match(moved.out, new RegExp(`${cam} left step 8: 200 成功`));
  t.match(moved.out, /province PTZ on this camera refused until/);
  await recorded(dev, 2);
  t.same(
    dev.ptz.map((p) => [p.channelId, p.command]),
    [
      [channel, { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 255, tiltSpeed: 0, zoomSpeed: 0 }],
      [channel, { kind: 'stop' }],
    ],
    'left at full speed to the camera channel, then the daemon sends Stop after the pulse',
  );

  // The province, through the daemon's own PtzService on the same database, is held off.
  const daemonSide = new PtzService({ cameras, ptzLog: new PtzLogStore(db), holds: new PtzHoldStore(db), holdMs: 120_000, log: silentLogger(), driverFor: svc.ptz.driverFor });
  const refused = await daemonSide.control({ kind: 'province' }, num, 'right', 4);
  t.equal(refused.code, 403);
  t.match(refused.msg, /held by local operator li/);

  const list = await run('ptz', 'preset', cam, 'list', '--json');
  t.equal(list.code, 0, list.err);
  t.same(JSON.parse(list.out), [
    { id: 1, name: '收费站' },
    { id: 2, name: '桥面' },
  ]);
  t.equal((await run('ptz', 'preset', cam, 'set', '5', '--user', 'li')).code, 0);
  t.equal((await run('ptz', 'preset', cam, 'call', '2', '--user', 'li')).code, 0);
  const after = await run('ptz', 'preset', cam, 'list');
  t.match(after.out, /5\s+预置位5/);
  t.equal((await run('ptz', 'preset', cam, 'delete', '5', '--user', 'li')).code, 0);
  await recorded(dev, 5);
  t.same(
    dev.ptz.slice(2).map((p) => p.command),
    [
      { kind: 'preset', action: 'set', preset: 5 },
      { kind: 'preset', action: 'call', preset: 2 },
      { kind: 'preset', action: 'delete', preset: 5 },
    ],
    'preset set / call / delete as PTZCmd 0x81 / 0x82 / 0x83',
  );
  t.same([...dev.presets(channel).keys()], [1, 2], 'the preset set was deleted again');
  const noNumber = await run('ptz', 'preset', cam, 'call');
  t.equal(noNumber.code, 2);
  t.match(noNumber.err, /NUMBER: required for call/);

  const log = await run('ptz', 'log', '--camera', cam);
  t.match(log.out, /local:li\s+preset-call\s+2\s+200/);
  const rows = new PtzLogStore(db).query({ cameraNum: num });
  t.same(
    rows.map((r) => [r.actor, r.action, r.step, r.code]).reverse(),
    [
      ['local:li', 1, 8, 200],
      ['province', 2, 4, 403],
      ['local:li', 101, 5, 200],
      ['local:li', 102, 2, 200],
      ['local:li', 103, 5, 200],
    ],
    'every attempt logged (presets under 101–103 with the preset as step)',
  );

  // The device unregisters: the daemon answers at once that it is offline, nothing is sent.
  await dev.unregister();
  const offline = await run('ptz', cam, 'up', '--user', 'li');
  t.equal(offline.code, 1);
  t.match(offline.err, new RegExp(`PTZ failed: GB device ${dev.deviceId} is offline: not registered`));

  // No daemon: the command is withdrawn at --timeout and can never be carried out later.
  await svc.stop();
  const noDaemon = await run('ptz', cam, 'down', '--timeout', '0.3');
  t.equal(noDaemon.code, 1);
  t.match(noDaemon.err, /no answer from the daemon in 0.3 s: is `vcgw run` running with \[gb28181\] enabled = true\?/);
  const store = new GbStore(db);
  t.same(store.pendingRequests(), [], 'no request is left for a daemon that starts later');
  t.equal(dev.ptz.length, 5, 'the device received nothing after the two failures');
});

t.test('the daemon never carries out a PTZ request past its deadline, nor one with bad params', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-ptzgb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  t.teardown(() => db.close());
  const store = new GbStore(db);
  const svc = await gbService(t, { db });
  const dev = await gbDevice(t, svc, { channels: 1 });
  await dev.register(3600);
  const channelId = dev.channelIds()[0]!;
  const late = store.addRequest(dev.deviceId, 'ptz', { params: { channelId, move: { action: 'left', step: 4 } }, expiresAt: Date.now() - 1 });
  const bad = store.addRequest(dev.deviceId, 'ptz', { params: { channelId, move: { action: 'spin', step: 4 } }, expiresAt: Date.now() + 60_000 });
  const started = Date.now();
  while (store.request(late)?.doneAt == null || store.request(bad)?.doneAt == null) {
    if (Date.now() - started > 5000) throw new Error('the daemon did not answer the requests');
    await new Promise((r) => setTimeout(r, 20));
  }
  t.same(JSON.parse(store.request(late)!.result!), { ok: false, error: 'expired before the daemon took it' });
  t.match(JSON.parse(store.request(bad)!.result!), { ok: false, error: /params: not a PTZ move or preset operation/ });
  t.equal(dev.ptz.length, 0, 'nothing reached the device');
});
