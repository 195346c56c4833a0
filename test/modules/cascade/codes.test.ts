// Code segments and the codes handed out of them: stable across restarts (SQLite), every rule
// broken named with the code; and the organization tree built from the camera records.
import crypto from 'node:crypto';
import t from 'tap';
import { cascadeSegmentSchema } from '../../../src/config/schema/cascade.js';
import { assignCodes, checkCode, checkSegments, toSegment } from '../../../src/modules/cascade/codes.js';
import { buildTree } from '../../../src/modules/cascade/tree.js';
import { cameraRecordSchema } from '../../../src/protocols/province/messages.js';
import { sampleCameraRecordFields } from '../../../src/sim/sampleCamera.js';
import { CascadeCodeStore } from '../../../src/store/cascadeCodes.js';
import { tempDb } from '../../helpers/gb.js';

const ORG = toSegment({ from: '44020000002160000001', to: '44020000002160000010' });
const CAM = toSegment({ from: '44020000001320000001', to: '44020000001320000003' });

function camera(i: number, over: Record<string, unknown> = {}) {
  return { id: `c${i}`, record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(i, over), cameraNum: crypto.randomUUID() }) };
}

t.test('segments in the config: each error names the code and the rule', async (t) => {
  const issues = (s: unknown) => cascadeSegmentSchema.safeParse(s).error?.issues.map((i) => i.message) ?? [];
  t.match(issues({ from: '44020000002160000001', to: '44020000001320000009' }), [/44020000001320000009: area and type/], 'different prefix');
  t.match(issues({ from: '44020000002160000009', to: '44020000002160000001' }), [/below from/], 'reversed');
  t.match(issues({ from: '44020000002000000001', to: '44020000002000000009' }), [/type 200 cannot be handed out/], 'wrong type');
  t.match(issues({ from: '4402', to: '44020000002160000009' }), [/20 digits/], 'not 20 digits');
  t.match(checkSegments([ORG, toSegment({ from: '44020000002160000005', to: '44020000002160000020' })]), [{ rule: 'overlap', code: '44020000002160000005' }], 'overlapping segments');
});

t.test('hand-set codes are checked with the same rules', async (t) => {
  t.match(checkCode('4402', 'channel', [CAM]), [{ rule: 'format' }], 'format');
  t.match(checkCode('44020000002160000001', 'channel', [ORG, CAM]), [{ rule: 'type', message: /type 216 where a channel needs 132 or 131/ }], 'a node code on a channel');
  t.match(checkCode('44020000001320000099', 'channel', [CAM]), [{ rule: 'segment', code: '44020000001320000099' }], 'outside the segments');
  t.match(checkCode('44020000001320000001', 'channel', [CAM], 'camera:x'), [{ rule: 'duplicate', message: /already the code of camera:x/ }], 'duplicate');
  t.same(checkCode('44020000001320000002', 'channel', [CAM]), [], 'a good code');
});

t.test('codes are assigned from the segments, kept across restarts, and a full segment is named', async (t) => {
  const { db } = tempDb(t);
  const store = new CascadeCodeStore(db);
  const cams = [camera(1), camera(2)];
  const tree = buildTree(cams, ['province', 'city', 'road'], {});
  t.same(tree.map((n) => n.level), ['province', 'city', 'road', 'channel', 'channel'], 'three levels, then the channels');
  const first = assignCodes('up', tree, [ORG, CAM], store.forPlatform('up'), 1);
  store.put(first.fresh);
  t.same([...first.codes.values()].sort(), ['44020000001320000001', '44020000001320000002', '44020000002160000001', '44020000002160000002', '44020000002160000003'], 'lowest free serials');
  t.same(first.problems, [], 'no problem');

  // A restart: a new store on the same database, cameras in another order, one more camera.
  const again = new CascadeCodeStore(db);
  const more = [camera(3), ...cams.reverse()];
  const second = assignCodes('up', buildTree(more, ['province', 'city', 'road'], {}), [ORG, CAM], again.forPlatform('up'), 2);
  for (const [key, code] of first.codes) t.equal(second.codes.get(key), code, `${key} keeps ${code}`);
  t.same(second.fresh.map((r) => r.code), ['44020000001320000003'], 'only the new camera gets a code');
  again.put(second.fresh);

  const full = assignCodes('up', buildTree([...more, camera(4)], ['province', 'city', 'road'], {}), [ORG, CAM], again.forPlatform('up'), 3);
  t.match(full.problems, [{ rule: 'full', message: /no free code of type 132\/131/ }], 'the fourth camera finds the channel segment full');
});

t.test('a code set by hand is never moved, even when a segment no longer holds it; an automatic one is', async (t) => {
  const tree = buildTree([camera(1), camera(2)], ['province'], {});
  const [a, b] = tree.filter((n) => n.kind === 'channel');
  const row = (nodeKey: string, code: string, manual: boolean) => ({ platform: 'up', nodeKey, code, manual, assignedAt: 1 });
  // Both codes sit outside CAM (serial 50 and 60): the segment was narrowed since they were set.
  const out = assignCodes('up', tree, [ORG, CAM], [row(a!.key, '44020000001320000050', true), row(b!.key, '44020000001320000060', false)], 2);
  t.equal(out.codes.get(a!.key), '44020000001320000050', 'the manual code stays on its node');
  t.match(out.problems, [{ rule: 'segment', code: '44020000001320000050', message: /kept for .*: set by hand/ }, { rule: 'segment', code: '44020000001320000060', message: /gets a new code/ }], 'both named; only the automatic one is replaced');
  t.equal(out.codes.get(b!.key), '44020000001320000001', 'the automatic one moves into the segment');
});

t.test('the default tree: province → city → road → section → facility', async (t) => {
  const tree = buildTree([camera(1, { roadSec: '京珠北段', classify: 3, poiName: '大宝山隧道' })], ['province', 'city', 'road', 'section', 'facility'], { 'city:4402': '韶关市' });
  t.same(
    tree.map((n) => [n.key.replace(/camera:.*/, 'camera'), n.name]),
    [
      ['province:44', '广东省'],
      ['city:4402', '韶关市'],
      ['road:4402/G4', 'G4 京港澳高速'],
      ['section:4402/G4/京珠北段', '京珠北段'],
      ['facility:4402/G4/京珠北段/3/大宝山隧道', '大宝山隧道（隧道）'],
      ['camera', 'G4京港澳高速K1801+100'],
    ],
    'keys from the record, names overridable',
  );
});
