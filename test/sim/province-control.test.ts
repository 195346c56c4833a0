import t from 'tap';
import { Agent, request } from 'undici';
import { isLoopback } from '../../src/sim/province/control.js';
import { SIM_APP_VERSION, selfSignedLoopbackCert, type ProvinceSim } from '../../src/sim/province/index.js';
import { CAM_A, DEVICE, TOKEN, call, fakeGateway, post, startSim, trustingAgent } from './province-helpers.js';

const statusBody = JSON.stringify([{ cameraNum: CAM_A, online: 1 }]);

t.test('setDown drops /service/* at the socket level and recovers', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  sim.setDown(true);
  await t.rejects(
    request(new URL('/service/video.ReportCameraStatus', sim.url), {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', AppVersion: '1', DeviceCode: DEVICE, TAuth: TOKEN },
      body: statusBody,
    }),
    { code: /UND_ERR_SOCKET|ECONNRESET/ },
  );
  const dropped = await sim.waitFor((r) => r.code === 0, 2000);
  t.equal(dropped.path, '/service/video.ReportCameraStatus', 'the dropped attempt is recorded with code 0');
  sim.setDown(false);
  t.equal((await call(agent, sim, '/service/video.ReportCameraStatus', { body: statusBody })).json.code, 200);
});

t.test('waitFor resolves on past and future requests and times out clearly', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }]);
  const past = await sim.waitFor((r) => r.path === '/service/video.ReportCameraStatus', 100);
  t.equal(past.seq, 1);
  const future = sim.waitFor((r) => r.path === '/service/video.ReportSnapshot', 5000);
  await post(agent, sim, 'video.ReportSnapshot', [{ cameraNum: CAM_A, time: 1, snapshotUrl: 'https://a/b.jpg' }]);
  t.equal((await future).seq, 2);
  await t.rejects(sim.waitFor((r) => r.path === '/never', 50), /no matching request within 50 ms \(2 received/);
  const pending = sim.waitFor(() => false, 60_000);
  await sim.close();
  await t.rejects(pending, /closed/, 'close() releases pending waiters');
});

t.test('callGateway sends TAuth, DeviceCode, AppVersion and the body', async (t) => {
  const gw = await fakeGateway(t);
  const sim = await startSim(t, { gatewayUrl: gw.url, gatewayCa: gw.ca });
  const body = { cameraNum: CAM_A, videoType: 1, serverIp: '10.0.0.9', serverPort: 1935, pubName: `rtmp/${CAM_A}`, authInfo: 'k=1' };
  const reply = await sim.callGateway('VideoTransBegin', body);
  t.equal(reply.httpStatus, 200);
  t.match(reply.body, { code: 200, backResult: { code: '200' } });
  const check = await sim.callGateway('CheckGateway');
  t.match(check.body, { data: { systemTime: 1 } });
  t.equal(gw.seen.length, 2);
  const [begin, get] = gw.seen;
  t.equal(begin!.method, 'POST');
  t.equal(begin!.url, '/api/service/video.VideoTransBegin');
  t.match(begin!.headers, { tauth: TOKEN, devicecode: DEVICE, appversion: SIM_APP_VERSION, 'content-type': 'application/json' });
  t.same(begin!.body, body);
  t.same([get!.method, get!.url], ['GET', '/api/service/status.CheckGateway']);
  await sim.callGateway('NetworkCheck');
  t.same(gw.seen[2]!.body, { cameras: [] }, 'NetworkCheck defaults to all cameras');
});

t.test('callGateway without a gateway URL, or with an untrusted certificate, rejects', async (t) => {
  const gw = await fakeGateway(t);
  const noUrl = await startSim(t);
  await t.rejects(noUrl.callGateway('CheckGateway'), /no gatewayUrl configured/);
  const wrongCa = await startSim(t, { gatewayUrl: gw.url, gatewayCa: (await selfSignedLoopbackCert()).cert });
  await t.rejects(wrongCa.callGateway('CheckGateway'));
  const unverified = await startSim(t, { gatewayUrl: gw.url });
  t.equal((await unverified.callGateway('CheckGateway')).httpStatus, 200, 'no gatewayCa: not verified');
});

async function control(sim: ProvinceSim, agent: Agent, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(new URL(path, sim.url), {
    method,
    dispatcher: agent,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as unknown };
}

t.test('control endpoints: received, down, expire-tokens, cameras, call', async (t) => {
  const gw = await fakeGateway(t);
  const sim = await startSim(t, { gatewayUrl: gw.url, gatewayCa: gw.ca });
  const agent = trustingAgent(t, sim);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }]);
  const received = await control(sim, agent, 'GET', '/sim/received?path=/service/video.ReportCameraStatus&since=0');
  t.match(received.json, [{ seq: 1, code: 200 }]);
  t.same((await control(sim, agent, 'GET', '/sim/received?since=1')).json, []);
  t.same((await control(sim, agent, 'GET', '/sim/cameras')).json, []);
  t.same((await control(sim, agent, 'POST', '/sim/down', { down: 'yes' })).status, 400);
  t.same((await control(sim, agent, 'POST', '/sim/down', { down: true })).json, { down: true });
  t.match((await control(sim, agent, 'GET', '/sim/status')).json, { down: true });
  await control(sim, agent, 'POST', '/sim/down', { down: false });
  await control(sim, agent, 'POST', '/sim/expire-tokens', {});
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }])).json.code, 403);
  const bad = await control(sim, agent, 'POST', '/sim/call', { call: 'Reboot' });
  t.equal(bad.status, 400);
  t.match(bad.json, { error: /call: must be one of VideoTransBegin/ });
  const ok = await control(sim, agent, 'POST', '/sim/call', { call: 'PTZControl', body: { cameraNum: CAM_A, action: 1 } });
  t.match(ok.json, { httpStatus: 200, body: { code: 200 } });
  t.same(gw.seen[0]!.body, { cameraNum: CAM_A, action: 1 });
  t.equal(sim.received({ path: '/sim/received' }).length, 0, 'control requests are not recorded');
});

t.test('only loopback addresses may use the control endpoints', async (t) => {
  t.ok(isLoopback('127.0.0.1'));
  t.ok(isLoopback('::ffff:127.0.0.2'));
  t.ok(isLoopback('::1'));
  t.notOk(isLoopback('10.0.0.1'));
  t.notOk(isLoopback('::ffff:10.0.0.1'));
  t.notOk(isLoopback(undefined));
});
