// The province's wire codes mapped to the app's vocabulary (src/modules/uplinks/province/wire.ts).
import t from 'tap';
import { TIER_OF_VIDEO_TYPE, ptzActionOf } from '../../../../src/modules/uplinks/province/wire.js';
import { VIDEO_TYPES } from '../../../../src/protocols/province/messages.js';
import { PTZ_LOG_CODES } from '../../../../src/domain/ptz.js';

t.test('every videoType maps to the tier of the same name', async (t) => {
  t.same(
    Object.entries(VIDEO_TYPES).map(([, code]) => [code, TIER_OF_VIDEO_TYPE[code]]),
    Object.entries(VIDEO_TYPES).map(([name, code]) => [code, name]),
  );
});

t.test('PTZControl action codes 1–12 map to actions; anything else to none', async (t) => {
  t.same([ptzActionOf(1), ptzActionOf(6), ptzActionOf(12)], ['left', 'zoom-tele', 'light-on']);
  t.same([ptzActionOf(0), ptzActionOf(13), ptzActionOf(1.5), ptzActionOf(Number.NaN)], [undefined, undefined, undefined, undefined]);
});

t.test("the PTZ log numbers each action with the province's code for it", async (t) => {
  const codes = Array.from({ length: 12 }, (_, i) => i + 1);
  t.same(
    codes.map((code) => PTZ_LOG_CODES[ptzActionOf(code)!]),
    codes,
  );
  t.equal(Object.keys(PTZ_LOG_CODES).length, 12, 'no action without a code');
});
