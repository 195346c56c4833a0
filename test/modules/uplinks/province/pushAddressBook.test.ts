import t from 'tap';
import { silentLogger } from '../../../../src/log.js';
import { PushAddressBook } from '../../../../src/modules/uplinks/province/constantPush.js';
import type { Envelope } from '../../../../src/protocols/province/messages.js';

function province() {
  const calls: string[][] = [];
  let n = 0;
  const call = async (path: string, body: unknown): Promise<Envelope> => {
    const cameras = (body as { cameras: string[] }).cameras;
    calls.push(cameras);
    n++;
    return {
      code: 200,
      msg: '成功',
      data: { cameras: cameras.map((c) => ({ cameraNum: c, pushUrl: `rtmp://p/rtmp/${c}?v=${n}` })), video: { framerate: '25', width: '352', height: '288', iframe: '25', bitrate: '128' } },
    } as Envelope;
  };
  return { call, calls };
}

t.test('URLs are reused until they are too old, then fetched again before use', async (t) => {
  const p = province();
  let now = 1_000_000;
  const book = new PushAddressBook({ call: p.call, maxAgeMs: 300_000, log: silentLogger(), now: () => now });
  t.equal(await book.url('a'), 'rtmp://p/rtmp/a?v=1');
  now += 299_000;
  t.equal(await book.url('a'), 'rtmp://p/rtmp/a?v=1', 'still young');
  now += 2_000;
  t.equal(await book.url('a'), 'rtmp://p/rtmp/a?v=2', 'older than 5 min: fetched again (E-4.1)');
  t.same(book.params(), { width: 352, height: 288, frameRate: 25, bitRate: 128, iframe: 25 }, 'the video object as push parameters');
});

t.test('a URL that just failed is fetched again, but not in a tight loop', async (t) => {
  const p = province();
  let now = 0;
  const book = new PushAddressBook({ call: p.call, maxAgeMs: 300_000, log: silentLogger(), now: () => now });
  await book.url('a');
  now += 5_000;
  t.equal(await book.url('a', true), 'rtmp://p/rtmp/a?v=1', 'failed 5 s after the fetch: same URL (the failure was elsewhere)');
  now += 20_000;
  t.equal(await book.url('a', true), 'rtmp://p/rtmp/a?v=2', 'failed again later: fresh URL');
});

t.test('requests in the same tick go out as one GetPushAddress call', async (t) => {
  const p = province();
  const book = new PushAddressBook({ call: p.call, maxAgeMs: 300_000, log: silentLogger() });
  const urls = await Promise.all(['a', 'b', 'c'].map((c) => book.url(c)));
  t.same(p.calls, [['a', 'b', 'c']]);
  t.same(urls, ['rtmp://p/rtmp/a?v=1', 'rtmp://p/rtmp/b?v=1', 'rtmp://p/rtmp/c?v=1']);
});

t.test('a camera the reply leaves out is an error for that camera only', async (t) => {
  const call = async (): Promise<Envelope> => ({ code: 200, msg: '成功', data: { cameras: [] } }) as Envelope;
  const book = new PushAddressBook({ call, maxAgeMs: 300_000, log: silentLogger() });
  await t.rejects(book.url('x'), /no URL for this camera/);
});
