// A GB camera's own stream transport: `cameras add --gb-transport`, the CSV column gbTransport,
// validated with the field named, and carried in the engine's stream name to the INVITE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { gbStreamUrl, parseGbStreamUrl } from '../../src/modules/gb28181/pull.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

const DEVICE = '44010000041180000001';
const CHANNEL = '44010000041310000001';

t.test('--gb-transport and the gbTransport column: stored, validated', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-gbtr-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = cliRunner(writeMinimalConfig(dir));
  const entry = (i: number) => {
    const e = sampleCameraEntry(i);
    delete e['rtspMain'];
    return JSON.stringify(e);
  };
  const gb = ['--gb-device-id', DEVICE, '--gb-channel-id', CHANNEL];
  const added = await run('cameras', 'add', '--json', entry(1), ...gb, '--gb-transport', 'tcp-active');
  t.equal(added.code, 0, added.err);
  const bad = await run('cameras', 'add', '--json', entry(2), ...gb, '--gb-transport', 'tcp');
  t.equal(bad.code, 2);
  t.match(bad.err, /gbTransport|--gb-transport/);
  t.match(bad.err, /udp.*tcp-passive.*tcp-active/);
  const alone = await run('cameras', 'add', '--json', entry(3), '--gb-transport', 'udp');
  t.equal(alone.code, 2);
  t.match(alone.err, /--gb-transport: only for a GB\/T 28181 camera/);

  const csv = path.join(dir, 'cams.csv');
  const row = { ...sampleCameraEntry(4), gbDeviceId: DEVICE, gbChannelId: '44010000041310000002', gbTransport: 'tcp-passive' } as Record<string, unknown>;
  delete row['rtspMain'];
  fs.writeFileSync(csv, `${Object.keys(row).join(',')}\n${Object.values(row).join(',')}\n`);
  const imported = await run('cameras', 'import', csv);
  t.equal(imported.code, 0, imported.err);

  const db = openDb(path.join(dir, 'data'));
  t.teardown(() => db.close());
  t.same(
    new CameraStore(db).all().map((c) => [c.id, c.access.gbTransport]),
    [
      ['cam-1', 'tcp-active'],
      ['cam-4', 'tcp-passive'],
    ],
  );
});

t.test("the camera's transport travels in the engine's stream name", async (t) => {
  t.equal(gbStreamUrl(DEVICE, CHANNEL), `gb28181:${DEVICE}/${CHANNEL}`, 'none: the [gb28181] default applies');
  t.same(parseGbStreamUrl(gbStreamUrl(DEVICE, CHANNEL, 'tcp-active')), { deviceId: DEVICE, channelId: CHANNEL, transport: 'tcp-active' });
  t.same(parseGbStreamUrl(gbStreamUrl(DEVICE, CHANNEL)), { deviceId: DEVICE, channelId: CHANNEL });
  t.equal(parseGbStreamUrl(`gb28181:${DEVICE}/${CHANNEL}?transport=sctp`), undefined, 'an unknown transport is no GB stream');
});
