// /monitor/video.ReportAnalyse from local detectors (E-5.6, CONTRACT §4 last bullet).
import t from 'tap';
import { Agent } from 'undici';
import { silentLogger } from '../../../src/log.js';
import { buildAllowList, unmapIPv4 } from '../../../src/modules/api/allowList.js';
import { MONITOR_PATH, startMonitorServer } from '../../../src/modules/api/monitor.js';
import { ensureServerTls } from '../../../src/modules/api/tls.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { Client, addCamera, tempDir, testConfig, type Teardown } from './helpers.js';

const CAM = 'baee05a7-166a-48f8-9a57-3754c1a7ac65';
const DETECTOR_ID = `20230920_${CAM}_c1a1d856-0662-4859-850e-ef4a774bf26b`;

async function startMonitor(t: Teardown, monitor: Record<string, unknown> = {}) {
  const dir = tempDir(t);
  const config = testConfig(dir, { monitor });
  const db = openDb(dir);
  const cameras = new CameraStore(db);
  const outbox = new OutboxStore(db);
  let kicks = 0;
  const log = silentLogger();
  const tls = await ensureServerTls(config.api, dir, log);
  outbox.onEnqueued(() => kicks++);
  const server = await startMonitorServer({ config, cameras, outbox, tls, log });
  const agent = new Agent({ connect: { ca: tls.cert } });
  t.teardown(async () => {
    await agent.close();
    await server.close();
    db.close();
  });
  addCamera(cameras, { cameraNum: CAM });
  return { server, cameras, outbox, client: new Client(server.url, agent), kicks: () => kicks };
}

const demoEvent = (over: Record<string, unknown> = {}) => ({
  eventId: DETECTOR_ID,
  deviceCode: CAM,
  detectTime: '2023-09-20 09:20:23',
  Location: 'K10+1',
  latLong: '130.34567/29.346587,120.7766/28.251541',
  mediaUrl: { name: '1.mp4', type: 'video/mp4' },
  eventType: 0,
  ...over,
});

t.test('allow-list predicate', async (t) => {
  const allowed = buildAllowList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  t.ok(allowed('10.1.2.3'));
  t.ok(allowed('::ffff:10.1.2.3'), 'IPv4-mapped IPv6');
  t.ok(allowed('192.168.1.7'));
  t.notOk(allowed('192.168.1.8'));
  t.ok(allowed('fd12::1'));
  t.notOk(allowed('fe80::1'));
  t.notOk(allowed(undefined));
  t.equal(unmapIPv4('::FFFF:127.0.0.1'), '127.0.0.1');
  t.throws(() => buildAllowList(['10.0.0.0/33']), /monitor\.allow: 10\.0\.0\.0\/33/);
  t.throws(() => buildAllowList(['example.com']), /monitor\.allow/);
});

t.test('the demo event is queued once for the province', async (t) => {
  const m = await startMonitor(t);
  t.match(m.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const res = await m.client.post(MONITOR_PATH, { data: [demoEvent()] });
  t.equal(res.status, 200);
  t.same(res.body, { code: 200, msg: '成功' });
  const items = m.outbox.list({ kind: 'analyse' });
  t.equal(items.length, 1);
  t.same(items[0]!.payload, {
    events: [
      {
        eventId: DETECTOR_ID,
        cameraNum: CAM,
        detectTime: '2023-09-20 09:20:23',
        Location: 'K10+1',
        latLong: '130.34567/29.346587,120.7766/28.251541',
        mediaUrl: { name: '1.mp4', type: 'video/mp4' },
        eventType: 0,
      },
    ],
  });
  t.equal(items[0]!.coalesceKey, null, 'events are never coalesced');
  t.equal(m.kicks(), 1, 'the dispatcher was woken');
});

t.test('data and mediaUrl as JSON-encoded strings, the demo trailing commas, several events', async (t) => {
  const m = await startMonitor(t);
  const data = JSON.stringify([
    demoEvent({ mediaUrl: JSON.stringify({ name: '2.jpg', type: 'image/jpeg' }) }),
    demoEvent({ eventId: 'det-42', eventType: '4', mediaUrl: undefined }),
  ]);
  const res = await m.client.post(MONITOR_PATH, { data });
  t.same(res.body, { code: 200, msg: '成功' });
  const payload = m.outbox.list({ kind: 'analyse' })[0]!.payload as { events: Array<Record<string, unknown>> };
  t.equal(payload.events.length, 2, 'one outbox item for the whole post');
  t.same(payload.events[0]!['mediaUrl'], { name: '2.jpg', type: 'image/jpeg' });
  t.equal(payload.events[1]!['eventType'], 4);
  t.notOk('mediaUrl' in payload.events[1]!);
  t.match(payload.events[1]!['eventId'], new RegExp(`^20230920_${CAM}_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), 'a non-conforming detector id is replaced');

  const demoText = `{"data":[{"eventId":"${DETECTOR_ID}","deviceCode":"${CAM}","detectTime":"2023-09-20 09:20:23",
    "Location":"K10+1","mediaUrl":{"name":"1.mp4","type": "video/mp4",},"eventType":0,},]}`;
  const demo = await m.client.send('POST', MONITOR_PATH, demoText);
  t.same(demo.body, { code: 200, msg: '成功' }, 'the E-5.6 demo as printed, trailing commas and all');
  t.equal(m.outbox.list({ kind: 'analyse' }).length, 2);
});

t.test('device_map translates a detector id', async (t) => {
  const m = await startMonitor(t, { device_map: { 'det-07': CAM, 'det-08': 'aef89ecc-4cc6-4a6d-80fd-283196105b0b' } });
  const res = await m.client.post(MONITOR_PATH, { data: [demoEvent({ deviceCode: 'det-07', eventId: '20230920_det-07_1' })] });
  t.equal(res.body.code, 200);
  const ev = (m.outbox.list({ kind: 'analyse' })[0]!.payload as { events: Array<Record<string, unknown>> }).events[0]!;
  t.equal(ev['cameraNum'], CAM);
  t.notOk('deviceCode' in ev);
  t.match(ev['eventId'], new RegExp(`^20230920_${CAM}_`));

  const unmapped = await m.client.post(MONITOR_PATH, { data: [demoEvent({ deviceCode: 'det-99' })] });
  t.match(unmapped.body, { code: 400, msg: /^data\.0\.deviceCode: det-99 is neither a registered cameraNum nor in monitor\.device_map$/ });
  const dangling = await m.client.post(MONITOR_PATH, { data: [demoEvent(), demoEvent({ deviceCode: 'det-08' })] });
  t.match(dangling.body, { code: 400, msg: /^data\.1\.deviceCode: det-08 maps to aef89ecc-.* which is not a registered camera$/ });
  t.equal(m.outbox.list({ kind: 'analyse' }).length, 1, 'a post with a bad event queues nothing');
});

t.test('bad events are 400 naming the field', async (t) => {
  const m = await startMonitor(t);
  const cases: Array<[string, string, RegExp]> = [
    ['malformed JSON', '{"data": [', /^body: malformed JSON/],
    ['no data', '{}', /^data: required$/],
    ['data not an array', '{"data": 5}', /^data: must be an array/],
    ['data string not JSON', JSON.stringify({ data: '[{"eventId": ' }), /^data: malformed JSON/],
    ['empty', '{"data": []}', /^data: must hold at least one event$/],
    ['missing field', JSON.stringify({ data: [demoEvent({ detectTime: undefined })] }), /^data\.0\.detectTime: required$/],
    ['bad time', JSON.stringify({ data: [demoEvent({ detectTime: '2023/09/20' })] }), /^data\.0\.detectTime: must be YYYY-MM-DD HH:mm:ss$/],
    ['bad type', JSON.stringify({ data: [demoEvent(), demoEvent({ eventType: 9 })] }), /^data\.1\.eventType: must be 0–5$/],
    ['bad mediaUrl JSON', JSON.stringify({ data: [demoEvent({ mediaUrl: '{"name":' })] }), /^data\.0\.mediaUrl: malformed JSON/],
    ['long Location', JSON.stringify({ data: [demoEvent({ Location: 'K'.repeat(41) })] }), /^data\.0\.Location: /],
  ];
  for (const [name, body, expected] of cases) {
    const res = await m.client.send('POST', MONITOR_PATH, body);
    t.equal(res.status, 200, `${name}: HTTP 200`);
    t.equal(res.body.code, 400, name);
    t.match(res.body.msg, expected, `${name}: ${res.body.msg}`);
  }
  t.equal(m.outbox.list({ kind: 'analyse' }).length, 0);
  const fine = await m.client.post(MONITOR_PATH, { data: [demoEvent()] });
  t.equal(fine.body.code, 200, 'still serving');
});

t.test('addresses outside the allow-list are refused', async (t) => {
  const m = await startMonitor(t, { allow: ['10.0.0.0/8'] });
  const res = await m.client.post(MONITOR_PATH, { data: [demoEvent()] });
  t.equal(res.status, 403);
  t.same(res.body, { code: 403, msg: 'address not allowed' });
  t.equal(m.outbox.list({ kind: 'analyse' }).length, 0);
});

t.test('plain HTTP when monitor.tls is off; unknown paths are 404', async (t) => {
  const m = await startMonitor(t, { tls: false, allow: ['127.0.0.0/8', '::1'] });
  t.match(m.server.url, /^http:\/\//);
  const plain = new Client(m.server.url, new Agent());
  t.teardown(() => plain.agent.close());
  t.equal((await plain.post(MONITOR_PATH, { data: [demoEvent()] })).body.code, 200);
  const missing = await plain.post('/monitor/video.Other', {});
  t.equal(missing.status, 404);
  t.same(missing.body, { code: 404, msg: 'no such endpoint' });
});
