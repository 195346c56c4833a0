// Fault injection on the province link (issue 15, item 4): the platform refuses connections,
// answers 503, or hangs, for a while; 1,000 detector reports are queued meanwhile through the
// monitor listener and the daemon (`vcgw run`) is killed -9 once in the middle. After the
// outage every report is delivered once, in order, and the token is never lost.
// The outage is 2 minutes; VCGW_FAULT_OUTAGE_S sets it (default 10 s, to keep CI short).
import crypto from 'node:crypto';
import t from 'tap';
import { Agent, request } from 'undici';
import type { OutageMode } from '../../src/sim/province/types.js';
import { freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { runGateway, type GatewayChild } from '../helpers/gateway.js';
import { until } from '../helpers/media.js';

const OUTAGE_S = Number(process.env.VCGW_FAULT_OUTAGE_S ?? 10);
const REPORTS = 1000;
const keys = generateSm2KeyPair();

t.test('three kinds of province outage, a kill -9 in each, 1,000 reports each: all delivered once, in order', async (t) => {
  const apiPort = await freePort();
  const sim = await startSim(keys, { gatewayUrl: `https://127.0.0.1:${apiPort}` });
  t.teardown(() => sim.close());
  // Field defaults for the outbox (back-off up to 300 s) and the province call timeout: only the resume brings reports back early.
  const files = await writeGatewayConfig(t.testdir(), sim, keys, {
    outbox: { backoff_s: [1, 5, 10, 30, 60, 300] },
    province: { request_timeout_ms: 3000 },
    api: { listen: `127.0.0.1:${apiPort}` },
    monitor: { tls: false },
    snapshots: { enabled: false },
    quality: { enabled: false },
  });
  let gw: GatewayChild = runGateway(files.configFile);
  t.teardown(() => gw.child.kill('SIGKILL'));
  const synced = await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 200, 30_000);
  const cameraNum = (synced.body as Array<{ cameraNum: string }>)[0]!.cameraNum;
  const { parse } = await import('smol-toml');
  const fs = await import('node:fs');
  const monitorUrl = `http://${(parse(fs.readFileSync(files.configFile, 'utf8')) as { monitor: { listen: string } }).monitor.listen}`;
  const agent = new Agent({ connections: 1 });
  t.teardown(() => agent.close());

  // One at a time, so that the order queued is the order of `ids`.
  const postEvents = async (ids: string[]) => {
    for (const eventId of ids) {
      const res = await request(`${monitorUrl}/monitor/video.ReportAnalyse`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: [{ eventId, deviceCode: cameraNum, detectTime: '2026-12-06 09:20:23', Location: 'K10+1', latLong: '113.1/23.1', mediaUrl: 'https://det/1.mp4', eventType: 0 }] }),
      });
      const reply = (await res.body.json()) as { code: number; msg: string };
      if (reply.code !== 200) throw new Error(`monitor refused ${eventId}: ${reply.code} ${reply.msg}`);
    }
  };
  const monitorUp = () =>
    until('the monitor listener up', () => request(`${monitorUrl}/`, { dispatcher: agent }).then((r) => r.body.dump().then(() => true), () => false), 30_000);
  const restart = async () => {
    gw.child.kill('SIGKILL');
    await gw.exited;
    gw = runGateway(files.configFile);
    await monitorUp();
  };
  await monitorUp();
  const delivered = () =>
    sim
      .received({ path: '/service/video.ReportAnalyse' })
      .filter((r) => r.code === 200)
      .flatMap((r) => (r.body as { data: Array<{ eventId: string }> }).data.map((e) => e.eventId));
  const day = '20261206';

  for (const mode of ['refuse', '503', 'hang'] as OutageMode[]) {
    const ids = Array.from({ length: REPORTS }, () => `${day}_${cameraNum}_${crypto.randomUUID()}`);
    const downAt = Date.now();
    await sim.setDown(true, mode);
    await postEvents(ids.slice(0, REPORTS / 2));
    await restart(); // kill -9 in the middle of the outage, reports pending
    await postEvents(ids.slice(REPORTS / 2));
    await until('the outage has lasted its time', () => Date.now() - downAt >= OUTAGE_S * 1000, OUTAGE_S * 1000 + 60_000);
    const seenBefore = delivered().length;
    await sim.setDown(false);
    const upAt = Date.now();
    await until(`the first report of the ${mode} outage delivered`, () => delivered().length > seenBefore, 60_000);
    const firstMs = Date.now() - upAt;
    await until(`every report of the ${mode} outage delivered`, () => delivered().length - seenBefore >= REPORTS, 120_000);
    const ms = Date.now() - upAt;
    const got = delivered().slice(seenBefore);
    t.comment(`${mode}: ${OUTAGE_S} s outage, kill -9 inside it, ${REPORTS} reports: the first delivered ${firstMs} ms and all ${ms} ms after the platform was back`);
    t.same(got, ids, `${mode}: every report delivered once, in the order queued`);
    t.ok(ms < 30_000, `${mode}: delivered within 30 s of the platform coming back (${ms} ms)`);
  }

  // The token was never lost: the platform's calls are accepted and the gateway's carry the platform's current token.
  const check = await sim.callGateway('CheckGateway');
  t.equal((check.body as { code: number }).code, 200, "the platform's call with its current token is accepted");
  const last = sim.received({ path: '/service/video.ReportAnalyse' }).filter((r) => r.code === 200).at(-1)!;
  t.equal(last.headers['tauth'], sim.currentToken(), "the gateway's reports carry the platform's current token");
});
