// OutputBudget: the slots every uplink's outputs hold, kept by the engine (refusal texts are the
// province's 500 replies; the engine-level behaviour is in recovery.test.ts and cascade/uplink.test.ts).
import t from 'tap';
import { OutputBudget, OutputRefusedError } from '../../../src/modules/media/budget.js';

const refusal = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    return e instanceof OutputRefusedError ? e.message : `not a refusal: ${String(e)}`;
  }
  return 'not refused';
};

t.test('limits per tier and in all; a key already held keeps its slot; release frees it', async (t) => {
  const b = new OutputBudget({ max_outputs: 3, max_4m: 1, max_source: 1 });
  b.hold({ key: 'a', tier: 'fourM', holder: 'province' });
  t.equal(refusal(() => b.hold({ key: 'b', tier: 'fourM', holder: 'province' })), 'over capacity: 1 of 1 4 Mbps pushes in use');
  b.hold({ key: 'a', tier: 'fourM', holder: 'province' });
  t.equal(b.inUse(), 1, 'holding a held key again takes no second slot');
  b.hold({ key: 's', tier: 'source', holder: 'province' });
  t.equal(refusal(() => b.hold({ key: 's2', tier: 'source', holder: 'province' })), 'over capacity: 1 of 1 source-rate pushes in use');
  b.hold({ key: 'h', tier: 'high', holder: 'province' });
  t.equal(refusal(() => b.hold({ key: 'l', tier: 'low', holder: 'province' })), 'over capacity: 3 of 3 on-demand pushes in use');
  b.release('h');
  b.release('h');
  t.equal(b.inUse(), 2, 'release is idempotent');
  t.equal(refusal(() => b.hold({ key: 'l', tier: 'low', holder: 'province' })), 'not refused', 'the freed slot is usable');
});

t.test('standing outputs are listed but outside the limits', async (t) => {
  const b = new OutputBudget({ max_outputs: 1, max_4m: 0, max_source: 0 });
  for (let i = 0; i < 5; i++) b.hold({ key: `constant:${i}`, tier: 'low', holder: 'constant pushes', standing: true });
  t.equal(b.inUse(), 0, 'no on-demand slot taken');
  b.hold({ key: 'push', tier: 'low', holder: 'province' });
  t.equal(b.list().length, 6, 'every slot listed');
  t.same(
    b.list().filter((s) => s.standing).map((s) => s.key),
    [0, 1, 2, 3, 4].map((i) => `constant:${i}`),
    'the standing ones marked',
  );
});

t.test('a refusal names the slots other uplinks hold', async (t) => {
  const b = new OutputBudget({ max_outputs: 2, max_4m: 2, max_source: 2 });
  b.hold({ key: 'p', tier: 'low', holder: 'pushes to the province' });
  b.hold({ key: 'ps', tier: 'source', holder: 'PS outputs to upper GB/T 28181 platforms' });
  t.equal(refusal(() => b.hold({ key: 'p2', tier: 'low', holder: 'pushes to the province' })), 'over capacity: 2 of 2 on-demand pushes in use (1 of them PS outputs to upper GB/T 28181 platforms)');
  t.equal(refusal(() => b.hold({ key: 'ps2', tier: 'source', holder: 'PS outputs to upper GB/T 28181 platforms' })), 'over capacity: 2 of 2 on-demand pushes in use (1 of them pushes to the province)');
});
