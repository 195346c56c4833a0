import t from 'tap';
import { JitterBuffer } from '../../../src/protocols/rtp/jitter.js';

const p = (sequence: number) => ({ sequence });
const seqs = (rs: Array<{ packet: { sequence: number } }>) => rs.map((r) => r.packet.sequence);

t.test('in-order packets pass straight through', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 4, windowMs: 1000, now: () => 0 });
  t.same([10, 11, 12].flatMap((s) => seqs(jb.push(p(s)))), [10, 11, 12]);
  t.equal(jb.waiting, 0);
});

t.test('reordered packets come out in order; duplicates are dropped and counted', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 8, windowMs: 1000, now: () => 0 });
  const out = [100, 102, 101, 101, 104, 103, 102].flatMap((s) => seqs(jb.push(p(s))));
  t.same(out, [100, 101, 102, 103, 104]);
  t.equal(jb.stats.reordered, 2, '101 and 103 arrived after a later packet');
  t.equal(jb.stats.duplicates, 2, 'the second 101 and the second 102, both already released');
  t.equal(jb.stats.lost, 0);
});

t.test('a gap is given up on when more than windowPackets wait behind it', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 3, windowMs: 10_000, now: () => 0 });
  const released = [1, 3, 4, 5].map((s) => jb.push(p(s)));
  t.same(released.map(seqs), [[1], [], [], [3, 4, 5]], 'held until the window overflowed');
  t.equal(released[3]![0]!.lostBefore, 1, 'the first packet after the gap says one was lost');
  t.equal(jb.stats.lost, 1);
  jb.push(p(2));
  t.equal(jb.stats.late, 1, 'the lost packet arriving after all is late, not a duplicate');
  t.equal(jb.stats.duplicates, 0);
});

t.test('a gap is given up on after windowMs (poll)', async (t) => {
  let now = 0;
  const jb = new JitterBuffer({ windowPackets: 100, windowMs: 50, now: () => now });
  jb.push(p(1));
  t.same(seqs(jb.push(p(3))), []);
  now = 49;
  t.same(seqs(jb.poll()), [], 'still waiting inside the window');
  now = 50;
  t.same(seqs(jb.poll()), [3]);
  t.equal(jb.stats.lost, 1);
});

t.test('sequence numbers wrap at 65535 without loss', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 4, windowMs: 1000, now: () => 0 });
  const out = [65534, 0, 65535, 1].flatMap((s) => seqs(jb.push(p(s))));
  t.same(out, [65534, 65535, 0, 1]);
  t.equal(jb.stats.lost, 0);
});

t.test('a large jump restarts the buffer instead of counting thousands lost', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 4, windowMs: 1000, now: () => 0 });
  jb.push(p(10));
  const out = seqs(jb.push(p(40_000)));
  t.same(out, [40_000]);
  t.equal(jb.stats.restarts, 1);
  t.equal(jb.stats.lost, 0);
});

t.test('flush hands out everything held; bad options are refused by name', async (t) => {
  const jb = new JitterBuffer({ windowPackets: 10, windowMs: 1000, now: () => 0 });
  jb.push(p(1));
  jb.push(p(3));
  jb.push(p(5));
  t.same(seqs(jb.flush()), [3, 5]);
  t.equal(jb.stats.lost, 2);
  t.throws(() => new JitterBuffer({ windowPackets: 0 }), /windowPackets/);
});
