// `vcgw cascade …` against a config with two upper platforms and cameras in the database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { CASCADE_STATUS_KEY } from '../../src/modules/cascade/service.js';
import { openDb, setKv } from '../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';

const PLATFORM = (name: string, segments: string) => [
  '[[cascade]]',
  `name = "${name}"`,
  'upper_id = "44000000002000000001"',
  'upper_domain = "4400000000"',
  'upper_address = "10.20.0.5"',
  'local_id = "44020000002000000001"',
  'password = "secret"',
  `local_port = ${name === 'police' ? 5061 : 5062}`,
  segments,
];

/** A config with the two platforms and two cameras, provisioned into the database. */
async function setup(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-cascade-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cams = [0, 1].flatMap((i) => {
    const { id, ip, rtspMain, ...rest } = sampleCameraEntry(i);
    return ['[[cameras]]', `id = "${String(id)}"`, `ip = "${String(ip)}"`, `rtspMain = "${String(rtspMain)}"`, ...Object.entries(rest).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)];
  });
  const config = writeMinimalConfig(dir, [
    ...PLATFORM('police', 'segments = [{ from = "44020000002160000001", to = "44020000002160000099" }, { from = "44020000001320000001", to = "44020000001320000099" }]'),
    ...PLATFORM('transport', 'segments = [{ from = "44020000002160000001", to = "44020000002160000099" }, { from = "44020000002160000050", to = "44020000002160000060" }]'),
    ...cams,
  ]);
  const vcgw = cliRunner(config);
  // The cameras reach the database through provisioning, as at a daemon start.
  const { CameraService } = await import('../../src/modules/cameras/service.js');
  const { CameraStore } = await import('../../src/store/cameras.js');
  const { OutboxStore } = await import('../../src/store/outbox.js');
  const { loadConfig } = await import('../../src/config/load.js');
  const db = openDb(path.join(dir, 'data'));
  new CameraService({ db, cameras: new CameraStore(db), outbox: new OutboxStore(db) }).provisionFromConfig(loadConfig(config).cameras);
  return { db, vcgw };
}

t.test('list, show, channels, segments, status', async (t) => {
  const { db, vcgw } = await setup(t);

  const list = await vcgw('cascade', 'list');
  t.equal(list.code, 0, 'list runs');
  t.match(list.out, /police\s+yes\s+44000000002000000001 UDP 10\.20\.0\.5:5060/, 'a row per platform');
  const show = JSON.parse((await vcgw('cascade', 'show', 'police', '--json')).out) as Record<string, unknown>;
  t.equal(show['password'], '(set)', 'the password is not shown');
  const unknown = await vcgw('cascade', 'show', 'nope');
  t.match(unknown, { code: 2, err: /no \[\[cascade\]\] named "nope" \(configured: police, transport\)/ }, 'an unknown name is named');

  const channels = JSON.parse((await vcgw('cascade', 'channels', 'police', '--json')).out) as { nodes: { code: string; kind: string }[] };
  t.equal(channels.nodes.filter((n) => n.kind === 'channel').length, 2, 'both cameras are channels');
  t.ok(channels.nodes.every((n) => /^\d{20}$/.test(n.code)), 'every node has a code');
  const again = JSON.parse((await vcgw('cascade', 'channels', 'police', '--json')).out) as typeof channels;
  t.same(again.nodes.map((n) => n.code), channels.nodes.map((n) => n.code), 'the codes are kept');
  const human = await vcgw('cascade', 'channels', 'transport');
  t.match(human.err, /overlap: segment 44020000002160000050–44020000002160000060 overlaps/, 'a bad segment is named on the channels listing');

  const segments = JSON.parse((await vcgw('cascade', 'segments', '--json')).out) as { platform: string; type: number; used: number }[];
  t.match(segments.filter((s) => s.platform === 'police'), [{ type: 216, used: 5 }, { type: 132, used: 2 }], 'segment use counted');

  t.match(await vcgw('cascade', 'status'), { code: 0, out: /no cascade status yet/ }, 'no status before the daemon wrote one');
  setKv(db, CASCADE_STATUS_KEY, JSON.stringify({ at: Date.now(), links: [{ name: 'police', state: 'registered', registeredAt: Date.now(), keepalivesSent: 3, keepalivesAnswered: 3, streams: [] }] }));
  db.close();
  t.match((await vcgw('cascade', 'status')).out, /police\s+registered\s+.*3\/3\s+0/, 'the status the daemon wrote');
});

t.test('two platforms on one local port are refused, naming the field', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-cascade-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const seg = 'segments = []';
  const vcgw = cliRunner(writeMinimalConfig(dir, [...PLATFORM('a', seg), ...PLATFORM('b', seg)].map((l) => l.replace(/local_port = \d+/, 'local_port = 5070'))));
  const out = await vcgw('cascade', 'list');
  t.not(out.code, 0, 'refused');
  t.match(out.err, /cascade\.1\.local_port.*5070 is cascade\.0\.local_port too/, 'the field and the clash named');
});

t.test('codes set by hand: the same rules, stored as manual, kept, never taken by automatic codes', async (t) => {
  const { db, vcgw } = await setup(t);
  type Node = { code: string; kind: string; key: string; manual: boolean };
  const nodes = async () => (JSON.parse((await vcgw('cascade', 'channels', 'police', '--json')).out) as { nodes: Node[] }).nodes;
  const before = await nodes();
  const [first, second] = before.filter((n) => n.kind === 'channel');
  const org = before.find((n) => n.kind === 'org')!;
  t.ok(first && second && before.every((n) => !n.manual), 'two channels, every code automatic');

  const code = (c: string, key = first!.key) => vcgw('cascade', 'code', 'police', key, c);
  t.match(await code('4402000000132000001'), { code: 2, err: /CODE 4402000000132000001 breaks rule format: .*not a 20-digit/ }, 'a code of 19 digits: rule format');
  t.match(await code('44020000002160000050'), { code: 2, err: /CODE 44020000002160000050 breaks rule type: .*type 216 where a channel needs 132 or 131/ }, 'an organization type on a channel: rule type');
  t.match(await code('44020000001320000500'), { code: 2, err: /CODE 44020000001320000500 breaks rule segment: .*inside no configured segment/ }, 'outside the segments: rule segment');
  t.match(await code(second!.code), { code: 2, err: new RegExp(`CODE ${second!.code} breaks rule duplicate: .*already the code of ${second!.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }, "another channel's code: rule duplicate");
  t.match(await code('44020000002160000077', 'no-such-node'), { code: 2, err: /NODE_KEY: no node "no-such-node"/ }, 'an unknown node key is named');
  t.match(await code('44020000002160000077', org.key), { code: 0, out: /now has code 44020000002160000077/ }, 'an organization node takes a free 216 code');

  t.match(await code('44020000001320000042'), { code: 0, out: /now has code 44020000001320000042 at police \(set by hand\)/ }, 'a valid code is set');
  const after = await nodes();
  t.match(after.find((n) => n.key === first!.key), { code: '44020000001320000042', manual: true }, 'listed with its code, marked manual');
  t.equal(after.find((n) => n.key === second!.key)!.code, second!.code, 'the other channel keeps its code');
  const row = db.prepare('SELECT code, manual FROM cascade_codes WHERE platform = ? AND node_key = ?').get('police', first!.key);
  t.same(row, { code: '44020000001320000042', manual: 1 }, 'stored in SQLite with manual=1');

  // A new camera is coded automatically: it takes the freed code 1 or later, never the manual one.
  const { CameraStore } = await import('../../src/store/cameras.js');
  const { sampleCameraRecordFields } = await import('../../src/sim/sampleCamera.js');
  const { cameraRecordSchema } = await import('../../src/protocols/province/messages.js');
  new CameraStore(db).put({ id: 'added', record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(7), cameraNum: crypto.randomUUID() }), access: { ip: '127.0.0.1' }, source: 'cli' });
  const third = await nodes();
  t.equal(third.filter((n) => n.kind === 'channel').length, 3, 'the added camera is a channel');
  t.equal(third.filter((n) => n.code === '44020000001320000042').length, 1, 'the manual code is not handed out again');
  t.match(third.find((n) => n.key === first!.key), { code: '44020000001320000042', manual: true }, 'and stays on its node across runs');
  t.equal(new Set(third.map((n) => n.code)).size, third.length, 'no duplicate anywhere in the tree');
  db.close();
});
