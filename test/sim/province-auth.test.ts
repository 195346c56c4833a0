import crypto from 'node:crypto';
import selfsigned from 'selfsigned';
import t from 'tap';
import { Agent, request } from 'undici';
import { generateSm2KeyPair, privateKeyHexFromPem, sm2Sign, tokenSignMessage } from '../../src/protocols/province/sm2.js';
import { selfSignedLoopbackCert } from '../../src/sim/province/index.js';
import { CAM_A, DEVICE, KEYS, TOKEN, USER, call, cameraRecord, post, startSim, tokenPath, trustingAgent } from './province-helpers.js';

t.test('token call with a raw signature rotates; the old token works only in the grace window', async (t) => {
  let now = 1_700_000_000_000;
  const sim = await startSim(t, { tokenGraceMs: 60_000, clock: () => now });
  const agent = trustingAgent(t, sim);

  const r = await call(agent, sim, tokenPath(TOKEN, { format: 'raw' }));
  t.equal(r.status, 200);
  t.equal(r.json.code, 200);
  t.equal(r.json.msg, '成功');
  const data = r.json.data as { user: string; deviceCode: string; token: string };
  t.same({ user: data.user, deviceCode: data.deviceCode }, { user: USER, deviceCode: DEVICE });
  t.match(data.token, /^[A-Za-z0-9_-]{16}$/);
  t.not(data.token, TOKEN);
  t.equal(sim.currentToken(), data.token);

  const status = [{ cameraNum: CAM_A, online: 1 }];
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, data.token)).json.code, 200, 'new token works');
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, TOKEN)).json.code, 200, 'old token in grace');
  now += 60_001;
  const late = await post(agent, sim, 'video.ReportCameraStatus', status, TOKEN);
  t.same(late.json, { code: 403, msg: 'token过期或无效' }, 'old token after the grace window');
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, data.token)).json.code, 200);
});

t.test('token call with a DER signature is accepted too', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  const r = await call(agent, sim, tokenPath(TOKEN, { format: 'der' }));
  t.equal(r.json.code, 200);
  t.not(sim.currentToken(), TOKEN);
});

t.test('the public key may be given as PEM', async (t) => {
  const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const priv = privateKeyHexFromPem(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const sim = await startSim(t, { sm2PublicKey: pem });
  const agent = trustingAgent(t, sim);
  t.equal((await call(agent, sim, tokenPath(TOKEN, { signWith: priv }))).json.code, 200);
  await t.rejects(startSim(t, { sm2PublicKey: '04abc' }), /sm2PublicKey is neither/);
});

t.test('bad signatures answer 2001 and rotate nothing', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  const other = generateSm2KeyPair();
  const wrongKey = await call(agent, sim, tokenPath(TOKEN, { signWith: other.privateKeyHex }));
  t.same(wrongKey.json, { code: 2001, msg: '签名验证失败' });
  const placeholder = Buffer.from(tokenSignMessage(DEVICE, USER, TOKEN)).toString('base64');
  t.equal((await call(agent, sim, tokenPath(TOKEN, { sign: placeholder }))).json.code, 2001, 'E-2.1 demo placeholder');
  // A sign not URL-encoded loses its "+" to spaces on the way: the platform sees other bytes.
  let sign = sm2Sign(tokenSignMessage(DEVICE, USER, TOKEN), KEYS.privateKeyHex, 'raw');
  while (!sign.includes('+')) sign = sm2Sign(tokenSignMessage(DEVICE, USER, TOKEN), KEYS.privateKeyHex, 'raw');
  const raw = `/service/token?deviceCode=${DEVICE}&user=${USER}&token=${TOKEN}&sign=${sign}`;
  t.equal((await call(agent, sim, raw)).json.code, 2001, 'unencoded + in sign');
  const otherMessage = sm2Sign(tokenSignMessage(DEVICE, USER, 'x'), KEYS.privateKeyHex, 'raw');
  t.equal((await call(agent, sim, tokenPath(TOKEN, { sign: otherMessage }))).json.code, 2001, 'signature over another message');
  t.equal(sim.currentToken(), TOKEN);
});

t.test('wrong deviceCode, user, header or token answer 403; missing parameters 400', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  t.equal((await call(agent, sim, tokenPath(TOKEN, { deviceCode: 'vg-999' }))).json.code, 403, 'deviceCode param');
  t.equal((await call(agent, sim, tokenPath(TOKEN, { user: 'someone' }))).json.code, 403, 'user param');
  const hdr = await call(agent, sim, tokenPath(TOKEN), { headers: { DeviceCode: 'vg-999' } });
  t.equal(hdr.json.code, 403, 'DeviceCode header');
  t.match(hdr.json.msg, /DeviceCode/);
  t.equal((await call(agent, sim, tokenPath('NotTheToken00000'))).json.code, 403, 'unknown token, valid signature');
  const noSign = await call(agent, sim, `/service/token?deviceCode=${DEVICE}&user=${USER}&token=${TOKEN}`);
  t.same(noSign.json, { code: 400, msg: 'sign: required query parameter' });
  const noVersion = await call(agent, sim, tokenPath(TOKEN), { headers: { AppVersion: '' } });
  t.same(noVersion.json, { code: 400, msg: 'AppVersion: required header' });

  const body = JSON.stringify([cameraRecord(CAM_A)]);
  const noTAuth = await call(agent, sim, '/service/video.VideoInformation', { body, token: null });
  t.same(noTAuth.json, { code: 403, msg: 'token过期或无效' }, 'missing TAuth');
  const badTAuth = await call(agent, sim, '/service/video.VideoInformation', { body, token: 'guess' });
  t.equal(badTAuth.json.code, 403, 'wrong TAuth');
  const noDevice = await call(agent, sim, '/service/video.VideoInformation', { body, headers: { DeviceCode: '' } });
  t.same(noDevice.json, { code: 403, msg: 'DeviceCode: required header' });
  t.equal(sim.cameras().size, 0, 'nothing registered by refused calls');
  const codes = sim.received().map((r) => r.code);
  t.same(codes, [403, 403, 403, 403, 400, 400, 403, 403, 403], 'refused requests are recorded with their code');
});

t.test('expireTokens forces 403 until the gateway re-authenticates with its last token', async (t) => {
  let now = 1_700_000_000_000;
  const sim = await startSim(t, { clock: () => now });
  const agent = trustingAgent(t, sim);
  const first = await call(agent, sim, tokenPath(TOKEN));
  const held = (first.json.data as { token: string }).token;
  const status = [{ cameraNum: CAM_A, online: 1 }];

  sim.expireTokens();
  t.equal(sim.currentToken(), held, 'currentToken is still what the gateway holds');
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, held)).json.code, 403, 'held token refused');
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, TOKEN)).json.code, 403, 'previous refused');
  t.equal((await call(agent, sim, tokenPath(TOKEN))).json.code, 403, 'previous token cannot refresh');
  const again = await call(agent, sim, tokenPath(held));
  t.equal(again.json.code, 200, 'the last token refreshes with a valid signature');
  const fresh = (again.json.data as { token: string }).token;
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, fresh)).json.code, 200);
  now += 1;
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', status, held)).json.code, 403, 'no grace for an expired token');
});

t.test('mutual TLS: /service/* needs a client certificate issued by the configured CA', async (t) => {
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'vcgw test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const client = await selfsigned.generate([{ name: 'commonName', value: DEVICE }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  const sim = await startSim(t, { clientCa: ca.cert, tls: await selfSignedLoopbackCert() });
  const withCert = trustingAgent(t, sim, { cert: client.cert, key: client.private });
  const without = trustingAgent(t, sim);
  t.equal((await call(withCert, sim, tokenPath(TOKEN))).json.code, 200);
  const refused = await call(without, sim, tokenPath(sim.currentToken()));
  t.equal(refused.json.code, 403);
  t.match(refused.json.msg, /client certificate/);

  // The control endpoints stay usable from loopback without a certificate.
  const plain = new Agent({ connect: { rejectUnauthorized: false } });
  t.teardown(() => plain.close());
  const res = await request(new URL('/sim/status', sim.url), { dispatcher: plain });
  t.equal(res.statusCode, 200);
  await res.body.dump();
});
