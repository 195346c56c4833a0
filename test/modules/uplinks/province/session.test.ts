// The token session's log when the province's certificate does not fit: TLS named, with the
// certificate's names and the CA file, not "province unreachable".
import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../../src/log.js';
import { ProvinceSession } from '../../../../src/modules/uplinks/province/session.js';
import { ProvinceClient } from '../../../../src/protocols/province/client.js';
import { sm2Sign } from '../../../../src/protocols/province/sm2.js';
import { selfSignedLoopbackCert } from '../../../../src/sim/province/tls.js';
import { openDb } from '../../../../src/store/db.js';
import { TokenStore } from '../../../../src/store/tokens.js';
import { DEVICE_CODE, OFFLINE_TOKEN, USER, generateSm2KeyPair, startSim } from '../../../helpers/fixture.js';

t.test('a token refresh that fails in the TLS handshake is logged as TLS, naming the certificate and province.ca_file', async (t) => {
  const keys = generateSm2KeyPair();
  const wrongNames = await selfSignedLoopbackCert(365, { dns: ['video.gd.example'], ips: ['10.9.9.9'] });
  const sim = await startSim(keys, { tls: wrongNames });
  t.teardown(() => sim.close());
  const client = new ProvinceClient({
    baseUrls: [sim.url],
    deviceCode: DEVICE_CODE,
    user: USER,
    appVersion: 'test',
    tls: { ca: wrongNames.cert, trust: 'province.ca_file /etc/vcgw/province-ca.pem' },
    requestTimeoutMs: 2000,
    primaryRetryMs: 0,
    sign: (m) => sm2Sign(m, keys.privateKeyHex, 'raw'),
  });
  t.teardown(() => client.close());
  const db = openDb(t.testdir());
  t.teardown(() => db.close());
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(OFFLINE_TOKEN);

  let resolveLine: (line: Record<string, unknown>) => void;
  const logged = new Promise<Record<string, unknown>>((resolve) => (resolveLine = resolve));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) {
        const line = JSON.parse(l) as Record<string, unknown>;
        if (line['level'] === 50) resolveLine(line);
      }
      done();
    },
  });
  const session = new ProvinceSession({ client, tokens, refreshMs: 3_600_000, retryMs: 3_600_000, log: createLogger('info', sink) });
  session.start();
  t.teardown(() => session.stop());
  const line = await Promise.race([logged, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no error logged within 5 s')), 5000))]);
  t.match(line, {
    msg: 'token refresh failed: the TLS handshake with the province failed (check the certificate names and province.ca_file); will retry',
    err: /ERR_TLS_CERT_ALTNAME_INVALID.*the certificate names DNS:video\.gd\.example, IP Address:10\.9\.9\.9 .*trusted: province\.ca_file \/etc\/vcgw\/province-ca\.pem$/,
  });
  t.notMatch(String(line['err']), /province unreachable/);
});
