// `vcgw gb devices|channels|catalog`, `vcgw cameras add --gb-channel` and CSV import with
// gbChannelId, against the daemon's GB service on the same data directory (the CLI and the daemon
// share the SQLite file; `gb catalog` is carried out by the service polling its request row), with
// a 16-channel simulated NVR registered over UDP on 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openDb } from '../../src/store/db.js';
import { CameraStore } from '../../src/store/cameras.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { gbDevice, gbService } from '../helpers/gb.js';

const NVR = '44010000041180000001';

t.test('a registered NVR, its catalogue, two channels added as cameras', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-gbcli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = writeMinimalConfig(dir, ['[gb28181]', 'enabled = true', 'listen = "127.0.0.1:0"', 'password = "12345678"']);
  const run = cliRunner(config);
  const db = openDb(path.join(dir, 'data'));
  t.teardown(() => db.close());
  const svc = await gbService(t, { db });
  const nvr = await gbDevice(t, svc, { deviceId: NVR, channels: 16, catalogPageSize: 5 });
  await nvr.register(3600);
  // The service asks for info and catalogue after a fresh registration; wait for both (bounded).
  const started = Date.now();
  while (svc.store.channels(NVR).length < 16 || svc.store.device(NVR)?.channelCount !== 16) {
    if (Date.now() - started > 8000) throw new Error('catalogue not stored after registration');
    await new Promise((r) => setTimeout(r, 20));
  }

  const devices = await run('gb', 'devices', '--json');
  t.equal(devices.code, 0);
  t.match(JSON.parse(devices.out), [{ deviceId: NVR, online: true, transport: 'UDP', channelCount: 16 }]);
  const human = await run('gb', 'devices');
  t.match(human.out, new RegExp(`${NVR}\\s+online`));

  const channels = await run('gb', 'channels', NVR, '--json');
  t.equal(channels.code, 0);
  const list = JSON.parse(channels.out) as { channelId: string; candidate: boolean }[];
  t.equal(list.length, 16);
  t.ok(list.every((c) => c.candidate), 'every NVR video channel is a camera candidate');

  const catalog = await run('gb', 'catalog', NVR);
  t.equal(catalog.code, 0, catalog.err);
  t.match(catalog.out, `${NVR}: 16/16 items in 4 page(s)`);

  const [ch1, ch2] = nvr.channelIds();
  const add = await run('cameras', 'add', '--json', JSON.stringify(sampleCameraEntry(1, { rtspMain: undefined })), '--gb-channel', ch1!);
  t.equal(add.code, 0, add.err);
  const csv = path.join(dir, 'cams.csv');
  const row = { ...sampleCameraEntry(2), gbChannelId: ch2! } as Record<string, unknown>;
  delete row['rtspMain'];
  fs.writeFileSync(csv, `${Object.keys(row).join(',')}\n${Object.values(row).join(',')}\n`);
  const imported = await run('cameras', 'import', csv);
  t.equal(imported.code, 0, imported.err);
  const cams = new CameraStore(db).all();
  t.same(
    cams.map((c) => [c.id, c.access.gbDeviceId, c.access.gbChannelId]),
    [
      ['cam-1', NVR, ch1],
      ['cam-2', NVR, ch2],
    ],
    'the device id was found from the catalogue for both',
  );
  const after = await run('gb', 'channels', NVR);
  t.match(after.out, new RegExp(`${ch1}.*cam-1`));

  const unknown = await run('cameras', 'add', '--json', JSON.stringify(sampleCameraEntry(3)), '--gb-channel', '44010000041310009999');
  t.equal(unknown.code, 2);
  t.match(unknown.err, /gbDeviceId: required with gbChannelId 44010000041310009999: no registered device lists that channel/);
  const badProvince = await run('cameras', 'add', '--json', JSON.stringify(sampleCameraEntry(4, { areaCode: 'x' })), '--gb-channel', nvr.channelIds()[2]!);
  t.equal(badProvince.code, 2, 'province fields are validated as for any camera');
  t.match(badProvince.err, /areaCode|--area-code/);
  const badId = await run('gb', 'channels', '123');
  t.equal(badId.code, 2);
  t.match(badId.err, /DEVICE: expected a 20-digit/);
});

t.test('gb catalog without a running daemon says so after its timeout', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-gbcli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = cliRunner(writeMinimalConfig(dir));
  const db = openDb(path.join(dir, 'data'));
  db.prepare(
    `INSERT INTO gb_devices (device_id, transport, address, port, expires_at, registered_at, last_seen_at, online, updated_at) VALUES (?, 'UDP', '127.0.0.1', 5060, 0, 0, 0, 0, 0)`,
  ).run(NVR);
  db.close();
  const r = await run('gb', 'catalog', NVR, '--timeout', '0.3');
  t.equal(r.code, 1);
  t.match(r.err, /no answer from the daemon in 0.3 s/);
  const never = await run('gb', 'catalog', '44010000041180000002');
  t.equal(never.code, 1);
  t.match(never.err, /has never registered/);
});
