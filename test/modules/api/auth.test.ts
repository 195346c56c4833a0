// Authentication of the province's calls (CONTRACT §4): TAuth, grace after rotation, DeviceCode.
import t from 'tap';
import { checkAuth } from '../../../src/modules/api/auth.js';
import type { TokenRow } from '../../../src/store/tokens.js';
import { BEGIN, CHECK, FINISH, NETCHECK, PTZ, addCamera, beginBody, startApi } from './helpers.js';

const row = (token: string, obtainedAt: number): TokenRow => ({ seq: 1, token, origin: 'platform', obtainedAt, confirmedAt: obtainedAt });

t.test('checkAuth rules', async (t) => {
  const tokens = { latest: () => ({ current: row('new', 1_000_000), previous: row('old', 0) }) };
  const policy = { tokens, deviceCode: 'vg-1', graceMs: 300_000, now: () => 1_000_000 + 299_999 };
  t.same(checkAuth({ tauth: 'new', deviceCode: 'vg-1' }, policy), { ok: true, token: 'current' });
  t.same(checkAuth({ tauth: 'new', deviceCode: undefined }, policy), { ok: true, token: 'current' }, 'DeviceCode is optional');
  t.same(checkAuth({ tauth: 'old', deviceCode: undefined }, policy), { ok: true, token: 'previous' });
  t.same(checkAuth({ tauth: 'old', deviceCode: undefined }, { ...policy, now: () => 1_300_000 }), {
    ok: false,
    msg: 'TAuth: token expired (replaced by a newer token)',
  });
  t.same(checkAuth({ tauth: undefined, deviceCode: 'vg-1' }, policy), { ok: false, msg: 'TAuth: token missing' });
  t.same(checkAuth({ tauth: 'nope', deviceCode: 'vg-1' }, policy), { ok: false, msg: 'TAuth: token invalid' });
  t.same(checkAuth({ tauth: 'new', deviceCode: 'vg-2' }, policy), { ok: false, msg: 'DeviceCode: vg-2 is not this gateway' });
  const empty = { ...policy, tokens: { latest: () => ({ current: undefined, previous: undefined }) } };
  t.match(checkAuth({ tauth: 'x', deviceCode: undefined }, empty), { ok: false, msg: /^TAuth: token invalid/ });
});

t.test('every endpoint refuses a call without a valid token, before reading the body', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras);
  const calls: Array<['GET' | 'POST', string, string | undefined]> = [
    ['POST', BEGIN, JSON.stringify(beginBody(cam.cameraNum))],
    ['POST', FINISH, '{not json'],
    ['POST', PTZ, JSON.stringify({ cameraNum: cam.cameraNum, action: 1, step: 1 })],
    ['POST', NETCHECK, '{}'],
    ['GET', CHECK, undefined],
  ];
  for (const [method, path, body] of calls) {
    const none = await f.client.send(method, path, body, { TAuth: '' });
    t.equal(none.status, 200, `${path}: HTTP 200`);
    t.match(none.body, { code: 403, msg: 'TAuth: token missing' }, `${path}: no token`);
    const wrong = await f.client.send(method, path, body, { TAuth: 'guess' });
    t.match(wrong.body, { code: 403, msg: 'TAuth: token invalid' }, `${path}: wrong token`);
    const device = await f.client.send(method, path, body, { DeviceCode: 'vg-999999' });
    t.match(device.body, { code: 403, msg: 'DeviceCode: vg-999999 is not this gateway' }, `${path}: wrong DeviceCode`);
  }
  const begin403 = await f.client.send('POST', BEGIN, JSON.stringify(beginBody(cam.cameraNum)), { TAuth: 'guess' });
  t.equal(begin403.body.backResult?.code, '403', 'VideoTransBegin carries backResult on 403 too');
  t.same(f.engine.calls, [], 'nothing started');
  const noDevice = await f.client.get(CHECK, { DeviceCode: '' });
  t.equal(noDevice.body.code, 200, 'an empty DeviceCode counts as absent');
});

t.test('the previous token is accepted only within the grace period', async (t) => {
  const f = await startApi(t, { over: { api: { token_grace_s: 60 } } });
  const rotatedAt = f.clock.now;
  f.tokens.rotate('tok-2', rotatedAt);

  t.equal((await f.client.get(CHECK, { TAuth: 'tok-2' })).body.code, 200, 'the new token works');
  f.clock.now = rotatedAt + 59_000;
  t.equal((await f.client.get(CHECK)).body.code, 200, 'the previous token inside the grace period');
  f.clock.now = rotatedAt + 61_000;
  t.match((await f.client.get(CHECK)).body, { code: 403, msg: 'TAuth: token expired (replaced by a newer token)' });

  // read from the store on each request: a rotation by the daemon takes effect at once
  f.tokens.rotate('tok-3', f.clock.now);
  t.equal((await f.client.get(CHECK, { TAuth: 'tok-3' })).body.code, 200);
  t.equal((await f.client.get(CHECK, { TAuth: 'tok-2' })).body.code, 200, 'tok-2 is now the previous one, in grace');
  t.match((await f.client.get(CHECK, { TAuth: 'tok-config' })).body, { code: 403, msg: 'TAuth: token invalid' }, 'two rotations back');
});
