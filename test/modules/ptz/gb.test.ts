// GbPtzDriver behind PtzService against the GB device simulator over real UDP: the twelve actions
// as PTZCmd (speeds from step, Stop after the pulse, light as auxiliary switch), the PTZ log, and
// the local-priority rule applying to GB cameras as to ONVIF ones.
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { PtzService } from '../../../src/modules/ptz/controller.js';
import { GbPtzDriver, LIGHT_SWITCH, gbCommandOf } from '../../../src/modules/ptz/gbDriver.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { addCamera } from '../api/helpers.js';
import { gbDevice, gbService, tempDb } from '../../helpers/gb.js';

t.test('PTZ round-trip: province and local commands reach the channel as PTZCmd, logged; local priority', async (t) => {
  const { db } = tempDb(t);
  const svc = await gbService(t, { db });
  const dev = await gbDevice(t, svc, { channels: 2 });
  await dev.register(3600);
  const channel = dev.channelIds()[0]!;
  const cameras = new CameraStore(db);
  const ptzLog = new PtzLogStore(db);
  const driver = new GbPtzDriver({ registrar: svc.registrar, pulseMs: 100, log: silentLogger() });
  t.teardown(() => driver.close());
  const ptz = new PtzService({ cameras, ptzLog, holds: new PtzHoldStore(db), log: silentLogger(), driverFor: driver.driverFor, holdMs: 60_000 });
  const num = addCamera(cameras, { hasControl: 1 }, { gbDeviceId: dev.deviceId, gbChannelId: channel }).cameraNum;

  t.same(await ptz.control({ kind: 'province' }, num, 'left', 8), { code: 200, msg: '成功' });
  const started = Date.now();
  while (dev.ptz.length < 2) {
    if (Date.now() - started > 3000) throw new Error('no Stop after the pulse');
    await new Promise((r) => setTimeout(r, 10));
  }
  t.same(
    dev.ptz.map((p) => [p.channelId, p.command]),
    [
      [channel, { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 255, tiltSpeed: 0, zoomSpeed: 0 }],
      [channel, { kind: 'stop' }],
    ],
    'left at full speed, then Stop after the pulse',
  );
  t.same(await ptz.control({ kind: 'local', user: 'li' }, num, 'light-on', 4), { code: 200, msg: '成功' });
  while (dev.ptz.length < 3) {
    if (Date.now() - started > 3000) throw new Error('light command not seen');
    await new Promise((r) => setTimeout(r, 10));
  }
  t.same(dev.ptz[2]!.command, { kind: 'aux', on: true, switchNo: LIGHT_SWITCH }, 'light on as the auxiliary switch');
  const refused = await ptz.control({ kind: 'province' }, num, 'right', 4);
  t.equal(refused.code, 403, 'the province is held off after a local command');
  const log = ptzLog.query({ cameraNum: num });
  t.equal(log.length, 3, 'every attempt logged');
  t.same(log.map((r) => [r.actor, r.action, r.code]).sort(), [['local:li', 12, 200], ['province', 1, 200], ['province', 2, 403]].sort());
});

t.test('the twelve actions map to PTZCmd with speeds from step', async (t) => {
  t.match(gbCommandOf('up', 4), { kind: 'ptz', tilt: 1, tiltSpeed: 128 });
  t.match(gbCommandOf('down', 1), { kind: 'ptz', tilt: -1, tiltSpeed: 32 });
  t.match(gbCommandOf('right', 8), { kind: 'ptz', pan: 1, panSpeed: 255 });
  t.match(gbCommandOf('zoom-tele', 8), { kind: 'ptz', zoom: 1, zoomSpeed: 15 });
  t.match(gbCommandOf('zoom-wide', 4), { kind: 'ptz', zoom: -1, zoomSpeed: 8 });
  t.match(gbCommandOf('focus-near', 4), { kind: 'fi', focus: -1, focusSpeed: 128 });
  t.match(gbCommandOf('focus-far', 4), { kind: 'fi', focus: 1 });
  t.match(gbCommandOf('iris-close', 4), { kind: 'fi', iris: -1 });
  t.match(gbCommandOf('iris-open', 4), { kind: 'fi', iris: 1 });
  t.same(gbCommandOf('light-off', 4), { kind: 'aux', on: false, switchNo: LIGHT_SWITCH });
  t.match(gbCommandOf('left', 4), { kind: 'ptz', pan: -1, panSpeed: 128 });
});
