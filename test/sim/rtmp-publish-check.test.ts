// The province sim as the RTMP ingest's authority: nginx-rtmp on_publish → the sim's
// publish-check listener, with real ffmpeg publishers and GetPushAddress URLs.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { CameraRegistry, PUBLISH_CHECK_PATH, type ProvinceSim, type ReceivedRequest } from '../../src/sim/province/index.js';
import { freePort } from '../../src/sim/ports.js';
import type { RtmpServer } from '../../src/sim/rtmp/index.js';
import { CAM_A, CAM_B, cameraRecord, post, startSim, trustingAgent } from './province-helpers.js';
import { publishCif, startServer, within } from './rtmp-helpers.js';

const NOW = 1_700_000_000_000;

t.test('registry.checkPush: signature, expiry, registration', async (t) => {
  const registry = new CameraRegistry({ rtmpBase: 'rtmp://127.0.0.1:1935/rtmp', pushUrlTtlS: 60 });
  registry.upsert([cameraRecord(CAM_A) as never, cameraRecord(CAM_B) as never]);
  const res = registry.pushAddresses([CAM_A], NOW);
  if (!res.ok) throw new Error('no push address');
  const url = new URL(res.cameras[0]!.pushUrl);
  const t16 = url.searchParams.get('t')!;
  const k = url.searchParams.get('k')!;
  t.equal(parseInt(t16, 16), NOW / 1000 + 60, 'pushUrlTtlS sets the expiry');

  t.same(registry.checkPush(CAM_A, { t: t16, k }, NOW), { ok: true });
  t.same(registry.checkPush(CAM_A, { t: t16, k }, NOW + 60_000), { ok: true }, 'valid up to the instant t');
  t.match(registry.checkPush(CAM_A, { t: t16, k }, NOW + 60_001), { ok: false, reason: /^expired: valid until 2023-11-14T22:14:20\.000Z, 1 s ago$/ });
  t.match(registry.checkPush(CAM_B, { t: t16, k }, NOW), { ok: false, reason: /^k: signature/ }, 'signed for another stream');
  t.match(registry.checkPush(CAM_A, { t: (parseInt(t16, 16) + 600).toString(16), k }, NOW), { ok: false, reason: /^k: / }, 'expiry moved');
  t.match(registry.checkPush(CAM_A, { t: t16, k: k.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, NOW), { ok: false, reason: /^k: / });
  t.match(registry.checkPush(CAM_A, { t: t16, k: 'short' }, NOW), { ok: false, reason: /^k: / });
  t.match(registry.checkPush(CAM_A, { t: t16 }, NOW), { ok: false, reason: 'k: missing from the push URL' });
  t.match(registry.checkPush(CAM_A, { k }, NOW), { ok: false, reason: 't: missing from the push URL' });
  t.match(registry.checkPush(CAM_A, { t: 'zz', k }, NOW), { ok: false, reason: /^t: zz is not a hex/ });
  registry.remove([CAM_A]);
  t.match(registry.checkPush(CAM_A, { t: t16, k }, NOW), { ok: false, reason: /is not a registered camera/ });

  const short = new CameraRegistry({ pushUrlTtlS: 1 });
  short.upsert([cameraRecord(CAM_A) as never]);
  const r = short.pushAddresses([], NOW);
  t.match(r, { ok: true, cameras: [{ cameraNum: CAM_A, pushUrl: new RegExp(`\\?t=${(NOW / 1000 + 1).toString(16)}&k=`) }] });
});

t.test('the sim refuses bad options', async (t) => {
  await t.rejects(startSim(t, { pushUrlTtlS: 0 }), /pushUrlTtlS 0 must be a whole number of seconds ≥ 1/);
  await t.rejects(startSim(t, { publishCheck: { port: 70000 } }), /publishCheck\.port 70000/);
  const plain = await startSim(t);
  t.equal(plain.publishCheckUrl, undefined, 'no listener unless asked');
});

interface Rig {
  sim: ProvinceSim;
  rtmp: RtmpServer;
  pushUrl(cameraNum: string): Promise<string>;
}

/** A sim whose GetPushAddress points at a real nginx-rtmp that asks the sim about every publish. */
async function rig(t: Test, pushUrlTtlS?: number): Promise<Rig> {
  const port = await freePort();
  const sim = await startSim(t, {
    rtmpBase: `rtmp://127.0.0.1:${port}/rtmp`,
    publishCheck: true,
    ...(pushUrlTtlS ? { pushUrlTtlS } : {}),
  });
  t.match(sim.publishCheckUrl, new RegExp(`^http://127\\.0\\.0\\.1:\\d+${PUBLISH_CHECK_PATH}$`));
  const rtmp = await startServer(t, { port, onPublishUrl: sim.publishCheckUrl });
  const agent = trustingAgent(t, sim);
  t.equal((await post(agent, sim, 'video.VideoInformation', [cameraRecord(CAM_A), cameraRecord(CAM_B)])).json.code, 200);
  return {
    sim,
    rtmp,
    pushUrl: async (cameraNum) => {
      const r = await post(agent, sim, 'stream.GetPushAddress', { cameras: [cameraNum] });
      return (r.json.data as { cameras: Array<{ pushUrl: string }> }).cameras[0]!.pushUrl;
    },
  };
}

const isCheck = (r: ReceivedRequest): boolean => r.path === PUBLISH_CHECK_PATH;

/** Publishes to `url` and returns the sim's recorded check of it; a refused publisher must exit with an error. */
async function publishAndCheck(t: Test, r: Rig, url: string, expect: 'accepted' | 'refused'): Promise<ReceivedRequest> {
  const since = r.sim.received().at(-1)?.seq ?? 0;
  const pub = publishCif(t, url, { audio: false });
  const check = await r.sim.waitFor((q) => isCheck(q) && q.seq > since, 15_000);
  if (expect === 'refused') {
    const gone = await within(pub.exited, 10_000, 'refused publisher exit');
    t.not(gone.code, 0, `the refused publisher failed: ${gone.stderr.trim().split('\n').pop()}`);
  } else {
    const name = new URL(url).pathname.split('/').pop()!;
    await within(
      (async () => {
        while (!(await r.rtmp.stats()).some((s) => s.stream === name && s.publishing)) await new Promise((res) => setTimeout(res, 50));
      })(),
      10_000,
      'stats showing the accepted publish',
    );
    t.equal(pub.child.exitCode, null, 'the accepted publisher keeps running');
    await pub.kill();
  }
  return check;
}

t.test('on_publish: a fresh GetPushAddress URL is accepted, tampered and refused ones are not', async (t) => {
  const r = await rig(t);
  const fresh = await r.pushUrl(CAM_A);
  const ok = await publishAndCheck(t, r, fresh, 'accepted');
  const freshQuery = new URL(fresh).searchParams;
  t.match(ok, { method: 'POST', code: 200, msg: 'accepted: signed push URL' });
  t.match(ok.body, { call: 'publish', app: 'rtmp', name: CAM_A, t: freshQuery.get('t'), k: freshQuery.get('k'), addr: '127.0.0.1' });

  const tampered = fresh.replace(/k=([0-9a-f])/, (_, c: string) => `k=${c === '0' ? '1' : '0'}`);
  t.match(await publishAndCheck(t, r, tampered, 'refused'), { code: 403, msg: /^k: signature/ });
  const otherStream = fresh.replace(CAM_A, CAM_B);
  t.match(await publishAndCheck(t, r, otherStream, 'refused'), { code: 403, msg: /^k: signature/ }, 'a URL signed for A does not open B');

  const unsigned = r.rtmp.url('rtmp', 'od-1');
  t.match(await publishAndCheck(t, r, unsigned, 'accepted'), { code: 200, msg: /unsigned/ }, 'on-demand names pass');

  r.sim.refusePublish(CAM_A, true);
  t.match(await publishAndCheck(t, r, await r.pushUrl(CAM_A), 'refused'), { code: 403, msg: `refused: ${CAM_A} (refusePublish)` });
  t.match(await publishAndCheck(t, r, await r.pushUrl(CAM_B), 'accepted'), { code: 200 }, 'only that stream is refused');
  r.sim.refusePublish(true, true);
  t.match(await publishAndCheck(t, r, unsigned, 'refused'), { code: 403, msg: /every publish/ });
  r.sim.refusePublish(true, false);
  r.sim.refusePublish(CAM_A, false);
  t.match(await publishAndCheck(t, r, await r.pushUrl(CAM_A), 'accepted'), { code: 200 }, 'refusal lifted');

  const checks = r.sim.received({ path: PUBLISH_CHECK_PATH });
  t.same(
    checks.map((c) => c.code),
    [200, 403, 403, 200, 403, 200, 403, 200],
    'every publish check is in the received log, in order',
  );
});

t.test('on_publish: a URL used after its TTL is refused and the refusal is recorded', async (t) => {
  const r = await rig(t, 1);
  const url = await r.pushUrl(CAM_A);
  const expiresMs = parseInt(new URL(url).searchParams.get('t')!, 16) * 1000;
  const waitMs = expiresMs - Date.now() + 20;
  t.ok(waitMs <= 1020, `expires within the 1 s TTL (${waitMs} ms)`);
  await new Promise((res) => setTimeout(res, Math.max(0, waitMs)));
  t.ok(Date.now() > expiresMs, 'past the expiry by the clock');
  const check = await publishAndCheck(t, r, url, 'refused');
  t.match(check, { code: 403, msg: /^expired: valid until .* s ago$/, body: { name: CAM_A } });

});

t.test('the publish-check listener answers only POSTs to its path', async (t) => {
  const sim = await startSim(t, { publishCheck: true });
  const base = new URL(sim.publishCheckUrl!);
  const get = await request(base, { method: 'GET' });
  t.equal(get.statusCode, 404);
  await get.body.dump();
  const other = await request(new URL('/other', base), { method: 'POST', body: 'name=x' });
  t.equal(other.statusCode, 404);
  await other.body.dump();
  const noName = await request(base, { method: 'POST', body: 'app=rtmp', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(noName.statusCode, 403);
  t.equal(await noName.body.text(), 'name: no stream name\n');
  t.match(sim.received({ path: PUBLISH_CHECK_PATH }), [{ code: 403, msg: 'name: no stream name', body: { app: 'rtmp' } }]);
});
