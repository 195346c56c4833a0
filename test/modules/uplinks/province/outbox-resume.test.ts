// After a province outage the outbox resumes at once (issue 15): as soon as any call gets through,
// or its own probe of the oldest pending report does, everything pending is sent, oldest first.
import crypto from 'node:crypto';
import t, { type Test } from 'tap';
import { silentLogger } from '../../../../src/log.js';
import { OutboxDispatcher } from '../../../../src/modules/uplinks/province/outboxDispatcher.js';
import { ProvinceSession } from '../../../../src/modules/uplinks/province/session.js';
import { ProvinceClient } from '../../../../src/protocols/province/client.js';
import { sm2Sign } from '../../../../src/protocols/province/sm2.js';
import { CameraStore } from '../../../../src/store/cameras.js';
import { openDb } from '../../../../src/store/db.js';
import { OutboxStore } from '../../../../src/store/outbox.js';
import { TokenStore } from '../../../../src/store/tokens.js';
import { tempDir } from '../../snapshots/helpers.js';
import { DEVICE, KEYS, startSim, TOKEN, USER } from '../../../sim/province-helpers.js';
import { until } from '../../../helpers/media.js';

const REPORTS = 5;

async function rig(t: Test, probeMs: number) {
  const sim = await startSim(t);
  const db = openDb(tempDir(t, 'vcgw-outbox-'));
  t.teardown(() => db.close());
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(TOKEN);
  const client = new ProvinceClient({
    baseUrls: [sim.url],
    deviceCode: DEVICE,
    user: USER,
    appVersion: 'test',
    tls: { ca: sim.certPem },
    requestTimeoutMs: 2000,
    primaryRetryMs: 60_000,
    sign: (m) => sm2Sign(m, KEYS.privateKeyHex, 'raw'),
  });
  t.teardown(() => client.close());
  const outbox = new OutboxStore(db);
  let dispatcher: OutboxDispatcher | undefined;
  const session = new ProvinceSession({ client, tokens, refreshMs: 3_600_000, log: silentLogger(), onReachableAgain: () => dispatcher?.resume() });
  // A back-off far longer than the test: only the resume can deliver in time.
  dispatcher = new OutboxDispatcher({ outbox, cameras: new CameraStore(db), call: (p, b) => session.call(p, b), backoffS: [120], batchMax: 100, analyseKey: 'k', orgId: 'o', probeMs, log: silentLogger() });
  t.teardown(() => dispatcher!.stop());
  const cameraNum = crypto.randomUUID();
  const snapshots = Array.from({ length: REPORTS }, (_, i) => ({ cameraNum, time: 1_700_000_000 + i, snapshotUrl: `https://gw/s/${i}.jpg` }));
  return { sim, outbox, session, dispatcher, snapshots };
}

async function outageThenBack(t: Test, r: Awaited<ReturnType<typeof rig>>, whenBack: () => Promise<unknown>): Promise<number> {
  r.sim.setDown(true);
  for (const s of r.snapshots) r.outbox.enqueue('snapshot', s);
  r.dispatcher.start();
  await until('a failed attempt', () => r.outbox.counts().failing === REPORTS, 10_000);
  r.sim.setDown(false);
  const backAt = Date.now();
  await whenBack();
  await until('everything delivered', () => r.outbox.counts().pending === 0, 10_000);
  const ms = Date.now() - backAt;
  const sent = r.sim.received({ path: '/service/video.ReportSnapshot' }).filter((x) => x.code === 200).flatMap((x) => x.body as Array<{ time: number }>);
  t.same(sent.map((s) => s.time), r.snapshots.map((s) => s.time), 'each report once, oldest first');
  return ms;
}

t.test('any call that gets through resumes the outbox at once', async (t) => {
  const r = await rig(t, 600_000);
  const ms = await outageThenBack(t, r, () => r.session.call('/service/stream.GetPushAddress', { cameras: [] }));
  t.comment(`pending reports delivered ${ms} ms after another call got through (back-off was 120 s)`);
  t.ok(ms < 2000, `delivered within 2 s (${ms} ms)`);
});

t.test('with no other call, the probe of the oldest pending report finds the link back', async (t) => {
  const r = await rig(t, 1000);
  const ms = await outageThenBack(t, r, async () => {});
  t.comment(`pending reports delivered ${ms} ms after the province came back (probe every 1 s, back-off 120 s)`);
  t.ok(ms < 3000, `delivered within 3 s (${ms} ms)`);
});
