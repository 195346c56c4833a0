import t from 'tap';
import { ProvinceClient, ProvinceReplyError, ProvinceTlsError, ProvinceUnreachableError } from '../../../src/protocols/province/client.js';
import { sm2Sign } from '../../../src/protocols/province/sm2.js';
import { selfSignedLoopbackCert } from '../../../src/sim/province/tls.js';
import { DEVICE_CODE, OFFLINE_TOKEN, USER, freePort, generateSm2KeyPair, startSim } from '../../helpers/fixture.js';

const keys = generateSm2KeyPair();

function client(baseUrls: string[], ca: string | undefined, extra: Partial<ConstructorParameters<typeof ProvinceClient>[0]> = {}) {
  const links: string[] = [];
  const c = new ProvinceClient({
    baseUrls,
    deviceCode: DEVICE_CODE,
    user: USER,
    appVersion: 'test',
    tls: { ca },
    requestTimeoutMs: 2000,
    primaryRetryMs: 0,
    sign: (m) => sm2Sign(m, keys.privateKeyHex, 'raw'),
    onLinkChange: (url) => links.push(url),
    ...extra,
  });
  return { c, links };
}

t.test('token call and a report with the rotated token', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const { c } = client([sim.url], sim.certPem);
  t.teardown(() => c.close());
  const token = await c.requestToken(OFFLINE_TOKEN);
  t.equal(token, sim.currentToken());
  const req = sim.received({ path: '/service/token' })[0]!;
  t.equal(req.headers['appversion'], 'test');
  t.equal(req.headers['devicecode'], DEVICE_CODE);
  t.notOk(req.headers['tauth'], 'no TAuth on the token call');
  const env = await c.post('/service/video.ReportCameraStatus', [{ cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b', online: 1 }], token);
  t.equal(env.code, 200);
  await t.rejects(c.post('/service/video.ReportCameraStatus', [], token), ProvinceReplyError, 'a 400 is a reply error');
  await t.rejects(c.post('/service/video.ReportCameraStatus', [{ cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b', online: 1 }], 'wrong'), { code: 403 });
});

t.test('the province certificate is checked, and a TLS failure says so with the certificate and the trust', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const { c } = client([sim.url], undefined);
  t.teardown(() => c.close());
  const untrusted = c.requestToken(OFFLINE_TOKEN);
  await t.rejects(untrusted, ProvinceTlsError, 'an untrusted self-signed certificate is refused');
  t.ok((await untrusted.catch((e: unknown) => e)) instanceof ProvinceUnreachableError, 'and is still a link failure (backup links, retries)');
  await t.rejects(untrusted, {
    message: new RegExp(
      `^province TLS handshake failed: ${sim.url}: TLS to 127\\.0\\.0\\.1:\\d+ failed \\(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\\): ` +
        'the certificate names DNS:localhost, IP Address:127\\.0\\.0\\.1, IP Address:0:0:0:0:0:0:0:1 \\(subject CN=localhost; issuer CN=localhost; valid until .+\\); trusted: the system CAs$',
    ),
  });
  t.equal(sim.received().length, 0);

  // A certificate the CA file trusts but made out for other names (the platform moved, a typo in base_url).
  const wrongNames = await selfSignedLoopbackCert(365, { dns: ['video.gd.example'], ips: ['10.9.9.9'] });
  const moved = await startSim(keys, { tls: wrongNames });
  t.teardown(() => moved.close());
  const { c: c2 } = client([moved.url], undefined, { tls: { ca: wrongNames.cert, trust: 'province.ca_file /etc/vcgw/province-ca.pem' } });
  t.teardown(() => c2.close());
  await t.rejects(c2.requestToken(OFFLINE_TOKEN), {
    name: 'ProvinceTlsError',
    message: new RegExp(
      `^province TLS handshake failed: ${moved.url}: TLS to 127\\.0\\.0\\.1:\\d+ failed \\(ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: IP: 127\\.0\\.0\\.1 is not in the cert's list: 10\\.9\\.9\\.9\\): ` +
        'the certificate names DNS:video\\.gd\\.example, IP Address:10\\.9\\.9\\.9 \\(subject CN=video\\.gd\\.example; .+\\); trusted: province\\.ca_file /etc/vcgw/province-ca\\.pem$',
    ),
  });

  // A closed port is not a TLS problem.
  const { c: c3 } = client([`https://127.0.0.1:${await freePort()}`], wrongNames.cert);
  t.teardown(() => c3.close());
  await t.rejects(c3.requestToken(OFFLINE_TOKEN), { name: 'ProvinceUnreachableError', message: /^province unreachable: .*ECONNREFUSED/ });
});

t.test('fails over to the backup link and comes back to the primary', async (t) => {
  const primaryPort = await freePort();
  // One certificate for both links, so one CA file trusts both (as with a real platform's CA).
  const tls = await selfSignedLoopbackCert();
  const backup = await startSim(keys, { tls });
  t.teardown(() => backup.close());
  const primaryUrl = `https://127.0.0.1:${primaryPort}`;
  const { c, links } = client([primaryUrl, backup.url], backup.certPem);
  t.teardown(() => c.close());

  const token = await c.requestToken(OFFLINE_TOKEN);
  t.equal(c.activeUrl, backup.url, 'primary down: the backup answered');
  t.same(links, [backup.url]);

  const primary = await startSim(keys, {
    listen: { host: '127.0.0.1', port: primaryPort },
    tls,
    initialToken: token,
  });
  t.teardown(() => primary.close());
  await c.post('/service/video.ReportCameraStatus', [{ cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b', online: 1 }], token);
  t.equal(c.activeUrl, primaryUrl, 'back on the primary once it answers');
  t.equal(primary.received({ path: '/service/video.ReportCameraStatus' }).length, 1);
  t.same(links, [backup.url, primaryUrl]);

  await backup.close();
  await primary.close();
  await t.rejects(c.post('/service/video.ReportCameraStatus', [], token), ProvinceUnreachableError, 'no link left');
});

