// RTSP Digest authentication (RFC 2617, MD5) on the simulated camera, against FFmpeg and by hand.
import { createHash } from 'node:crypto';
import t from 'tap';
import { DIGEST_REALM, SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { probe, RawRtspClient, startCamera } from './camera-helpers.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const USER = 'admin';
const PASSWORD = 'p@ss:wörd/12';

function digest(method: string, uri: string, nonce: string, password = PASSWORD, user = USER): Record<string, string> {
  const response = md5(`${md5(`${user}:${DIGEST_REALM}:${password}`)}:${nonce}:${md5(`${method}:${uri}`)}`);
  return { Authorization: `Digest username="${user}", realm="${DIGEST_REALM}", nonce="${nonce}", uri="${uri}", response="${response}"` };
}

function nonceOf(header: string | undefined): string {
  const m = /^Digest realm="([^"]+)", nonce="([0-9a-f]+)"$/.exec(header ?? '');
  if (!m) throw new Error(`not a Digest challenge: ${header}`);
  return m[2]!;
}

t.test('FFmpeg: the right password plays, a wrong one or none gets 401 Unauthorized', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }], user: USER, password: PASSWORD });
  const url = cam.url('sub', true);
  t.equal(url, `rtsp://admin:p%40ss%3Aw%C3%B6rd%2F12@127.0.0.1:${cam.port}/sub`, 'credentials are percent-encoded');
  const wrongUrl = url.replace('p%40ss', 'p%40sz');
  const [right, wrong, none] = await Promise.all([probe(t, url), probe(t, wrongUrl), probe(t, cam.url('sub'))]);
  t.match(right.streams, [{ codec_name: 'h264', width: 352 }], right.result.stderr);
  for (const [name, r] of [['wrong password', wrong], ['no credentials', none]] as const) {
    t.not(r.result.code, 0, name);
    t.match(r.result.stderr, /401 Unauthorized/, name);
  }
  t.match(cam.stats()[0], { sessionsTotal: 1 }, 'refused clients never get a session');
});

t.test('by hand: OPTIONS is open; DESCRIBE, SETUP and PLAY each need a valid digest', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }], user: USER, password: PASSWORD });
  const base = cam.url('sub');
  const c = await RawRtspClient.connect(t, cam.port);
  t.equal((await c.request('OPTIONS', base)).status, 200);

  const challenge = await c.request('DESCRIBE', base);
  t.equal(challenge.status, 401);
  const nonce = nonceOf(challenge.headers.get('www-authenticate'));
  t.equal((await c.request('DESCRIBE', base, digest('DESCRIBE', base, nonce, 'nope'))).status, 401, 'wrong password');
  t.equal((await c.request('DESCRIBE', base, digest('DESCRIBE', base, nonce, PASSWORD, 'root'))).status, 401, 'wrong user');
  const forged = `${nonce.slice(0, 16)}${'0'.repeat(16)}`;
  t.equal((await c.request('DESCRIBE', base, digest('DESCRIBE', base, forged))).status, 401, 'a nonce we never issued');
  t.equal((await c.request('DESCRIBE', base, digest('PLAY', base, nonce))).status, 401, 'a digest for another method');
  t.equal((await c.request('DESCRIBE', base, { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` })).status, 401, 'Basic is not offered');
  const ok = await c.request('DESCRIBE', base, digest('DESCRIBE', base, nonce));
  t.equal(ok.status, 200);
  const track = `${base}/trackID=0`;
  const transport = { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' };
  t.equal((await c.request('SETUP', track, transport)).status, 401, 'SETUP without a digest');
  const setup = await c.request('SETUP', track, { ...transport, ...digest('SETUP', track, nonce) });
  t.equal(setup.status, 200, 'the nonce stays valid for later requests');
  const session = setup.headers.get('session')!.split(';')[0]!;
  t.equal((await c.request('PLAY', base, { Session: session })).status, 401, 'PLAY without a digest');
  t.equal((await c.request('PLAY', base, { Session: session, ...digest('PLAY', base, nonce) })).status, 200);
  t.equal((await c.request('GET_PARAMETER', base, { Session: session })).status, 200, 'keep-alives ride on the session');
  await c.waitForFrames(0, 1, 5000);
});

t.test('qop=auth digests from clients that send them are checked too', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }], password: PASSWORD });
  const base = cam.url('sub');
  const c = await RawRtspClient.connect(t, cam.port);
  const nonce = nonceOf((await c.request('DESCRIBE', base)).headers.get('www-authenticate'));
  const ha1 = md5(`admin:${DIGEST_REALM}:${PASSWORD}`);
  const ha2 = md5(`DESCRIBE:${base}`);
  const header = (response: string): Record<string, string> => ({
    Authorization: `Digest username="admin", realm="${DIGEST_REALM}", nonce="${nonce}", uri="${base}", qop=auth, nc=00000001, cnonce="abc", response="${response}"`,
  });
  t.equal((await c.request('DESCRIBE', base, header(md5(`${ha1}:${nonce}:00000001:abc:auth:${ha2}`)))).status, 200, 'user defaults to admin');
  t.equal((await c.request('DESCRIBE', base, header(md5(`${ha1}:${nonce}:00000002:abc:auth:${ha2}`)))).status, 401);
});
