// `vcgw sim gb-platform --once`: the gateway's cascade link registers to it, it checks the catalog
// strictly and exits 0; a bad flag is named.
import crypto from 'node:crypto';
import t from 'tap';
import { cascadePlatformSchema } from '../../src/config/schema/cascade.js';
import { silentLogger } from '../../src/log.js';
import { MediaRefusal } from '../../src/modules/cascade/ports.js';
import { startCascade } from '../../src/modules/cascade/service.js';
import { cameraRecordSchema } from '../../src/protocols/province/messages.js';
import { freePort } from '../../src/sim/ports.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';
import { CascadeCodeStore } from '../../src/store/cascadeCodes.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { tempDb } from '../helpers/gb.js';

t.test('registration and a strict catalog check, then exit', async (t) => {
  const { db, dir } = tempDb(t);
  const vcgw = cliRunner(writeMinimalConfig(dir));
  const port = await freePort();
  const run = vcgw('sim', 'gb-platform', '--listen', `127.0.0.1:${port}`, '--password', 'pw', '--strict', 'codes', '--strict', 'call-id', '--strict', 'subscription', '--once', '--wait-s', '20');
  const cameras = [1, 2, 3].map((i) => ({ id: `c${i}`, record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(i), cameraNum: crypto.randomUUID() }) }));
  const svc = startCascade({
    platforms: [
      cascadePlatformSchema.parse({
        name: 'sim',
        upper_id: '44000000002000000001',
        upper_domain: '4400000000',
        upper_address: '127.0.0.1',
        upper_port: port,
        local_id: '44020000002000000001',
        local_address: '127.0.0.1',
        local_port: 0,
        password: 'pw',
        register_interval_s: 1,
        segments: [
          { from: '44020000002160000001', to: '44020000002160000099' },
          { from: '44020000001320000001', to: '44020000001320000099' },
        ],
      }),
    ],
    cameras: { cameras: () => cameras },
    state: { isOnline: () => true, onChange: () => () => undefined },
    ptz: { control: async () => ({ ok: false, message: 'no PTZ here' }) },
    media: { openPs: () => Promise.reject(new MediaRefusal(503, 'no media here')) },
    codes: new CascadeCodeStore(db),
    log: silentLogger(),
    timers: { T1: 50, T2: 400, T4: 500 },
  });
  await svc.start();
  t.teardown(() => svc.stop());
  const out = await run;
  t.equal(out.code, 0, 'exits 0: every check passed');
  t.match(out.out, /registered: 44020000002000000001/, 'the registration');
  t.match(out.out, /catalog: 8\/8 items in 1 pages; 5 nodes, 3 channels, 5 levels/, 'the catalog summary');
  t.match(out.out, /subscription: 8 catalog items in 1 NOTIFYs in the dialog/, 'the catalog came in the subscription dialog');
  t.notMatch(out.out, /FAIL|refused:/, 'no failed check, nothing refused');
});

t.test('a bad flag is named', async (t) => {
  const { dir } = tempDb(t);
  const vcgw = cliRunner(writeMinimalConfig(dir));
  t.match(await vcgw('sim', 'gb-platform', '--strict', 'loose', '--once'), { code: 2, err: /--strict: expected one of call-id, codes, rport, subscription, got loose/ });
  t.match(await vcgw('sim', 'gb-platform', '--play', 'carrier-pigeon', '--once'), { code: 2, err: /--play: expected one of udp, tcp-passive, tcp-active/ });
});
