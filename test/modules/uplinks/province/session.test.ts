// The token session: its log when the province's certificate does not fit (TLS named, with the
// certificate's names and the CA file, not "province unreachable"), and which calls the province
// accepted with which token (what `vcgw doctor` reports while the daemon runs), a record that
// cannot be written never turning an accepted call into a failure.
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { createLogger } from '../../../../src/log.js';
import { ProvinceSession, type ProvinceSessionOptions } from '../../../../src/modules/uplinks/province/session.js';
import { ProvinceClient } from '../../../../src/protocols/province/client.js';
import { sm2Sign } from '../../../../src/protocols/province/sm2.js';
import { selfSignedLoopbackCert } from '../../../../src/sim/province/tls.js';
import { openDb } from '../../../../src/store/db.js';
import { TokenStore } from '../../../../src/store/tokens.js';
import { DEVICE_CODE, OFFLINE_TOKEN, USER, generateSm2KeyPair, startSim } from '../../../helpers/fixture.js';

const STATUS = [{ cameraNum: 'a3f0c9e2-0000-4000-8000-000000000001', online: 1 }];

/** A session against the province simulator, its log lines handed to `onLine` as they come. */
async function sessionRig(
  t: Test,
  o: { tls?: Awaited<ReturnType<typeof selfSignedLoopbackCert>>; trust: string; requestTimeoutMs: number; onLine: (line: Record<string, unknown>) => void },
  session: Omit<ProvinceSessionOptions, 'client' | 'tokens' | 'log' | 'refreshMs'> = {},
): Promise<ProvinceSession> {
  const keys = generateSm2KeyPair();
  const sim = await startSim(keys, o.tls ? { tls: o.tls } : {});
  t.teardown(() => sim.close());
  const client = new ProvinceClient({
    baseUrls: [sim.url],
    deviceCode: DEVICE_CODE,
    user: USER,
    appVersion: 'test',
    tls: { ca: o.tls?.cert ?? sim.certPem, trust: o.trust },
    requestTimeoutMs: o.requestTimeoutMs,
    primaryRetryMs: 0,
    sign: (m) => sm2Sign(m, keys.privateKeyHex, 'raw'),
  });
  t.teardown(() => client.close());
  const db = openDb(t.testdir());
  t.teardown(() => db.close());
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(OFFLINE_TOKEN);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) o.onLine(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return new ProvinceSession({ client, tokens, refreshMs: 3_600_000, log: createLogger('info', sink), ...session });
}

t.test('a token refresh that fails in the TLS handshake is logged as TLS, naming the certificate and province.ca_file', async (t) => {
  const wrongNames = await selfSignedLoopbackCert(365, { dns: ['video.gd.example'], ips: ['10.9.9.9'] });
  let resolveLine: (line: Record<string, unknown>) => void;
  const logged = new Promise<Record<string, unknown>>((resolve) => (resolveLine = resolve));
  const session = await sessionRig(
    t,
    { tls: wrongNames, trust: 'province.ca_file /etc/vcgw/province-ca.pem', requestTimeoutMs: 2000, onLine: (line) => line['level'] === 50 && resolveLine(line) },
    { retryMs: 3_600_000 },
  );
  session.start();
  t.teardown(() => session.stop());
  const line = await Promise.race([logged, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no error logged within 5 s')), 5000))]);
  t.match(line, {
    msg: 'token refresh failed: the TLS handshake with the province failed (check the certificate names and province.ca_file); will retry',
    err: /ERR_TLS_CERT_ALTNAME_INVALID.*the certificate names DNS:video\.gd\.example, IP Address:10\.9\.9\.9 .*trusted: province\.ca_file \/etc\/vcgw\/province-ca\.pem$/,
  });
  t.notMatch(String(line['err']), /province unreachable/);
});

t.test('accepted calls are reported with their token; a failing recorder is logged, the call still succeeds', async (t) => {
  const accepted: Array<[string, string]> = [];
  let failRecording = false;
  const warnings: Record<string, unknown>[] = [];
  const session = await sessionRig(
    t,
    { trust: 'test', requestTimeoutMs: 5000, onLine: (line) => line['level'] === 40 && warnings.push(line) },
    {
      onAccepted: (path, token) => {
        if (failRecording) throw new Error('SQLITE_FULL: database or disk is full');
        accepted.push([path, token]);
      },
    },
  );
  const issued = await session.refresh();
  await session.call('/service/video.ReportCameraStatus', STATUS);
  t.same(accepted, [
    ['/service/token', issued],
    ['/service/video.ReportCameraStatus', issued],
  ], 'the token call (with the token it issued) and the report made with it');

  failRecording = true;
  const reply = await session.call('/service/video.ReportCameraStatus', STATUS);
  t.equal(reply.code, 200, 'the accepted call resolves even though it could not be recorded');
  t.match(warnings, [{ msg: 'could not record the accepted call', path: '/service/video.ReportCameraStatus', err: /SQLITE_FULL/ }], 'and the failure to record is logged');
});
