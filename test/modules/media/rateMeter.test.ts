import t from 'tap';
import { RateMeter } from '../../../src/modules/media/rateMeter.js';

t.test('current frame rate from a counter', async (t) => {
  const m = new RateMeter(5000);
  m.add(0, 0);
  t.equal(m.fps(0), null, 'one sample: unknown');
  m.add(250, 1000); // a GOP-cache burst at start
  for (let s = 2; s <= 10; s++) m.add(250 + (s - 1) * 25, s * 1000);
  t.equal(m.fps(10_000), 25, 'the burst has left the window: 25 fps now');
  m.add(10, 11_000);
  t.equal(m.fps(11_000), null, 'a restarted process starts a new count');
  m.add(35, 12_000);
  t.equal(m.fps(12_000), 25);
  t.equal(m.fps(20_000), 0, 'no progress for a whole window: 0');
});
