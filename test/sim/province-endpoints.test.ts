import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import t from 'tap';
import { request } from 'undici';
import { CAM_A, CAM_B, DEVICE, call, cameraRecord, post, startSim, trustingAgent } from './province-helpers.js';

const EVENT_ID = `20240501_${CAM_A}_0b6c1f0e-2f3a-4c2e-9a57-3754c1a7ac65`;
const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');

t.test('VideoInformation registers, modifies and answers per record; Del removes', async (t) => {
  const sim = await startSim(t, { rejectCameraNums: [CAM_B] });
  const agent = trustingAgent(t, sim);
  const r = await post(agent, sim, 'video.VideoInformation', [cameraRecord(CAM_A), cameraRecord(CAM_B)]);
  t.equal(r.json.code, 200);
  t.match(r.json.data, [
    { cameraNum: CAM_A, status: 0 },
    { cameraNum: CAM_B, status: 1, msg: /rejectCameraNums/ },
  ]);
  t.same([...sim.cameras().keys()], [CAM_A], 'rejected record not kept');
  await post(agent, sim, 'video.VideoInformation', [cameraRecord(CAM_A, { areaCode: '440203', pushType: 2 })]);
  t.equal(sim.cameras().get(CAM_A)?.areaCode, 440203, 'modified, number coerced');

  const bad = await post(agent, sim, 'video.VideoInformation', [cameraRecord(CAM_A), cameraRecord(CAM_B, { pileNum: 'K12' })]);
  t.same(bad.json, { code: 400, msg: '1.pileNum: must be K<km>+<m>, e.g. K1844+158' });
  const missing = cameraRecord(CAM_A);
  delete missing['road'];
  t.same((await post(agent, sim, 'video.VideoInformation', [missing])).json, { code: 400, msg: '0.road: required' });
  t.equal((await post(agent, sim, 'video.VideoInformation', cameraRecord(CAM_A))).json.code, 400, 'not an array');
  t.equal((await post(agent, sim, 'video.VideoInformation', [])).json.code, 400, 'empty array');

  const del = await post(agent, sim, 'video.VideoInformationDel', { cameras: [CAM_A, CAM_B] });
  t.same(del.json.data, [
    { cameraNum: CAM_A, status: 0, msg: '删除成功' },
    { cameraNum: CAM_B, status: 1, msg: '删除失败: 摄像机不存在' },
  ]);
  t.equal(sim.cameras().size, 0);
  const tooMany = Array.from({ length: 101 }, () => crypto.randomUUID());
  t.same((await post(agent, sim, 'video.VideoInformationDel', { cameras: tooMany })).json, {
    code: 400,
    msg: 'cameras: at most 100 camera ids per call',
  });
  t.match((await post(agent, sim, 'video.VideoInformationDel', { cameras: ['X'] })).json.msg, /^cameras\.0: /);
});

t.test('GetPushAddress hands out expiring signed URLs and the video object', async (t) => {
  const sim = await startSim(t, { rtmpBase: 'rtmp://10.0.0.5:1935/live/', clock: () => 1_700_000_000_000 });
  const agent = trustingAgent(t, sim);
  await post(agent, sim, 'video.VideoInformation', [cameraRecord(CAM_A), cameraRecord(CAM_B, { pushType: 2 })]);
  const all = await post(agent, sim, 'stream.GetPushAddress', { cameras: [] });
  t.equal(all.json.code, 200);
  const data = all.json.data as { cameras: Array<{ cameraNum: string; pushUrl: string }>; video: Record<string, string> };
  t.same(data.cameras.map((c) => c.cameraNum), [CAM_A], 'empty list = constant-push cameras');
  const expiry = (1_700_000_000 + 300).toString(16);
  t.match(data.cameras[0]!.pushUrl, new RegExp(`^rtmp://10\\.0\\.0\\.5:1935/live/${CAM_A}\\?t=${expiry}&k=[0-9a-f]{32}$`));
  t.same(data.video, { framerate: '25', width: '352', height: '288', iframe: '25', bitrate: '128' });

  const listed = await post(agent, sim, 'stream.GetPushAddress', { cameras: [CAM_B] });
  t.same((listed.json.data as typeof data).cameras.map((c) => c.cameraNum), [CAM_B]);
  const unknown = await post(agent, sim, 'stream.GetPushAddress', { cameras: [crypto.randomUUID()] });
  t.equal(unknown.json.code, 404);
  t.equal((await post(agent, sim, 'stream.GetPushAddress', { cameras: 'all' })).json.code, 400);
});

t.test('report endpoints accept valid bodies and name the field of invalid ones', async (t) => {
  const sim = await startSim(t, { analyseKey: 'k3y' });
  const agent = trustingAgent(t, sim);
  const dateTime = '2024-05-01 08:30:00';
  const analyse = {
    dateTime,
    sign: md5(`k3y${dateTime}`),
    orgld: 'jzb',
    data: [{ eventId: EVENT_ID, cameraNum: CAM_A, detectTime: dateTime, Location: 'K1844+158', eventType: 0 }],
  };
  const cases: Array<[string, unknown, unknown, string]> = [
    ['video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 2 }], [{ cameraNum: CAM_A, online: 3 }], '0.online: '],
    [
      'video.ReportCameraQuality',
      [{ cameraNum: CAM_A, cameraStatus: '000000000', cameraConfidence: '0|0|0|0|0|0|0|0.5', imageUrl: null }],
      [{ cameraNum: CAM_A, cameraStatus: '000000000', cameraConfidence: '0|0', imageUrl: null }],
      '0.cameraConfidence: must be 8 confidences',
    ],
    ['video.ReportAnalyse', analyse, { ...analyse, orgld: undefined }, 'orgld: required'],
    [
      'video.ReportSnapshot',
      [{ cameraNum: CAM_A, time: 1714523400, snapshotUrl: 'https://10.0.0.2/s.jpg' }],
      [{ cameraNum: CAM_A, time: '1714523400', snapshotUrl: 'https://10.0.0.2/s.jpg' }],
      '0.time: ',
    ],
  ];
  for (const [name, good, bad, msg] of cases) {
    t.same((await post(agent, sim, name, good)).json, { code: 200, msg: '成功' }, `${name} valid`);
    const r = await post(agent, sim, name, bad);
    t.equal(r.json.code, 400, `${name} invalid`);
    t.ok(r.json.msg.startsWith(msg), `${name}: "${r.json.msg}" names the field`);
  }
  const wrongSign = await post(agent, sim, 'video.ReportAnalyse', { ...analyse, sign: md5(`other${dateTime}`) });
  t.same(wrongSign.json, { code: 2001, msg: '签名验证失败: sign' });
  const extra = await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1, x: 1 }]);
  t.same(extra.json, { code: 400, msg: '0.x: unknown field' });
});

t.test('malformed, mistyped and oversized requests get 400 and the sim keeps answering', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  const path = '/service/video.ReportCameraStatus';
  const valid = JSON.stringify([{ cameraNum: CAM_A, online: 1 }]);
  t.match((await call(agent, sim, path, { body: '[{"cameraNum":' })).json, { code: 400, msg: /^body: malformed JSON/ });
  t.same((await call(agent, sim, path, { body: '' })).json, { code: 400, msg: 'body: required' });
  const plain = await call(agent, sim, path, { body: valid, headers: { 'Content-Type': 'text/plain' } });
  t.same(plain.json, { code: 400, msg: 'Content-Type: must be application/json' });
  const garbageType = await call(agent, sim, path, { body: valid, headers: { 'Content-Type': '@@@' } });
  t.equal(garbageType.json.code, 400);
  t.same((await call(agent, sim, path, { method: 'GET' })).json, { code: 400, msg: 'method: video.ReportCameraStatus requires POST' });
  t.equal((await call(agent, sim, '/service/video.Nope', { body: valid })).json.code, 404);
  t.equal((await call(agent, sim, path, { body: crypto.randomBytes(2048) })).json.code, 400, 'binary garbage');
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  t.equal((await call(agent, sim, path, { body: deep })).json.code, 400, 'deeply nested JSON');
  t.equal((await call(agent, sim, '/service/video.ReportAnalyse', { body: '{"__proto__":{"x":1}}' })).json.code, 400);

  const huge = await call(agent, sim, path, { body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
  t.equal(huge.status, 200);
  t.same(huge.json, { code: 400, msg: 'body: larger than 1048576 bytes' });
  async function* chunks() {
    for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 0x20);
  }
  const streamed = await request(new URL(path, sim.url), {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', AppVersion: '1', DeviceCode: DEVICE, TAuth: sim.currentToken() },
    body: Readable.from(chunks()),
  }).then(
    async (res) => (await res.body.json()) as { code: number },
    (err: Error) => ({ code: -1, err }),
  );
  t.equal(streamed.code, 400, 'oversized chunked body without Content-Length');
  t.equal((await call(agent, sim, path, { body: valid })).json.code, 200, 'still answering after the oversized bodies');
  t.ok(sim.received().every((r) => r.code !== 0));
  t.same(sim.received({ path: '/service/video.Nope' }).length, 1, 'unknown interfaces are recorded');
});

t.test('half requests and plain-TCP garbage do not disturb the sim', async (t) => {
  const sim = await startSim(t);
  const agent = trustingAgent(t, sim);
  const url = new URL(sim.url);
  await new Promise<void>((resolve, reject) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port), ca: sim.certPem }, () => {
      socket.write('POST /service/video.ReportCameraStatus HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n[{');
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    const plain = net.connect({ host: url.hostname, port: Number(url.port) }, () => {
      plain.end('GET /service/token HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff garbage');
    });
    plain.on('close', () => resolve());
    plain.on('error', reject);
    plain.resume();
  });
  t.equal((await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }])).json.code, 200);
});

t.test('every request is recorded, with copies, and appended to the record file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-sim-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const recordFile = path.join(dir, 'rec.jsonl');
  const sim = await startSim(t, { recordFile });
  const agent = trustingAgent(t, sim);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 1 }]);
  await post(agent, sim, 'video.ReportCameraStatus', [{ cameraNum: CAM_A, online: 9 }]);
  const list = sim.received({ path: '/service/video.ReportCameraStatus' });
  t.same(list.map((r) => [r.seq, r.code]), [[1, 200], [2, 400]]);
  t.equal(list[0]!.headers['appversion'], '0.1.0-test');
  t.same(list[0]!.body, [{ cameraNum: CAM_A, online: 1 }]);
  (list[0]!.body as unknown[]).length = 0;
  t.same(sim.received()[0]!.body, [{ cameraNum: CAM_A, online: 1 }], 'received() returns copies');
  t.same(sim.received({ sinceSeq: 1 }).map((r) => r.seq), [2]);
  const lines = fs.readFileSync(recordFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; code: number });
  t.same(lines.map((l) => [l.seq, l.code]), [[1, 200], [2, 400]]);
});
