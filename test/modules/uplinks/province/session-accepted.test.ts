// The session tells which calls the province accepted, with which token (what `vcgw doctor` reports
// while the daemon runs); a record that cannot be written never turns an accepted call into a failure.
import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../../src/log.js';
import { ProvinceSession } from '../../../../src/modules/uplinks/province/session.js';
import { ProvinceClient } from '../../../../src/protocols/province/client.js';
import { sm2Sign } from '../../../../src/protocols/province/sm2.js';
import { openDb } from '../../../../src/store/db.js';
import { TokenStore } from '../../../../src/store/tokens.js';
import { DEVICE_CODE, OFFLINE_TOKEN, USER, generateSm2KeyPair, startSim } from '../../../helpers/fixture.js';

const STATUS = [{ cameraNum: 'a3f0c9e2-0000-4000-8000-000000000001', online: 1 }];

t.test('accepted calls are reported with their token; a failing recorder is logged, the call still succeeds', async (t) => {
  const keys = generateSm2KeyPair();
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const client = new ProvinceClient({
    baseUrls: [sim.url],
    deviceCode: DEVICE_CODE,
    user: USER,
    appVersion: 'test',
    tls: { ca: sim.certPem, trust: 'test' },
    requestTimeoutMs: 5000,
    primaryRetryMs: 0,
    sign: (m) => sm2Sign(m, keys.privateKeyHex, 'raw'),
  });
  t.teardown(() => client.close());
  const db = openDb(t.testdir());
  t.teardown(() => db.close());
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(OFFLINE_TOKEN);

  const accepted: Array<[string, string]> = [];
  let failRecording = false;
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) if ((JSON.parse(l) as { level: number }).level === 40) warnings.push(l);
      done();
    },
  });
  const session = new ProvinceSession({
    client,
    tokens,
    refreshMs: 3_600_000,
    log: createLogger('info', sink),
    onAccepted: (path, token) => {
      if (failRecording) throw new Error('SQLITE_FULL: database or disk is full');
      accepted.push([path, token]);
    },
  });
  const issued = await session.refresh();
  await session.call('/service/video.ReportCameraStatus', STATUS);
  t.same(accepted, [
    ['/service/token', issued],
    ['/service/video.ReportCameraStatus', issued],
  ], 'the token call (with the token it issued) and the report made with it');

  failRecording = true;
  const reply = await session.call('/service/video.ReportCameraStatus', STATUS);
  t.equal(reply.code, 200, 'the accepted call resolves even though it could not be recorded');
  t.match(
    warnings.map((l) => JSON.parse(l) as unknown),
    [{ msg: 'could not record the accepted call', path: '/service/video.ReportCameraStatus', err: /SQLITE_FULL/ }],
    'and the failure to record is logged',
  );
});
