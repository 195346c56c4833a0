import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { runCli } from '../../src/cli/main.js';
import { openDb } from '../../src/store/db.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

// `rm` asks on a terminal; the tests exercise the non-interactive path.
Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });

const ADD = [
  'cameras', 'add', '--id', 'K1844+158-up', '--department', '京珠北分公司', '--camera-name', '京港澳高速K1844+158上行',
  '--long-and-lati', '113.2644/23.1291', '--road', 'G4', '--road-name', '京港澳高速', '--road-sec', '京珠北段',
  '--classify', '0', '--poi-name', '京港澳高速', '--orientation', '1', '--pile-num', 'K1844+158', '--camera-type', '1',
  '--has-control', '1', '--area-code', '440201', '--push-type', '2', '--ip', '10.0.0.5',
  '--onvif-url', 'http://10.0.0.5/onvif/device_service', '--onvif-user', 'admin', '--onvif-password', 'hunter2',
  '--rtsp-main', 'rtsp://10.0.0.5/main', '--overlay-text', '京港澳高速 K1844+158',
];
const flag = (args: string[], name: string, value: string) => {
  const out = [...args];
  out[out.indexOf(name) + 1] = value;
  return out;
};
const without = (args: string[], name: string) => args.filter((_, i) => args[i] !== name && args[i - 1] !== name);

function setup(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const run = cliRunner(writeMinimalConfig(dir));
  const outbox = () => {
    const db = openDb(dataDir);
    try {
      return new OutboxStore(db).list({ pending: true, limit: 1000 }).reverse().map((i) => [i.kind, i.payload]);
    } finally {
      db.close();
    }
  };
  return { dir, run, outbox };
}

t.test('add, list, show, edit, rm', async (t) => {
  const { run, outbox } = setup(t);
  const added = await run(...ADD);
  t.equal(added.code, 0, added.err);
  t.match(added.out, /^added camera K1844\+158-up \(cameraNum [0-9a-f-]{36}\); queued for sync to the province\n$/);
  const num = /cameraNum ([0-9a-f-]{36})/.exec(added.out)![1]!;
  t.same(outbox(), [['camera.upsert', { cameraNum: num }]]);

  const list = await run('cameras', 'list');
  t.equal(list.code, 0);
  t.match(list.out, /^id\s+cameraNum\s+cameraName\s+pileNum\s+pushType\s+sync\n/);
  t.match(list.out, new RegExp(`K1844\\+158-up\\s+${num}\\s+京港澳高速K1844\\+158上行\\s+K1844\\+158\\s+2 on demand\\s+pending`));

  const show = await run('cameras', 'show', num);
  t.equal(show.code, 0);
  t.match(show.out, /onvifPassword\s+\*{8}/);
  t.notMatch(show.out, /hunter2/);
  const shown = JSON.parse((await run('cameras', 'show', 'K1844+158-up', '--json')).out) as {
    record: { areaCode: unknown; cameraNum: string };
    access: { onvifPassword: string };
  };
  t.equal(shown.record.areaCode, 440201);
  t.equal(shown.access.onvifPassword, '********');

  const edit = await run('cameras', 'edit', 'K1844+158-up', '--pile-num', 'K1844+160', '--ip', '');
  t.equal(edit.code, 0, edit.err);
  t.match(edit.out, /^updated camera K1844\+158-up .*queued for sync to the province/);
  const afterEdit = JSON.parse((await run('cameras', 'show', num, '--json')).out) as { record: { pileNum: string }; access: Record<string, string> };
  t.equal(afterEdit.record.pileNum, 'K1844+160');
  t.notOk('ip' in afterEdit.access, 'an empty value clears an access field');
  t.match((await run('cameras', 'edit', num, '--pile-num', 'K1844+160')).out, /unchanged/);

  const listed = JSON.parse((await run('cameras', 'list', '--json')).out) as Array<Record<string, unknown>>;
  t.same(listed, [{ id: 'K1844+158-up', cameraNum: num, cameraName: '京港澳高速K1844+158上行', pileNum: 'K1844+160', pushType: 2, syncState: 'pending', syncMsg: null }]);

  const refused = await run('cameras', 'rm', 'K1844+158-up');
  t.equal(refused.code, 2);
  t.match(refused.err, /refusing to delete camera K1844\+158-up without --yes/);
  const rm = await run('cameras', 'rm', 'K1844+158-up', '--yes');
  t.equal(rm.code, 0, rm.err);
  t.match(rm.out, /removed camera K1844\+158-up/);
  t.same(outbox().at(-1), ['camera.delete', { cameraNum: num }]);
  t.match((await run('cameras', 'list')).out, /no cameras/);
});

t.test('validation errors name the flag (or the JSON key) and exit 2', async (t) => {
  const { run } = setup(t);
  const cases: Array<[string[], RegExp]> = [
    [flag(ADD, '--pile-num', 'K1844'), /^vcgw: --pile-num: must be K<km>\+<m>, e.g. K1844\+158\n$/],
    [flag(flag(ADD, '--pile-num', '无'), '--classify', '3'), /^vcgw: --pile-num: "无" is allowed only for toll stations and service areas/],
    [flag(ADD, '--long-and-lati', '200/23'), /^vcgw: --long-and-lati: must be "lng\/lat"/],
    [flag(ADD, '--area-code', '44020'), /^vcgw: --area-code: must be a 6-digit county code/],
    [flag(ADD, '--push-type', '3'), /^vcgw: --push-type: must be one of 1, 2/],
    [flag(ADD, '--id', 'bad id'), /^vcgw: --id: must be 1–64 letters/],
    [without(ADD, '--department'), /^vcgw: --department: required/],
    [['cameras', 'add', '--json', '{"id":"x","pileNum":"K1"}'], /^vcgw: department: required/],
    [['cameras', 'add', '--json', '{"id":"x"'], /^vcgw: --json: not valid JSON/],
    [['cameras', 'add', '--json', '[1]'], /^vcgw: --json: must be an object/],
  ];
  for (const [args, message] of cases) {
    const r = await run(...args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, message);
  }
  t.equal((await run(...ADD)).code, 0);
  const dup = await run(...ADD);
  t.equal(dup.code, 2);
  t.match(dup.err, /^vcgw: --id: "K1844\+158-up" is already used by camera/);
  const bare = await run('cameras', 'add', '--id', 'K1-bare', '--pile-num', 'K1', '--area-code', 'x');
  t.equal(bare.code, 2);
  t.equal(
    bare.err,
    'vcgw: --department: required; --camera-name: required; --long-and-lati: required; --road: required; --road-name: required; ' +
      '--road-sec: required; --classify: required; --poi-name: required; --orientation: required; --camera-type: required; ' +
      '--has-control: required; --area-code: must be a 6-digit county code, e.g. 440201; --push-type: required\n',
    'every missing or bad field at once, by its flag',
  );
  const badEdit = await run('cameras', 'edit', 'K1844+158-up', '--json', '{"pileNum":"K9"}');
  t.equal(badEdit.code, 2);
  t.match(badEdit.err, /^vcgw: pileNum: must be K<km>\+<m>/, 'named as the JSON key');
  const renum = await run('cameras', 'edit', 'K1844+158-up', '--camera-num', 'aef89ecc-4cc6-4a6d-80fd-283196105b0b');
  t.equal(renum.code, 2);
  t.match(renum.err, /^vcgw: --camera-num: cannot be changed/);
});

t.test('a JSON add with the area code as a string', async (t) => {
  const { run } = setup(t);
  const json = {
    id: 'fwq-1', department: '京珠北分公司', cameraName: '沙田服务区', longAndLati: '113.1/23.1', road: 'G4',
    roadName: '京港澳高速', roadSec: '京珠北段', classify: 2, poiName: '沙田服务区', cameraOrientation: 3,
    pileNum: '无', cameraType: 3, hasControl: 0, areaCode: '441900', pushType: 1,
  };
  const r = await run('cameras', 'add', '--json', JSON.stringify(json), '--camera-type', '2');
  t.equal(r.code, 0, r.err);
  const shown = JSON.parse((await run('cameras', 'show', 'fwq-1', '--json')).out) as { record: Record<string, unknown> };
  t.equal(shown.record.areaCode, 441900);
  t.equal(shown.record.cameraType, 2, 'a flag wins over --json');
});

t.test('unknown cameras exit 1', async (t) => {
  const { run } = setup(t);
  for (const args of [['show', 'nope'], ['edit', 'nope', '--pile-num', 'K1+1'], ['rm', 'nope', '--yes']]) {
    const r = await run('cameras', ...args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.err, /^vcgw: no camera with id or cameraNum "nope"/);
  }
});

t.test('import and export', async (t) => {
  const { dir, run, outbox } = setup(t);
  t.equal((await run(...ADD)).code, 0);
  t.equal((await run(...flag(flag(ADD, '--id', 'second'), '--camera-name', '名称, 含"引号"'))).code, 0);

  const plain = await run('cameras', 'export');
  t.equal(plain.code, 0);
  t.match(plain.out, /^id,cameraNum,/);
  t.notMatch(plain.out, /hunter2|onvifPassword/);
  t.match((await run('cameras', 'export', '--include-secrets')).out, /hunter2/);

  const file = path.join(dir, 'cameras.csv');
  const exported = await run('cameras', 'export', '--out', file, '--include-secrets');
  t.equal(exported.code, 0, exported.err);
  t.match(exported.err, /exported 2 cameras/);
  const text = fs.readFileSync(file, 'utf8');
  t.ok(text.startsWith('\uFEFF'), 'a BOM for Excel');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'secrets are not world-readable');

  const again = await run('cameras', 'import', file);
  t.equal(again.code, 0, again.err);
  t.equal(again.out, '0 added, 0 updated, 2 unchanged\n');

  // the first camera again under a new id, without a cameraNum: a new camera
  const fresh = path.join(dir, 'new.csv');
  const lines = plain.out.trimEnd().split('\n');
  fs.writeFileSync(fresh, `${lines[0]}\n${lines[1]!.replace(/^[^,]+,[^,]+,/, 'new-cam,,')}\n`);
  const before = outbox().length;
  const dry = await run('cameras', 'import', fresh, '--dry-run');
  t.equal(dry.code, 0, dry.err);
  t.equal(dry.out, 'dry run: 1 added, 0 updated, 0 unchanged; nothing stored\n');
  t.match((await run('cameras', 'list')).out, /^(?![\s\S]*new-cam)/, 'not stored');
  t.equal(outbox().length, before);
  const imported = await run('cameras', 'import', fresh);
  t.equal(imported.code, 0, imported.err);
  t.equal(imported.out, '1 added, 0 updated, 0 unchanged; 1 queued for sync to the province\n');
  t.equal(outbox().length, before + 1);
  t.match((await run('cameras', 'show', 'new-cam')).out, /source\s+import/);

  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, plain.out.replace('K1844+158,', 'K1844+158+1,'));
  const rejected = await run('cameras', 'import', bad);
  t.equal(rejected.code, 2);
  t.match(rejected.err, /^vcgw: row 2, pileNum: must be K<km>\+<m>/);

  fs.writeFileSync(bad, Buffer.from([0x69, 0x64, 0x0a, 0xb9, 0xe3, 0xd6, 0xdd, 0x0a]));
  const gbk = await run('cameras', 'import', bad);
  t.equal(gbk.code, 2);
  t.match(gbk.err, /not UTF-8/);
  const missing = await run('cameras', 'import', path.join(dir, 'missing.csv'));
  t.equal(missing.code, 2);
  t.match(missing.err, /missing\.csv: ENOENT/);
});

t.test('every verb has a usage example; a bad config exits 2', async (t) => {
  const { dir, run } = setup(t);
  for (const verb of ['list', 'show', 'add', 'edit', 'rm', 'import', 'export']) {
    const r = await run('cameras', verb, '--help');
    t.equal(r.code, 0, verb);
    t.match(r.out, new RegExp(`Example:\\n  vcgw cameras ${verb === 'import' ? 'export' : verb} `), verb);
  }
  const r = await runCli(['-c', path.join(dir, 'nope.toml'), 'cameras', 'list'], new PassThrough(), new PassThrough());
  t.equal(r, 2);
});
