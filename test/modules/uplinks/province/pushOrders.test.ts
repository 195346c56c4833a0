// PushRegistry: limits, repeats, moves and serialization (CONTRACT §1, §4).
import t from 'tap';
import { silentLogger } from '../../../../src/log.js';
import { CameraFaultError } from '../../../../src/modules/media/engine.js';
import { OutputBudget, type BudgetLimits } from '../../../../src/modules/media/budget.js';
import { PushRegistry, buildPushUrl, pushKey, type PushLimits, type PushRequest } from '../../../../src/modules/uplinks/province/pushOrders.js';
import { cameraRecordSchema, type VideoType } from '../../../../src/protocols/province/messages.js';
import { sampleCameraRecordFields } from '../../../../src/sim/sampleCamera.js';
import type { StoredCamera } from '../../../../src/store/cameras.js';
import { deferred, RecordingEngine } from '../../../helpers/recordingEngine.js';

const A = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';
const B = 'baee05a7-166a-48f8-9a57-3754c1a7ac65';
const C = '918b150c-d3ce-4d16-8bca-dbab091dd983';

type Limits = PushLimits & BudgetLimits;
const limits = (over: Partial<Limits> = {}): Limits => ({ max_outputs: 30, max_4m: 15, max_source: 15, rtmp_app: 'rtmp', ...over });
const req = (cameraNum: string, videoType: VideoType, over: Partial<PushRequest> = {}): PushRequest => ({
  cameraNum,
  videoType,
  serverIp: '12.7.0.1',
  serverPort: 1935,
  pubName: cameraNum,
  authInfo: 'k=1',
  ...over,
});

/** The camera an order resolved (the registry hands it to the engine as it is). */
const camera = (cameraNum: string): StoredCamera => ({
  id: cameraNum,
  record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(0), cameraNum }),
  access: {},
  source: 'cli',
  syncState: 'synced',
  syncMsg: null,
  createdAt: 0,
  updatedAt: 0,
});

const setup = (over: Partial<Limits> = {}) => {
  const engine = new RecordingEngine(new OutputBudget(limits(over)));
  return { engine, reg: new PushRegistry(engine, limits(over), silentLogger()) };
};

t.test('buildPushUrl', async (t) => {
  const u = (over: Partial<PushRequest>) => buildPushUrl({ ...req(A, 1), ...over }, 'rtmp');
  t.equal(u({}), `rtmp://12.7.0.1:1935/rtmp/${A}?k=1`);
  t.equal(u({ authInfo: '' }), `rtmp://12.7.0.1:1935/rtmp/${A}`, 'no ? without authInfo');
  t.equal(u({ authInfo: '?t=1&k=2' }), `rtmp://12.7.0.1:1935/rtmp/${A}?t=1&k=2`);
  t.equal(u({ pubName: 'live/cam1' }), 'rtmp://12.7.0.1:1935/live/cam1?k=1', 'pubName holding the app');
  t.equal(u({ pubName: '/live/cam1' }), 'rtmp://12.7.0.1:1935/live/cam1?k=1');
  t.equal(u({ serverIp: '2001:db8::1' }), `rtmp://[2001:db8::1]:1935/rtmp/${A}?k=1`, 'IPv6 in brackets');
  t.equal(u({ serverIp: '[2001:db8::1]' }), `rtmp://[2001:db8::1]:1935/rtmp/${A}?k=1`);
  t.equal(u({ serverIp: 'push.example.cn', serverPort: 1936 }), `rtmp://push.example.cn:1936/rtmp/${A}?k=1`);
  t.equal(buildPushUrl(req(A, 1), 'live'), `rtmp://12.7.0.1:1935/live/${A}?k=1`, 'configured app');
});

t.test('begin, repeat, move, finish', async (t) => {
  const { engine, reg } = setup();
  t.same(await reg.begin(req(A, 1, { width: 1280, iframe: 1 }), camera(A)), { code: 200, msg: '成功' });
  t.same(reg.list().map((p) => [p.cameraNum, p.videoType, p.state, p.params]), [[A, 1, 'running', { width: 1280, iframe: 1 }]]);
  t.same(await reg.begin(req(A, 1), camera(A)), { code: 201, msg: '正在推流' });
  t.equal(engine.calls.length, 1);
  t.same(await reg.begin(req(A, 1, { authInfo: 'k=2' }), camera(A)), { code: 200, msg: '成功' }, 'new URL moves the push');
  t.same(engine.calls.slice(1), [`stop push:${A}:1`, `start push:${A}:1 rtmp://12.7.0.1:1935/rtmp/${A}?k=2`]);
  t.equal(reg.get(A, 1)?.url, `rtmp://12.7.0.1:1935/rtmp/${A}?k=2`);
  t.same(await reg.finish(A, 1), { code: 200, msg: '停止成功' });
  t.match(await reg.finish(A, 1), { code: 404 });
  t.match(await reg.finish(B, 0), { code: 404 });
  t.same(reg.list(), []);
});

t.test('limits: total, 4 Mbps, source; nothing running disturbed', async (t) => {
  const { engine, reg } = setup({ max_outputs: 3, max_4m: 1, max_source: 1 });
  t.equal((await reg.begin(req(A, 2), camera(A))).code, 200);
  t.same(await reg.begin(req(B, 2), camera(B)), { code: 500, msg: 'over capacity: 1 of 1 4 Mbps pushes in use' });
  t.equal((await reg.begin(req(A, 3), camera(A))).code, 200);
  t.same(await reg.begin(req(B, 3), camera(B)), { code: 500, msg: 'over capacity: 1 of 1 source-rate pushes in use' });
  t.equal((await reg.begin(req(B, 1), camera(B))).code, 200);
  t.same(await reg.begin(req(C, 0), camera(C)), { code: 500, msg: 'over capacity: 3 of 3 on-demand pushes in use' });
  t.equal((await reg.begin(req(A, 2, { serverIp: '12.7.0.9' }), camera(A))).code, 200, 'a move at full capacity');
  t.equal((await reg.begin(req(B, 1), camera(B))).code, 201, 'a repeat at full capacity');
  t.equal(reg.list().length, 3);
  t.equal(engine.calls.filter((c) => c.startsWith('stop')).length, 1, 'only the moved push was stopped');
  await reg.finish(B, 1);
  t.equal((await reg.begin(req(C, 0), camera(C))).code, 200, 'a freed slot is usable');

  const zero = setup({ max_4m: 0 });
  t.same(await zero.reg.begin(req(A, 2), camera(A)), { code: 500, msg: 'over capacity: 0 of 0 4 Mbps pushes in use' });
});

t.test('engine errors', async (t) => {
  const { engine, reg } = setup({ max_outputs: 1 });
  engine.startError = new Error('no such file: ffmpeg');
  t.same(await reg.begin(req(A, 1), camera(A)), { code: 500, msg: 'media engine: no such file: ffmpeg' });
  t.same(reg.list(), [], 'the slot is freed');
  engine.startError = new CameraFaultError('rtsp://10.0.0.5 unreachable', 'no-video');
  t.same(await reg.begin(req(A, 1), camera(A)), { code: 404, msg: '该路视频故障: rtsp://10.0.0.5 unreachable' });
  engine.startError = undefined;
  t.equal((await reg.begin(req(A, 1), camera(A))).code, 200);
  engine.stopError = new Error('kill failed');
  t.same(await reg.finish(A, 1), { code: 500, msg: 'media engine: kill failed' });
  t.same(reg.list(), [], 'forgotten even when stop fails');
  engine.stopError = undefined;

  // a move whose old stop fails still starts the new URL
  t.equal((await reg.begin(req(B, 1), camera(B))).code, 200);
  engine.stopError = new Error('already gone');
  t.equal((await reg.begin(req(B, 1, { authInfo: 'k=9' }), camera(B))).code, 200);
  t.equal(reg.get(B, 1)?.url, `rtmp://12.7.0.1:1935/rtmp/${B}?k=9`);
});

t.test('concurrent begins of one camera+type start once', async (t) => {
  const { engine, reg } = setup();
  engine.gate = deferred();
  const first = reg.begin(req(A, 1), camera(A));
  const second = reg.begin(req(A, 1), camera(A));
  await engine.started.promise;
  t.same(reg.list().map((p) => p.state), ['starting'], 'in flight, holding its slot');
  engine.gate.resolve();
  t.same(await Promise.all([first, second]), [
    { code: 200, msg: '成功' },
    { code: 201, msg: '正在推流' },
  ]);
  t.equal(engine.calls.length, 1);

  engine.gate = deferred();
  engine.started = deferred();
  const move = reg.begin(req(A, 1, { authInfo: 'k=2' }), camera(A));
  const stop = reg.finish(A, 1);
  await engine.started.promise;
  engine.gate.resolve();
  t.equal((await move).code, 200);
  t.equal((await stop).code, 200, 'the finish waited for the move and stopped the new push');
  t.same(reg.list(), []);
});

t.test('a start in flight counts against the limit', async (t) => {
  const { engine, reg } = setup({ max_outputs: 1 });
  engine.gate = deferred();
  const first = reg.begin(req(A, 1), camera(A));
  await engine.started.promise;
  t.same(await reg.begin(req(B, 1), camera(B)), { code: 500, msg: 'over capacity: 1 of 1 on-demand pushes in use' });
  engine.gate.resolve();
  t.equal((await first).code, 200);
});

t.test('stopAll', async (t) => {
  const { engine, reg } = setup();
  await reg.begin(req(A, 1), camera(A));
  await reg.begin(req(B, 3), camera(B));
  await reg.stopAll();
  t.same(reg.list(), []);
  t.same(engine.calls.filter((c) => c.startsWith('stop')).sort(), [`stop push:${A}:1`, `stop push:${B}:3`]);
});

t.test('a push the engine gave up frees its slot', async (t) => {
  const { engine, reg } = setup({ max_outputs: 1 });
  t.equal((await reg.begin(req(A, 1), camera(A))).code, 200);
  t.match(await reg.begin(req(B, 1), camera(B)), { code: 500 }, 'full');
  engine.giveUp(pushKey(A, 1));
  reg.forget(pushKey(A, 1), 'RTMP server refused it for 120 s');
  t.equal(reg.get(A, 1), undefined);
  t.equal((await reg.begin(req(B, 1), camera(B))).code, 200, 'the slot is free again');
  t.notOk(engine.calls.includes(`stop push:${A}:1`), 'the engine is not asked to stop what it already dropped');
  reg.forget(pushKey(C, 0), 'unknown');
  t.equal(reg.list().length, 1, 'forgetting an unknown push changes nothing');
});
