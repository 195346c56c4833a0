// The Appendix F-1 §5.3 online-rate rule on recorded checks: the 36 check times (06:00 and 23:30
// in, 05:30 and 00:00 out), a camera offline exactly 16 checks (online on 20: an online day), a
// day the gateway was down, the 7-day verdicts; and the daemon's recorder taking a check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { OnlineCheckRecorder } from '../../../src/modules/health/onlineChecks.js';
import { checkSlots, daysEndingWith, isCheckSlot, nextCheckSlot } from '../../../src/modules/reports/checkSlots.js';
import type { OnlineReport } from '../../../src/modules/reports/onlineRate.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OnlineCheckStore } from '../../../src/store/onlineChecks.js';
import { cliRunner, writeMinimalConfig } from '../../helpers/cli.js';
import { addCamera } from '../snapshots/helpers.js';

const HALF_HOUR = 1_800_000;
const beijing = (s: string) => Date.parse(`${s}+08:00`);

t.test('the 36 checks run from 06:00 to 23:30 Beijing time', async (t) => {
  const slots = checkSlots('2026-12-01');
  t.equal(slots.length, 36);
  t.equal(slots[0], beijing('2026-12-01T06:00:00'), '06:00 is the first');
  t.equal(slots.at(-1), beijing('2026-12-01T23:30:00'), '23:30 is the last');
  t.notOk(isCheckSlot(beijing('2026-12-01T05:30:00')), '05:30 is not a check');
  t.notOk(isCheckSlot(beijing('2026-12-02T00:00:00')), '00:00 is not a check');
  t.notOk(isCheckSlot(beijing('2026-12-01T06:10:00')), 'only on the half hour');
  t.equal(nextCheckSlot(beijing('2026-12-01T23:30:00')), beijing('2026-12-01T23:30:00'), 'a check time is its own next');
  t.equal(nextCheckSlot(beijing('2026-12-01T23:30:00.001')), beijing('2026-12-02T06:00:00'), 'after 23:30 comes 06:00');
  t.same(daysEndingWith('2026-12-01', 3), ['2026-11-29', '2026-11-30', '2026-12-01']);
});

t.test('the recorder takes a check at its time: every camera with its state, unknown ones offline', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-online-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  t.teardown(() => db.close());
  const store = new CameraStore(db);
  const a = addCamera(store, 1);
  const b = addCamera(store, 2);
  db.prepare('INSERT INTO camera_state (camera_num, online, reason, changed_at) VALUES (?, 1, ?, 0)').run(a.record.cameraNum, 'probe ok');
  const slot = beijing('2026-12-01T06:00:00');
  let now = slot + 1000; // a second late, as a loaded box wakes
  const taken = new Promise<[number, number]>((resolve) => {
    const recorder = new OnlineCheckRecorder({ db, log: silentLogger(), now: () => now, onCheck: (s, n) => resolve([s, n]) });
    t.teardown(() => recorder.stop());
    now = slot; // armed for 06:00 (a delay of 0 on the fake clock) ...
    recorder.start();
    now = slot + 1000; // ... and fires a second after it
  });
  // The recorder's timer is unref'd (it must not hold the daemon open): this bounded, ref'd wait
  // keeps the test's event loop alive until the check fires, and fails it if it never does.
  let guard: NodeJS.Timeout | undefined;
  const bounded = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error('no online check within 5 s')), 5000);
  });
  t.same(await Promise.race([taken, bounded]), [slot, 2], 'the 06:00 check, two cameras');
  clearTimeout(guard);
  t.same(
    new OnlineCheckStore(db).between(slot, slot + 1).map((r) => [r.cameraNum, r.online, r.reason]),
    [
      [a.record.cameraNum, 1, 'probe ok'],
      [b.record.cameraNum, 0, 'never probed'],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  );
});

t.test('vcgw report online: 20 of 36 is an online day, 05:30 and 00:00 do not count, a day the gateway was down', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-online-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = writeMinimalConfig(dir);
  const db = openDb(path.join(dir, 'data'));
  const cams = new CameraStore(db);
  const [c1, c2, c3] = [1, 2, 3].map((i) => addCamera(cams, i).record.cameraNum) as [string, string, string];
  const checks = new OnlineCheckStore(db);
  const dates = daysEndingWith('2026-12-01', 7);
  for (const date of dates) {
    if (date === '2026-11-29') continue; // the gateway was down all day: no rows at all
    checkSlots(date).forEach((slot, i) => {
      checks.record(slot, [
        // cam-1: online all day, but offline exactly 16 checks on 11-27
        { cameraNum: c1, online: date === '2026-11-27' && i >= 20 ? 0 : 1, reason: '' },
        // cam-2: online 19 checks a day, one short
        { cameraNum: c2, online: i < 19 ? 1 : 0, reason: '' },
        // cam-3: online only at 06:00 and 23:30
        { cameraNum: c3, online: i === 0 || i === 35 ? 1 : 0, reason: '' },
      ]);
    });
    // cam-3 was also seen online at 05:30 and at midnight: not check times
    checks.record(Date.parse(`${date}T05:30:00+08:00`), [{ cameraNum: c3, online: 1, reason: '' }]);
    checks.record(Date.parse(`${date}T00:00:00+08:00`), [{ cameraNum: c3, online: 1, reason: '' }]);
  }
  db.close();
  const run = cliRunner(config);

  const r = await run('report', 'online', '--days', '7', '--date', '2026-12-01', '--json');
  t.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as OnlineReport;
  const cam = (id: string) => report.cameras.find((c) => c.id === id)!;
  t.same(
    cam('cam-1').days.map((d) => [d.date, d.onlineChecks, d.online]),
    [
      ['2026-11-25', 36, true],
      ['2026-11-26', 36, true],
      ['2026-11-27', 20, true],
      ['2026-11-28', 36, true],
      ['2026-11-29', 0, false],
      ['2026-11-30', 36, true],
      ['2026-12-01', 36, true],
    ],
    'offline exactly 16 checks is still an online day; the gateway-down day is not',
  );
  t.match(cam('cam-1'), { onlineDays: 6, percent: 85.71, meetsTarget: false });
  t.same(
    cam('cam-2').days.map((d) => d.onlineChecks),
    [19, 19, 19, 19, 0, 19, 19],
  );
  t.equal(cam('cam-2').onlineDays, 0, '19 checks is an offline day');
  t.same(
    cam('cam-3').days.map((d) => d.onlineChecks),
    [2, 2, 2, 2, 0, 2, 2],
    '06:00 and 23:30 count; 05:30 and 00:00 do not',
  );
  t.same(
    report.days.map((d) => [d.date, d.camerasOnline, d.cameras, d.percent, d.gatewayDownChecks]),
    [
      ['2026-11-25', 1, 3, 33.33, 0],
      ['2026-11-26', 1, 3, 33.33, 0],
      ['2026-11-27', 1, 3, 33.33, 0],
      ['2026-11-28', 1, 3, 33.33, 0],
      ['2026-11-29', 0, 3, 0, 36],
      ['2026-11-30', 1, 3, 33.33, 0],
      ['2026-12-01', 1, 3, 33.33, 0],
    ],
  );
  t.equal(report.sectionFails, true, 'below 95 % seven days running');

  const two = JSON.parse((await run('report', 'online', '--days', '2', '--date', '2026-11-28', '--json')).out) as OnlineReport;
  t.same(
    two.cameras.map((c) => [c.id, c.onlineDays, c.meetsTarget]),
    [
      ['cam-1', 2, true],
      ['cam-2', 0, false],
      ['cam-3', 0, false],
    ],
    'online both days meets the 95 % target',
  );
  t.equal(two.sectionFails, false, 'two days below 95 % are not seven');

  const human = await run('report', 'online', '--days', '7', '--date', '2026-12-01');
  t.match(human.out, /^2026-11-29 +0\/3 +0\.00 % +below 95 % +36 of 36 checks$/m, 'the gateway-down day is shown as such');
  t.match(human.out, /^cam-1 +on 36 +on 36 +on 20 +on 36 +OFF 0 +on 36 +on 36 +6\/7 +below 95 %$/m);
  t.match(human.out, /section: FAILS/);

  const bad = await run('report', 'online', '--date', '2026-02-30');
  t.equal(bad.code, 2);
  t.match(bad.err, /--date 2026-02-30: must be a date YYYY-MM-DD/);
});
