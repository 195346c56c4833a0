// GET /snapshots/… over the gateway's HTTPS API: TAuth like every other call, or a signed URL.
import t from 'tap';
import { Agent, request } from 'undici';
import { silentLogger } from '../../../src/log.js';
import { startApiServer } from '../../../src/modules/api/server.js';
import { ensureServerTls } from '../../../src/modules/api/tls.js';
import { snapshotParts } from '../../../src/modules/snapshots/start.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { TokenStore } from '../../../src/store/tokens.js';
import { addCamera, fakeJpeg, snapConfig, tempDir } from './helpers.js';

async function rig(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const config = snapConfig(dir);
  const log = silentLogger();
  const db = openDb(dir);
  const clock = { now: Date.now() };
  const cameras = new CameraStore(db);
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(config.province.token, clock.now);
  const tls = await ensureServerTls(config.api, dir, log);
  const parts = snapshotParts({ config, db, log, now: () => clock.now, baseUrl: () => server.url });
  const server = await startApiServer({
    config,
    tokens,
    // Only the snapshot routes: the province's calls are not what this test is about.
    routes: [],
    tls,
    log,
    now: () => clock.now,
    snapshots: { files: parts.files, urls: parts.urls },
  });
  const agent = new Agent({ connect: { ca: tls.cert } });
  t.teardown(async () => {
    await agent.close();
    await server.close();
    db.close();
  });
  const cam = addCamera(cameras, 1);
  const jpeg = fakeJpeg(352, 288, 5000);
  const snap = await parts.files.save(cam.record.cameraNum, clock.now, { jpeg, width: 352, height: 288, source: 'stream', from: 'test' });
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await request(url.startsWith('http') ? url : server.url + url, { dispatcher: agent, headers });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, type: String(res.headers['content-type']), body };
  };
  return { server, parts, snap, jpeg, get, clock, tokens };
}

const TAUTH = { TAuth: 'tok-config', DeviceCode: 'vg-108121' };

t.test('TAuth: 200 with the JPEG, 401 without a token, 403 with a wrong one, 404 for a missing file', async (t) => {
  const r = await rig(t);
  const path = `/snapshots/${r.snap.path}`;
  const ok = await r.get(path, TAUTH);
  t.equal(ok.status, 200);
  t.equal(ok.type, 'image/jpeg');
  t.ok(ok.body.equals(r.jpeg), 'the bytes of the file');
  t.equal((await r.get(path)).status, 401, 'no token');
  const wrong = await r.get(path, { TAuth: 'nope' });
  t.equal(wrong.status, 403, 'wrong token');
  t.match(JSON.parse(wrong.body.toString()), { code: 403, msg: /TAuth/ });
  t.equal((await r.get(path, { TAuth: 'tok-config', DeviceCode: 'vg-other' })).status, 403, 'another gateway');
  const missing = path.replace(/\d{6}\.jpg$/, '000001.jpg');
  t.equal((await r.get(missing, TAUTH)).status, 404, 'a file that is not there');
});

t.test('no way out of the snapshot directory', async (t) => {
  const r = await rig(t);
  const num = r.snap.cameraNum;
  for (const p of [
    `/snapshots/${num}/..%2F..%2Fvcgw.sqlite/x.jpg`,
    `/snapshots/${num}/20261120/..%2F..%2F..%2Fvcgw.sqlite`,
    `/snapshots/..%2F..%2Ftls/20261120/server.key`,
    `/snapshots/${num}/20261120/%2Fetc%2Fpasswd`,
    `/snapshots/not-a-uuid/20261120/120000.jpg`,
    `/snapshots/${num}/2026112/120000.jpg`,
    `/snapshots/${num}/20261120/120000.png`,
    `/snapshots/../vcgw.sqlite`,
    `/snapshots/${num}/../../vcgw.sqlite`,
  ]) {
    const res = await r.get(p, TAUTH);
    t.equal(res.status, 404, `${p} refused`);
    t.not(res.type, 'image/jpeg');
    t.notOk(res.body.includes(Buffer.from('SQLite format')), 'never the database');
  }
});

t.test('signed URL: valid without headers, refused once expired or tampered with', async (t) => {
  const r = await rig(t);
  const url = r.parts.urls.urlFor(r.snap, 3600);
  t.match(url, new RegExp(`^${r.server.url}/snapshots/${r.snap.path}\\?expires=\\d+&sig=[0-9a-f]{64}$`));
  const ok = await r.get(url);
  t.equal(ok.status, 200, 'fetchable without TAuth');
  t.ok(ok.body.equals(r.jpeg));

  const u = new URL(url);
  const sig = u.searchParams.get('sig')!;
  const other = await r.parts.files.save(r.snap.cameraNum, r.clock.now + 1000, { jpeg: r.jpeg, width: 352, height: 288, source: 'stream', from: 'test' });
  t.equal((await r.get(`${r.server.url}/snapshots/${other.path}${u.search}`)).status, 403, "another file with this file's signature");
  t.equal((await r.get(url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`))).status, 403, 'a longer expiry');
  t.equal((await r.get(url.replace(sig, sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')))).status, 403, 'a changed signature');
  t.equal((await r.get(url.replace(/&sig=.*$/, ''))).status, 403, 'no signature');

  r.clock.now += 3601_000;
  const expired = await r.get(url);
  t.equal(expired.status, 403, 'expired');
  t.match(JSON.parse(expired.body.toString()).msg, /expired/);
  t.equal((await r.get(`/snapshots/${r.snap.path}`, TAUTH)).status, 200, 'TAuth still works for the same file');
});
