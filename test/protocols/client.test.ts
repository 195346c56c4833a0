import t from 'tap';
import { ProvinceClient, ProvinceReplyError, ProvinceUnreachableError } from '../../src/protocols/province/client.js';
import { sm2Sign } from '../../src/protocols/province/sm2.js';
import { selfSignedLoopbackCert } from '../../src/sim/province/tls.js';
import { DEVICE_CODE, OFFLINE_TOKEN, USER, freePort, generateSm2KeyPair, startSim } from '../helpers/fixture.js';

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

t.test('the province certificate is checked', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const { c } = client([sim.url], undefined);
  t.teardown(() => c.close());
  await t.rejects(c.requestToken(OFFLINE_TOKEN), ProvinceUnreachableError, 'an untrusted self-signed certificate is refused');
  t.equal(sim.received().length, 0);
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

