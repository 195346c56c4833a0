// The snapshot round on a fake clock: cadence, spread, one report per round, retention, disk guard.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { formatIssues } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema/index.js';
import { silentLogger } from '../../../src/log.js';
import { realStatFs, type DiskUsage } from '../../../src/modules/snapshots/diskGuard.js';
import type { CapturedJpeg } from '../../../src/modules/snapshots/files.js';
import { NoRoomError, type SnapshotService } from '../../../src/modules/snapshots/service.js';
import { snapshotParts, snapshotService } from '../../../src/modules/snapshots/start.js';
import { CameraStore, type StoredCamera } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import type { SnapshotItem } from '../../../src/protocols/province/reports.js';
import { addCamera, fakeJpeg, FakeClock, snapConfig, tempDir } from './helpers.js';
import { fillDatabase } from '../../helpers/fullDb.js';

const I = 300_000;
const DAY = 86_400_000;
// A window boundary: rounds are aligned to multiples of the interval.
const T0 = Date.parse('2026-11-20T16:00:00Z');

function rig(t: Parameters<typeof tempDir>[0], o: { cameras?: number; snapshots?: Record<string, unknown>; statfs?: (dir: string) => Promise<DiskUsage>; bytes?: number } = {}) {
  const dir = tempDir(t);
  const config = snapConfig(dir, o.snapshots);
  const db = openDb(dir);
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const outbox = new OutboxStore(db);
  const clock = new FakeClock(T0);
  const cams: StoredCamera[] = [];
  for (let i = 0; i < (o.cameras ?? 0); i++) cams.push(addCamera(cameras, i));
  const taken: Array<{ cameraNum: string; at: number }> = [];
  const parts = snapshotParts({ config, db, log: silentLogger(), baseUrl: 'https://10.1.2.3:8443', statfs: o.statfs ?? (async () => ({ usedPercent: 10, freeMb: 10_000 })), now: () => clock.now });
  const capture = async (cam: StoredCamera): Promise<CapturedJpeg> => {
    taken.push({ cameraNum: cam.record.cameraNum, at: clock.now });
    return { jpeg: fakeJpeg(352, 288, o.bytes ?? 1000), width: 352, height: 288, source: 'stream', from: 'test' };
  };
  const service: SnapshotService = snapshotService({ ...parts, capture: { capture } }, { config, cameras, outbox, log: silentLogger(), now: () => clock.now, timers: clock });
  clock.settle = () => service.idle();
  t.teardown(() => service.stop());
  return { dir, config, db, cameras, outbox, clock, cams, taken, parts, service };
}

t.test('every camera once per interval, at its own fixed offset, spread over the interval', async (t) => {
  const r = rig(t, { cameras: 20 });
  r.service.start();
  await r.clock.advance(3 * I - 1);
  for (const cam of r.cams) {
    const mine = r.taken.filter((x) => x.cameraNum === cam.record.cameraNum).map((x) => x.at);
    t.equal(mine.length, 3, `${cam.id} taken once per interval`);
    const off = r.service.offsetOf(cam.record.cameraNum);
    t.same(mine, [T0 + off, T0 + I + off, T0 + 2 * I + off], `${cam.id} at its offset ${off} ms every interval`);
  }
  // Spread: 20 cameras over 300 s fall into many distinct 15-s slices, never all at once.
  const slices = new Set(r.taken.filter((x) => x.at < T0 + I).map((x) => Math.floor((x.at - T0) / 15_000)));
  t.ok(slices.size >= 10, `20 cameras spread over ${slices.size} of 20 slices of 15 s`);
  const perSecond = new Map<number, number>();
  for (const x of r.taken) perSecond.set(Math.floor(x.at / 1000), (perSecond.get(Math.floor(x.at / 1000)) ?? 0) + 1);
  t.ok(Math.max(...perSecond.values()) <= 3, 'never more than 3 cameras in the same second');
  // Offsets are a property of the camera, not of the start time: a restart keeps them.
  t.equal(r.service.offsetOf(r.cams[0]!.record.cameraNum), r.service.offsetOf(r.cams[0]!.record.cameraNum));
});

t.test('a round is reported once, after its interval, with time in unix seconds and a signed URL', async (t) => {
  const r = rig(t, { cameras: 5 });
  r.service.start();
  await r.clock.advance(I - 1);
  t.equal(r.taken.length, 5, 'every camera taken in the first round');
  t.equal(r.outbox.due('snapshot', 100, r.clock.now).length, 0, 'nothing reported before the round ends');
  await r.clock.advance(1);
  const rows = r.outbox.due('snapshot', 100, r.clock.now);
  t.equal(rows.length, 5, 'the round reported: one item per camera, sent together by the dispatcher');
  for (const row of rows) {
    const item = row.payload as SnapshotItem;
    const snap = r.parts.files.store.latest(item.cameraNum)!;
    t.equal(item.time, Math.floor(snap.takenAt / 1000), 'time is the unix time in seconds (E-4.5)');
    const u = new URL(item.snapshotUrl);
    t.equal(u.origin, 'https://10.1.2.3:8443');
    t.equal(u.pathname, `/snapshots/${snap.path}`);
    t.equal(r.parts.urls.verify(u.pathname, u.searchParams.get('expires') ?? undefined, u.searchParams.get('sig') ?? undefined), 'ok');
    t.match(snap.path, new RegExp(`^${item.cameraNum}/\\d{8}/\\d{6}\\.jpg$`));
    t.ok(fs.existsSync(path.join(r.parts.files.dir, snap.path)), 'the file is on disk');
  }
  await r.clock.advance(I);
  t.equal(r.outbox.due('snapshot', 100, r.clock.now).length, 10, 'the second round adds its own report');
});

t.test('a camera whose capture fails is left out of the report; the others are reported', async (t) => {
  const r = rig(t, { cameras: 3 });
  const bad = r.cams[1]!.record.cameraNum;
  const parts = r.parts;
  const service = snapshotService(
    {
      ...parts,
      capture: {
        capture: async (cam: StoredCamera) => {
          if (cam.record.cameraNum === bad) throw new Error('camera unreachable');
          return { jpeg: fakeJpeg(704, 576), width: 704, height: 576, source: 'pull' as const, from: 'test' };
        },
      },
    },
    { config: r.config, cameras: r.cameras, outbox: r.outbox, log: silentLogger(), now: () => r.clock.now, timers: r.clock },
  );
  r.clock.settle = () => service.idle();
  t.teardown(() => service.stop());
  service.start();
  await r.clock.advance(I);
  const nums = r.outbox.due('snapshot', 100, r.clock.now).map((x) => (x.payload as SnapshotItem).cameraNum);
  t.equal(nums.length, 2);
  t.notOk(nums.includes(bad));
});

t.test('keep_days below 7 is refused, naming the key', async (t) => {
  const res = configSchema.safeParse({ ...snapConfigInput(), snapshots: { keep_days: 6 } });
  t.notOk(res.success);
  if (!res.success) t.match(formatIssues(res.error).join('\n'), /^snapshots\.keep_days: .*at least 7/m);
  t.ok(configSchema.safeParse({ ...snapConfigInput(), snapshots: { keep_days: 7 } }).success);
  t.equal(configSchema.parse(snapConfigInput()).snapshots.interval_s, 300, 'every 5 minutes by default');
});

function snapConfigInput(): Record<string, unknown> {
  return {
    gateway: { device_code: 'vg-1', data_dir: '/tmp/x' },
    province: { base_url: 'https://127.0.0.1:1', user: 'u', token: 't', sm2_private_key: '1'.repeat(64) },
  };
}

t.test('retention: files and rows older than keep_days go, newer ones stay', async (t) => {
  const r = rig(t, { cameras: 1 });
  const num = r.cams[0]!.record.cameraNum;
  const cap = { jpeg: fakeJpeg(352, 288), width: 352, height: 288, source: 'stream' as const, from: 'test' };
  const now = T0 + 30 * DAY;
  const ages = { old9d: 9 * DAY, old7d1h: 7 * DAY + 3_600_000, new6d: 6 * DAY, new1h: 3_600_000 };
  const snaps = Object.fromEntries(await Promise.all(Object.entries(ages).map(async ([k, age]) => [k, await r.parts.files.save(num, now - age, cap)] as const)));
  // A file whose row was lost (crash between write and insert) in an old day directory.
  const orphanDir = path.join(r.parts.files.dir, num, '20200101');
  fs.mkdirSync(orphanDir, { recursive: true });
  fs.writeFileSync(path.join(orphanDir, '120000.jpg'), cap.jpeg);
  r.clock.now = now;
  await r.service.maintain();
  const left = r.parts.files.store.list(num).map((s) => s.id);
  t.same(left.sort(), [snaps['new6d']!.id, snaps['new1h']!.id].sort(), 'rows of the last 7 days stay');
  for (const k of ['old9d', 'old7d1h']) t.notOk(fs.existsSync(r.parts.files.absPath(snaps[k]!.path)), `${k} file removed`);
  for (const k of ['new6d', 'new1h']) t.ok(fs.existsSync(r.parts.files.absPath(snaps[k]!.path)), `${k} file kept`);
  t.notOk(fs.existsSync(orphanDir), 'an old day directory without rows is swept too');
  // Seven days and a minute later the 6-day-old one goes as well.
  r.clock.now = now + DAY + 60_000;
  await r.service.maintain();
  t.same(r.parts.files.store.list(num).map((s) => s.id), [snaps['new1h']!.id]);
});

t.test('disk guard: the oldest go first when the disk passes the threshold; with nothing left to remove the write is skipped', async (t) => {
  // A 10 000-byte "disk" holding the snapshots plus `base` bytes of other data.
  let base = 0;
  let store: { totalBytes(): number } | undefined;
  const statfs = async (): Promise<DiskUsage> => {
    const used = base + (store?.totalBytes() ?? 0);
    return { usedPercent: (used / 10_000) * 100, freeMb: 10_000 };
  };
  const r = rig(t, { cameras: 1, snapshots: { max_disk_percent: 50 }, statfs, bytes: 1000 });
  store = r.parts.files.store;
  const num = r.cams[0]!.record.cameraNum;
  const ids: number[] = [];
  for (let i = 0; i < 8; i++) {
    r.clock.now = T0 + i * 1000;
    ids.push((await r.service.takeNow(num)).id);
  }
  const kept = r.parts.files.store.list(num).map((s) => s.id).sort((a, b) => a - b);
  t.ok(r.parts.files.store.totalBytes() <= 6000, `at most one write over 50 % (${r.parts.files.store.totalBytes()} bytes kept)`);
  t.same(kept, ids.slice(ids.length - kept.length), 'the newest are kept, the oldest went');
  t.ok(kept.length < 8, 'some were removed');
  t.equal(fs.readdirSync(path.join(r.parts.files.dir, num)).flatMap((d) => fs.readdirSync(path.join(r.parts.files.dir, num, d))).length, kept.length, 'files and rows agree');

  // Another program fills the disk: every snapshot goes, and the next one is not written.
  base = 9_000;
  await t.rejects(r.service.takeNow(num), NoRoomError);
  t.equal(r.parts.files.store.count(), 0, 'all removed to make room');
  t.equal(r.taken.length, 8, 'no capture was even tried without room');

  // The min_free_mb limit acts the same way.
  base = 0;
  const r2 = rig(t, { cameras: 1, snapshots: { min_free_mb: 1000 }, statfs: async () => ({ usedPercent: 5, freeMb: 999 }) });
  await t.rejects(r2.service.takeNow(r2.cams[0]!.record.cameraNum), NoRoomError);
});

t.test('the real statfs gives sane figures for the snapshot dir', async (t) => {
  const u = await realStatFs(tempDir(t));
  t.ok(u.usedPercent >= 0 && u.usedPercent <= 100, `${u.usedPercent.toFixed(1)} % used`);
  t.ok(u.freeMb > 0, `${Math.round(u.freeMb)} MB free`);
});

t.test('start arms the round and maintenance timers; stop clears them', async (t) => {
  const r = rig(t, { cameras: 2 });
  r.service.start();
  t.ok(r.clock.pending() >= 2, 'the round timer and the maintenance timer are armed');
  await r.service.stop();
  t.equal(r.clock.pending(), 0, 'stop clears them');
});

t.test('200 cameras with slow captures: never more than `concurrency` at once, every one taken, one report when the last ends', async (t) => {
  const r = rig(t, { cameras: 200, snapshots: { concurrency: 4 } });
  let running = 0;
  let peak = 0;
  let done = 0;
  // Each capture takes 5 s of fake time: demand averages 200 × 5 s / 300 s ≈ 3.3 at once, with peaks above 4.
  const slow = {
    capture: (): Promise<CapturedJpeg> =>
      new Promise((resolve) => {
        running++;
        peak = Math.max(peak, running);
        r.clock.setTimeout(() => {
          running--;
          done++;
          resolve({ jpeg: fakeJpeg(352, 288), width: 352, height: 288, source: 'stream', from: 'test' });
        }, 5000);
      }),
  };
  const service = snapshotService({ ...r.parts, capture: slow }, { config: r.config, cameras: r.cameras, outbox: r.outbox, log: silentLogger(), now: () => r.clock.now, timers: r.clock });
  // Captures wait on the fake clock, so idle() would never resolve. Between steps, wait until every
  // capture under way is parked on the fake clock: the real I/O around them (disk check, file,
  // database) is done. A fixed real delay let the fake clock run ahead of a loaded machine, into
  // the next round (done = 202).
  r.clock.settle = async () => {
    const giveUp = Date.now() + 10_000;
    while (service.underWay() !== running) {
      if (Date.now() > giveUp) throw new Error(`captures not parked on the fake clock after 10 s: ${service.underWay()} busy, ${running} waiting`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  service.start();
  for (let s = 0; s < I / 1000 + 120 && r.outbox.due('snapshot', 1000, r.clock.now).length === 0; s++) await r.clock.advance(1000);
  t.equal(done, 200, 'all 200 cameras taken in the round');
  t.equal(peak, 4, 'the bound was reached and never passed');
  t.equal(r.outbox.due('snapshot', 1000, r.clock.now).length, 200, 'one report of the whole round');
  // stop() waits for the captures of the next round, which end on the fake clock.
  const stopping = service.stop();
  await r.clock.advance(10_000);
  await stopping;
  t.equal(running, 0);
});

t.test('a round the database refuses (disk full) is kept and queued once at the next wake, nothing thrown', async (t) => {
  const r = rig(t, { cameras: 5 });
  r.service.start();
  await r.clock.advance(I - 1);
  t.equal(r.taken.length, 5, 'the round is captured');
  const roomAgain = fillDatabase(r.db);
  t.throws(() => r.outbox.enqueue('snapshot', { cameraNum: 'x', time: 1, snapshotUrl: 'https://x/y.jpg' }), { code: 'SQLITE_FULL' }, 'the database is full');
  await r.clock.advance(1);
  t.equal(r.outbox.due('snapshot', 100, r.clock.now).length, 0, 'full: nothing queued, and the timer did not throw');
  roomAgain();
  const firstSlot = Math.min(...r.cams.map((c) => r.service.offsetOf(c.record.cameraNum)));
  await r.clock.advance(firstSlot + 1);
  const nums = r.outbox.due('snapshot', 100, r.clock.now).map((x) => (x.payload as SnapshotItem).cameraNum);
  t.same(nums.sort(), r.cams.map((c) => c.record.cameraNum).sort(), 'room again: the kept round is queued, each camera once');
});
