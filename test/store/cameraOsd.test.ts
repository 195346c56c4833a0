// CameraOsdStore: what was last written into each camera's OSD and which tokens carry it.
import t from 'tap';
import { CameraOsdStore } from '../../src/store/cameraOsd.js';
import { NUM_A, NUM_B, tempDb } from './helpers.js';

t.test('a failure keeps the last written lines; its tokens are kept unless the failure names new ones', async (t) => {
  const osd = new CameraOsdStore(tempDb(t));
  osd.record(NUM_A, { at: 100, text: { lines: ['粤-G4-京珠北', 'K1844+158'], reserved: '韶关—乐昌区间' }, tokens: { line1: 'OSD_1', time: 'OSD_2' } });
  t.same(osd.get(NUM_A), {
    writtenAt: 100,
    text: { lines: ['粤-G4-京珠北', 'K1844+158'], reserved: '韶关—乐昌区间' },
    tokens: { line1: 'OSD_1', time: 'OSD_2' },
    error: null,
    attemptedAt: 100,
  });
  osd.recordError(NUM_A, 200, 'camera busy');
  const failed = osd.get(NUM_A);
  t.same([failed?.writtenAt, failed?.text?.lines[0], failed?.tokens, failed?.error, failed?.attemptedAt], [100, '粤-G4-京珠北', { line1: 'OSD_1', time: 'OSD_2' }, 'camera busy', 200]);
  osd.recordError(NUM_A, 300, 'partly written', { line1: 'OSD_7' });
  t.same(osd.get(NUM_A)?.tokens, { line1: 'OSD_7' }, 'tokens named by the failure replace the old ones');
});

t.test('a camera never written has no text, only the failure', async (t) => {
  const osd = new CameraOsdStore(tempDb(t));
  osd.recordError(NUM_B, 50, 'no OSD service');
  t.same(osd.get(NUM_B), { writtenAt: null, text: null, tokens: {}, error: 'no OSD service', attemptedAt: 50 });
  t.equal(osd.get(NUM_A), undefined);
});
