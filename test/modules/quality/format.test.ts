// The province's quality fields (CONTRACT §3): the cameraStatus bit string and the confidence list.
import t from 'tap';
import { CONFIDENCE_DECIMALS, confidenceList, statusBits } from '../../../src/modules/quality/format.js';
import { CONDITIONS, type Condition, type Diagnosis } from '../../../src/modules/quality/types.js';

function diag(conf: Partial<Record<Condition, number>>): Diagnosis {
  const confidences = Object.fromEntries(CONDITIONS.map((c) => [c, conf[c] ?? 0])) as Record<Condition, number>;
  const flags = Object.fromEntries(CONDITIONS.map((c) => [c, confidences[c] >= 0.5])) as Record<Condition, boolean>;
  const details = Object.fromEntries(CONDITIONS.map((c) => [c, ''])) as Record<Condition, string>;
  return { confidences, flags, details };
}

t.test('statusBits: offline first, then the eight conditions in CONTRACT order', async (t) => {
  t.equal(statusBits(false, diag({})), '000000000');
  t.equal(statusBits(false, diag({ signalLost: 0.9 })), '010000000');
  t.equal(statusBits(false, diag({ stripes: 1 })), '000000001');
  t.equal(statusBits(false, diag({ occluded: 0.5, frozen: 0.7, noise: 0.49 })), '001001000');
  t.equal(statusBits(false, diag({ blurred: 1, brightness: 1, flicker: 1 })), '000110010');
  t.equal(statusBits(true, diag({ blurred: 1 })), '100000000', 'offline: no picture to judge');
  t.equal(statusBits(true, undefined), '100000000');
  t.equal(statusBits(false, undefined), '000000000', 'online, not diagnosed yet');
});

t.test('statusBits: wider strings are padded with 0 on the right (E-4.3 demo shows 10)', async (t) => {
  t.equal(statusBits(false, diag({ stripes: 1 }), 10), '0000000010');
  t.equal(statusBits(true, undefined, 12), '100000000000');
  t.throws(() => statusBits(false, undefined, 8), RangeError);
  t.throws(() => statusBits(false, undefined, 9.5), RangeError);
});

t.test('confidenceList: eight values a|b|…, two decimals, in [0,1]', async (t) => {
  t.equal(CONFIDENCE_DECIMALS, 2);
  t.equal(confidenceList(diag({})), '0.00|0.00|0.00|0.00|0.00|0.00|0.00|0.00');
  t.equal(confidenceList(diag({ signalLost: 1, occluded: 0.125, stripes: 0.999 })), '1.00|0.13|0.00|0.00|0.00|0.00|0.00|1.00');
  t.equal(confidenceList(diag({ blurred: 1.7, noise: -0.2, flicker: Number.NaN })), '0.00|0.00|1.00|0.00|0.00|0.00|0.00|0.00', 'clamped, NaN as 0');
  t.equal(confidenceList(undefined).split('|').length, 8);
  t.match(confidenceList(diag({ frozen: 0.5 })), /^(\d\.\d\d\|){7}\d\.\d\d$/);
});
