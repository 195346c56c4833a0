// `vcgw sim gb-device` against the gateway's GB service on 127.0.0.1: it registers with digest,
// lists its channels, answers the catalogue, and unregisters on Ctrl-C; bad flags are named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { GB_PASSWORD, gbService, nextEvent } from '../helpers/gb.js';

const DEVICE = '44010000041180000005';

t.test('registers, answers the catalogue, unregisters on SIGINT', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-simgb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = cliRunner(writeMinimalConfig(dir));
  const svc = await gbService(t);
  const online = nextEvent(svc, 'registered', DEVICE);
  const running = run('sim', 'gb-device', '--registrar', `127.0.0.1:${svc.registrar.port}`, '--device-id', DEVICE, '--password', GB_PASSWORD, '--channels', '3', '--transport', 'tcp', '--quirk', 'gb2312-catalog');
  await online;
  const cat = await svc.registrar.catalog(DEVICE);
  t.match(cat, { complete: true, sumNum: 3 });
  t.equal(svc.store.device(DEVICE)?.transport, 'TCP');
  const offline = nextEvent(svc, 'offline', DEVICE);
  process.emit('SIGINT');
  const r = await running;
  await offline;
  t.equal(r.code, 0, r.err);
  t.match(r.out, new RegExp(`registered ${DEVICE} to 127.0.0.1:\\d+ over TCP`));
  t.match(r.out, /channels: 44010000041310000001 44010000041310000002 44010000041310000003/);
  t.notOk(svc.registrar.isOnline(DEVICE), 'unregistered (Expires 0) on Ctrl-C');
});

t.test('bad flags are refused with the flag named', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-simgb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = cliRunner(writeMinimalConfig(dir));
  for (const [args, pattern] of [
    [['--quirk', 'nope'], /--quirk: expected one of reuse-call-id/],
    [['--codec', 'vp9'], /--codec: expected h264 or h265/],
    [['--device-id', '123'], /--device-id: expected 20 digits/],
    [['--channels', '-1'], /--channels: expected an integer/],
  ] as const) {
    const r = await run('sim', 'gb-device', ...args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, pattern);
  }
});
