// PTZControl, NetworkCheck, CheckGateway and the transport-level errors (CONTRACT §4, §5).
import net from 'node:net';
import { Writable } from 'node:stream';
import t from 'tap';
import { freePort } from '../../../src/sim/ports.js';
import { createLogger } from '../../../src/log.js';
import type { PtzDriver } from '../../../src/modules/ptz/controller.js';
import type { PtzAction } from '../../../src/domain/ptz.js';
import { BEGIN, CHECK, NETCHECK, PTZ, addCamera, beginBody, startApi } from './helpers.js';

function listening(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const server = net.createServer((s) => s.destroy());
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

t.test('CheckGateway answers time and camera count', async (t) => {
  const f = await startApi(t);
  addCamera(f.cameras);
  addCamera(f.cameras);
  f.clock.now = 1572834416_789;
  const res = await f.client.get(CHECK);
  t.equal(res.status, 200);
  t.same(res.body, { code: 200, msg: '成功', data: { systemTime: 1572834416, cameraCount: 2 } });
});

t.test('PTZControl', async (t) => {
  const moves: string[] = [];
  const driver: PtzDriver = {
    async move(camera, action: PtzAction, step) {
      if (camera.record.cameraName === 'broken') throw new Error('ONVIF fault: ter:NoProfile');
      moves.push(`${camera.record.cameraNum} ${action} ${step}`);
    },
  };
  const f = await startApi(t, { driver, holdMs: 30_000 });
  const dome = addCamera(f.cameras);
  const fixed = addCamera(f.cameras, { hasControl: 0, cameraType: 1 });
  const broken = addCamera(f.cameras, { cameraName: 'broken' });

  t.same((await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: 1, step: 5 })).body, { code: 200, msg: '成功' });
  t.same(moves, [`${dome.cameraNum} left 5`]);
  t.equal((await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: '12' })).body.code, 200, 'step defaults, strings coerced');
  t.equal(moves.at(-1), `${dome.cameraNum} light-on 4`);

  t.same((await f.client.post(PTZ, { cameraNum: fixed.cameraNum, action: 1, step: 1 })).body, {
    code: 403,
    msg: 'PTZ not allowed for this camera (hasControl=0)',
  });
  t.match((await f.client.post(PTZ, { cameraNum: broken.cameraNum, action: 3, step: 1 })).body, {
    code: 500,
    msg: 'PTZ failed: ONVIF fault: ter:NoProfile',
  });
  t.equal((await f.client.post(PTZ, { cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b', action: 1 })).body.code, 404);
  t.match((await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: 13 })).body, { code: 400, msg: 'action: must be 1–12' });
  t.match((await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: 1, step: 9 })).body, { code: 400, msg: 'step: must be 1–8' });
  t.match((await f.client.post(PTZ, { cameraNum: dome.cameraNum })).body, { code: 400, msg: 'action: required' });

  // a local operator takes the camera: the province is refused until the hold expires
  t.equal((await f.ptz.control({ kind: 'local', user: 'zhang' }, dome.cameraNum, 'right', 3)).code, 200);
  const held = await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: 1, step: 1 });
  t.equal(held.body.code, 403);
  t.match(held.body.msg, /^K1844\+158 上行 is held by local operator zhang until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  f.clock.now += 30_001;
  t.equal((await f.client.post(PTZ, { cameraNum: dome.cameraNum, action: 1, step: 1 })).body.code, 200, 'hold expired');

  const log = f.ptzLog.query({ cameraNum: dome.cameraNum });
  t.same(
    log.map((e) => [e.actor, e.action, e.step, e.code]).reverse(),
    [
      ['province', 1, 5, 200],
      ['province', 12, 4, 200],
      ['local:zhang', 2, 3, 200],
      ['province', 1, 1, 403],
      ['province', 1, 1, 200],
    ],
    'every attempt that reached PtzService is logged',
  );
  t.equal(f.ptzLog.query({ cameraNum: fixed.cameraNum })[0]?.code, 403);
});

t.test('PTZControl without a driver is 500 saying so', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras);
  t.same((await f.client.post(PTZ, { cameraNum: cam.cameraNum, action: 1, step: 1 })).body, {
    code: 500,
    msg: 'no PTZ driver for this camera: it has no ONVIF address (onvifUrl)',
  });
});

t.test('NetworkCheck probes for real', async (t) => {
  const f = await startApi(t);
  const open = await listening(t);
  const closed = await freePort();
  const up = addCamera(f.cameras, {}, { rtspMain: `rtsp://admin:pw@127.0.0.1:${open}/Streaming/Channels/101` });
  const down = addCamera(f.cameras, {}, { rtspMain: `rtsp://127.0.0.1:${closed}/main` });
  const none = addCamera(f.cameras, {}, {});

  const all = await f.client.post(NETCHECK, { cameras: [] });
  t.equal(all.body.code, 200);
  const byNum = new Map((all.body.data as Array<{ cameraNum: string; status: number }>).map((r) => [r.cameraNum, r.status]));
  t.same(Object.fromEntries(byNum), { [up.cameraNum]: 1, [down.cameraNum]: 0, [none.cameraNum]: 0 });

  const some = await f.client.post(NETCHECK, { cameras: [down.cameraNum, up.cameraNum, up.cameraNum] });
  t.same(some.body.data, [
    { cameraNum: down.cameraNum, status: 0 },
    { cameraNum: up.cameraNum, status: 1 },
  ]);
  const absent = await f.client.send('POST', NETCHECK);
  t.equal((absent.body.data as unknown[]).length, 3, 'no body means all cameras');

  const unknown = await f.client.post(NETCHECK, { cameras: [up.cameraNum, 'aef89ecc-4cc6-4a6d-80fd-283196105b0b'] });
  t.equal(unknown.body.code, 404);
  t.match(unknown.body.msg, /^cameras\.1: .*aef89ecc-4cc6-4a6d-80fd-283196105b0b/);
  t.match((await f.client.post(NETCHECK, { cameras: 'all' })).body, { code: 400, msg: /^cameras: / });
  t.match((await f.client.post(NETCHECK, { cameras: ['nope'] })).body, { code: 400, msg: /^cameras\.0: must be a lower-case UUID/ });
});

t.test('transport-level errors are envelopes, and the server keeps answering', async (t) => {
  const f = await startApi(t, { over: { api: { body_limit_bytes: 2048 } } });
  const cam = addCamera(f.cameras);

  const big = await f.client.post(BEGIN, beginBody(cam.cameraNum, { padding: 'x'.repeat(4096) }));
  t.equal(big.status, 200);
  t.match(big.body, { code: 400, msg: 'body: larger than 2048 bytes' });

  const text = await f.client.send('POST', BEGIN, JSON.stringify(beginBody(cam.cameraNum)), { 'content-type': 'text/plain' });
  t.equal(text.status, 200);
  t.match(text.body, { code: 400, msg: 'Content-Type: must be application/json (got text/plain)' });

  const charset = await f.client.send('POST', BEGIN, JSON.stringify(beginBody(cam.cameraNum)), {
    'content-type': 'application/json; charset=utf-8',
  });
  t.equal(charset.body.code, 200, 'a charset parameter is fine');

  const missing = await f.client.get('/service/video.Nope');
  t.equal(missing.status, 404);
  t.same(missing.body, { code: 404, msg: 'no such endpoint' });
  const wrongMethod = await f.client.get(BEGIN);
  t.equal(wrongMethod.status, 404);

  const check = await f.client.get(CHECK);
  t.equal(check.body.code, 200, 'still answering after all of that');
});

t.test('an unexpected failure is a 500 envelope, not a stack', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras);
  f.db.close();
  const res = await f.client.post(BEGIN, beginBody(cam.cameraNum));
  t.equal(res.status, 200);
  t.equal(res.body.code, 500);
  t.match(res.body.msg, /^internal error: /);
  t.notMatch(res.body.msg, /\n\s+at /, 'no stack trace');
});

t.test('one log line per request, secrets redacted', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const f = await startApi(t, { log: createLogger('info', sink) });
  const cam = addCamera(f.cameras);
  t.equal((await f.client.post(BEGIN, beginBody(cam.cameraNum))).body.code, 200);
  t.equal((await f.client.get(CHECK, { TAuth: 'wrong-secret' })).body.code, 403);
  const text = lines.join('\n');
  t.notMatch(text, /tok-config/, 'the token never reaches the log');
  t.notMatch(text, /2f94cdaf8ea4bdca793e64aba7cb1dea/, 'the push authInfo never reaches the log');
  const replies = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l['code'] === 'number' && l['url']);
  t.match(replies, [
    { url: BEGIN, code: 200, reqId: String },
    { url: CHECK, code: 403, msg: 'TAuth: token invalid' },
  ]);
});
