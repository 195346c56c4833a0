// VideoTransBegin / VideoTransFinish over real HTTPS (E-5.1, E-5.2, CONTRACT §4).
import t from 'tap';
import { BEGIN, CHECK, FINISH, addCamera, beginBody, startApi } from './helpers.js';

t.test('start, repeat, move and stop a push', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras, { cameraName: 'K10+1 上行' });

  const first = await f.client.post(BEGIN, beginBody(cam.cameraNum));
  t.equal(first.status, 200);
  t.same(first.body, {
    code: 200,
    msg: '成功',
    backResult: { cameraName: 'K10+1 上行', code: '200', msg: '成功' },
  });
  const url = `rtmp://12.7.0.1:1935/rtmp/${cam.cameraNum}?t=52946dd7&k=2f94cdaf8ea4bdca793e64aba7cb1dea`;
  t.same(f.engine.calls, [`start push:${cam.cameraNum}:1 ${url}`]);
  t.same(f.engine.running.get(`push:${cam.cameraNum}:1`)?.params, { width: 1280, height: 720, bitRate: 1024, frameRate: 25, iframe: 1 }, 'nested video params reach the engine');

  const again = await f.client.post(BEGIN, beginBody(cam.cameraNum));
  t.same(again.body, { code: 201, msg: '正在推流', backResult: { cameraName: 'K10+1 上行', code: '201', msg: '正在推流' } });
  t.equal(f.engine.calls.length, 1, 'a repeated start changes nothing');

  const moved = await f.client.post(BEGIN, beginBody(cam.cameraNum, { serverIp: '12.7.0.2', pubName: 'live/abc', authInfo: '' }));
  t.equal(moved.body.code, 200);
  t.same(f.engine.calls.slice(1), [`stop push:${cam.cameraNum}:1`, `start push:${cam.cameraNum}:1 rtmp://12.7.0.2:1935/live/abc`]);
  t.equal(f.push.list().length, 1, 'a move does not add a push');

  const other = await f.client.post(BEGIN, beginBody(cam.cameraNum, { videoType: '3' }));
  t.equal(other.body.code, 200, 'another videoType of the same camera is a separate push; numbers may be strings');
  t.equal(f.push.list().length, 2);

  const stopped = await f.client.post(FINISH, { cameraNum: cam.cameraNum, videoType: 1 });
  t.same(stopped.body, { code: 200, msg: '停止成功', backResult: { cameraName: 'K10+1 上行', code: '200', msg: '停止成功' } });
  t.equal(f.engine.calls.at(-1), `stop push:${cam.cameraNum}:1`);

  const twice = await f.client.post(FINISH, { cameraNum: cam.cameraNum, videoType: 1 });
  t.equal(twice.status, 200);
  t.equal(twice.body.code, 404, 'stopping a push that is not running');
  t.equal(twice.body.backResult?.code, '404');
  t.equal(twice.body.backResult?.cameraName, 'K10+1 上行');
});

t.test('flat parameters win over nested ones', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras);
  const res = await f.client.post(BEGIN, beginBody(cam.cameraNum, { width: 640, video: { width: 1280, height: 720 } }));
  t.equal(res.body.code, 200);
  t.same(f.engine.running.get(`push:${cam.cameraNum}:1`)?.params, { width: 640, height: 720 });
});

t.test('unknown camera is 404 on start and stop', async (t) => {
  const f = await startApi(t);
  const num = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';
  const begin = await f.client.post(BEGIN, beginBody(num));
  t.equal(begin.status, 200);
  t.same(begin.body, { code: 404, msg: '摄像机不存在', backResult: { cameraName: '', code: '404', msg: '摄像机不存在' } });
  const finish = await f.client.post(FINISH, { cameraNum: num, videoType: 0 });
  t.equal(finish.body.code, 404);
  t.same(f.engine.calls, []);
});

t.test('malformed requests are 400 naming the field', async (t) => {
  const f = await startApi(t);
  const cam = addCamera(f.cameras);
  const cases: Array<[string, string | Record<string, unknown>, RegExp]> = [
    ['malformed JSON', '{"cameraNum": "x",', /^body: malformed JSON/],
    ['empty body', '', /^body: empty/],
    ['not an object', '[1,2]', /^body: Invalid input: expected object, received array$/],
    ['missing field', { ...beginBody(cam.cameraNum), serverIp: undefined }, /^serverIp: required$/],
    ['wrong type', beginBody(cam.cameraNum, { serverPort: 'abc' }), /^serverPort: must be a number$/],
    ['null videoType is not "low"', beginBody(cam.cameraNum, { videoType: null }), /^videoType: must be a number$/],
    ['empty-string videoType is not "low"', beginBody(cam.cameraNum, { videoType: '' }), /^videoType: must be a number$/],
    ['boolean port', beginBody(cam.cameraNum, { serverPort: true }), /^serverPort: must be a number$/],
    ['out of range videoType', beginBody(cam.cameraNum, { videoType: 7 }), /^videoType: must be 0 low, 1 high, 2 4M or 3 source$/],
    ['out of range port', beginBody(cam.cameraNum, { serverPort: 70000 }), /^serverPort: /],
    ['bad cameraNum', beginBody('K10+1'), /^cameraNum: must be a lower-case UUID v4/],
    ['bad pubName', beginBody(cam.cameraNum, { pubName: 'a b' }), /^pubName: must not contain spaces/],
    ['bad nested param', beginBody(cam.cameraNum, { video: { width: 'wide' } }), /^video\.width: must be a number$/],
  ];
  for (const [name, body, expected] of cases) {
    const res = await f.client.send('POST', BEGIN, typeof body === 'string' ? body : JSON.stringify(body));
    t.equal(res.status, 200, `${name}: HTTP 200`);
    t.equal(res.body.code, 400, `${name}: code 400`);
    t.match(res.body.msg, expected, `${name}: ${res.body.msg}`);
    t.equal(res.body.backResult?.code, '400', `${name}: backResult too`);
  }
  const finish = await f.client.post(FINISH, { cameraNum: cam.cameraNum });
  t.match(finish.body, { code: 400, msg: 'videoType: required' });
  const noBody = await f.client.send('POST', FINISH);
  t.match(noBody.body, { code: 400, msg: 'body: required' });
  t.same(f.engine.calls, [], 'nothing reached the engine');
});

t.test('over capacity is 500 and disturbs nothing', async (t) => {
  const f = await startApi(t, { over: { media: { max_outputs: 4, max_4m: 1, max_source: 1 } } });
  const cams = Array.from({ length: 6 }, () => addCamera(f.cameras));
  const start = (i: number, videoType: number) => f.client.post(BEGIN, beginBody(cams[i]!.cameraNum, { videoType }));

  t.equal((await start(0, 2)).body.code, 200);
  const fourM = await start(1, 2);
  t.same(fourM.body, {
    code: 500,
    msg: 'over capacity: 1 of 1 4 Mbps pushes in use',
    backResult: fourM.body.backResult,
  });
  t.equal(fourM.body.backResult?.code, '500');
  t.equal((await start(1, 3)).body.code, 200);
  t.match((await start(2, 3)).body, { code: 500, msg: 'over capacity: 1 of 1 source-rate pushes in use' });
  t.equal((await start(2, 1)).body.code, 200);
  t.equal((await start(3, 0)).body.code, 200);
  t.match((await start(4, 1)).body, { code: 500, msg: 'over capacity: 4 of 4 on-demand pushes in use' });

  t.equal(f.push.list().length, 4);
  t.notOk(f.engine.calls.some((c) => c.startsWith('stop')), 'nothing running was stopped');
  const moved = await f.client.post(BEGIN, beginBody(cams[0]!.cameraNum, { videoType: 2, serverIp: '10.0.0.9' }));
  t.equal(moved.body.code, 200, 'moving a push at full capacity is allowed');
  const check = await f.client.get(CHECK);
  t.equal(check.body.code, 200);
});

t.test('engine failure is 500 with the reason and frees the slot', async (t) => {
  const f = await startApi(t, { over: { media: { max_outputs: 1 } } });
  const cam = addCamera(f.cameras);
  f.engine.failNext = new Error('ffmpeg exited with code 1');
  const res = await f.client.post(BEGIN, beginBody(cam.cameraNum));
  t.match(res.body, { code: 500, msg: 'media engine: ffmpeg exited with code 1' });
  t.equal(f.push.list().length, 0);
  t.equal((await f.client.post(BEGIN, beginBody(cam.cameraNum))).body.code, 200, 'slot is free again');
});
