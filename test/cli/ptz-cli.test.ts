// `vcgw ptz`: local control holds the camera against the province across processes; the log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseSince } from '../../src/cli/ptz.js';
import { silentLogger } from '../../src/log.js';
import { PtzService } from '../../src/modules/ptz/controller.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { PtzHoldStore } from '../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../src/store/ptzLog.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-ptz-cli-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const dataDir = path.join(dir, 'data');
const run = cliRunner(writeMinimalConfig(dir, ['[ptz]', 'hold_s = 120']));

t.test('a local command holds the camera against the province, in another process too', async (t) => {
  t.equal((await run('cameras', 'add', '--json', JSON.stringify(sampleCameraEntry(1, { pushType: 2 })))).code, 0);
  const moved = await run('ptz', 'cam-1', 'zoom-tele', '--step', '3', '--user', 'li');
  // No ONVIF driver yet: the move fails, but the operator has taken the camera.
  t.equal(moved.code, 1);
  t.match(moved.out, /cam-1 zoom-tele step 3: 500 no PTZ driver/);
  t.match(moved.out, /province PTZ on this camera refused until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\)/);

  // What the daemon does when the province calls: a separate service on the same database.
  const db = openDb(dataDir);
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const daemonSide = new PtzService({ cameras, ptzLog: new PtzLogStore(db), holds: new PtzHoldStore(db), holdMs: 120_000, log: silentLogger() });
  const num = cameras.find('cam-1')!.record.cameraNum;
  const refused = await daemonSide.control({ kind: 'province' }, num, 'left', 1);
  t.equal(refused.code, 403);
  t.match(refused.msg, /held by local operator li until/);
  const later = new PtzService({ cameras, ptzLog: new PtzLogStore(db), holds: new PtzHoldStore(db), log: silentLogger(), now: () => Date.now() + 121_000 });
  t.equal(later.holdOf(num), undefined, 'the hold ends after ptz.hold_s');

  const log = await run('ptz', 'log', '--json');
  const rows = JSON.parse(log.out) as Array<{ actor: string; action: number; step: number; code: number }>;
  t.same(rows.map((r) => [r.actor, r.action, r.step, r.code]), [['province', 1, 1, 403], ['local:li', 6, 3, 500]], 'both sides logged, newest first');
  const table = await run('ptz', 'log', '--camera', 'cam-1', '--since', '1h');
  t.match(table.out, /cam-1\s+local:li\s+zoom-tele\s+3\s+500 no PTZ driver/);
  t.equal(JSON.parse((await run('ptz', 'log', '--json', '--since', '2999-01-01')).out).length, 0);
});

t.test('bad arguments name what is wrong', async (t) => {
  for (const [args, message] of [
    [['ptz', 'cam-1', 'spin'], /ACTION: expected one of 1 left, 2 right/],
    [['ptz', 'cam-1', '13'], /ACTION: expected one of/],
    [['ptz', 'cam-1', 'left', '--step', '9'], /--step: expected a whole number 1–8/],
    [['ptz', 'nope', 'left'], /CAMERA: no camera nope/],
    [['ptz', 'log', '--since', 'yesterday'], /--since: expected an ISO date\/time or an age/],
    [['ptz', 'log', '--camera', 'nope'], /--camera: no camera nope/],
  ] as const) {
    const r = await run(...args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, message);
  }
  t.equal(parseSince('2h', 10_000_000), 10_000_000 - 7_200_000);
});
