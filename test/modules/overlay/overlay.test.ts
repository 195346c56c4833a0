// Appendix B overlay text: one case per scene type, each validation error, and the time format.
import t from 'tap';
import { buildOverlay, formatOverlayTime, type OverlayExtra, type OverlayRecord } from '../../../src/modules/overlay/overlay.js';

// Appendix B's own templates, quoted exactly; `fill` swaps each placeholder for a concrete value so
// the expected text is the appendix's shape, not a re-typed copy of what the code produces.
const ROAD_LINE1 = '省份简称-高速编号-高速名称简称-场景名称';
const ROAD_LINE2 = '摄像机位置-（摄像机编号）-公路路线方向-公路行车方向-往地名方向';
const TOLL_LINE1 = '省份简称-高速编号高速名称简称-收费站名';
const TOLL_ANNEX_LINE1 = '省份简称-高速编号高速名称简称-收费站名附属';
const TOLL_1 = '内广场';
const TOLL_2 = '内广场-上行-往**市';
const TOLL_3 = '上行-入口-内广场-往**市';
const SA_LINE1 = '省份简称-高速编号高速名称简称-服务区名-监控对象';
const SA_LINE2 = '公路路线方向-往地名方向';

const fill = (template: string, values: Record<string, string>): string =>
  Object.entries(values).reduce((s, [k, v]) => s.split(k).join(v), template);

const BASE = { 省份简称: '粤', 高速编号: 'G4', 高速名称简称: '京珠北' };

// The record of the Appendix E example (E-3.1), G4 京珠北段 K1844+158.
const record = (over: Partial<OverlayRecord> = {}): OverlayRecord => ({
  road: 'G4',
  roadSec: '京珠北段',
  classify: 0,
  poiName: '京港澳高速道路',
  cameraOrientation: 1,
  pileNum: 'K1844+158',
  areaCode: 440201,
  ...over,
});

const roadExtra: OverlayExtra = { travelDirection: '南行', destination: '广州市' };

const linesOf = (r: ReturnType<typeof buildOverlay>): string[] => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.lines;
};
const errorsOf = (r: ReturnType<typeof buildOverlay>): Array<{ field: string; message: string }> => {
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.lines)}`);
  return r.errors;
};
const fields = (r: ReturnType<typeof buildOverlay>): string[] => errorsOf(r).map((e) => e.field);

t.test('road surface (B.二.(一)): 粤-G4-京珠北-路面 / K1844+158-上行-南行-往广州市', async (t) => {
  const r = buildOverlay(record(), roadExtra);
  t.same(linesOf(r), ['粤-G4-京珠北-路面', 'K1844+158-上行-南行-往广州市']);
  t.equal(linesOf(r)[0], fill(ROAD_LINE1, { ...BASE, 场景名称: '路面' }));
  // The camera number is left out when the pile has only one camera (B.二.(一) 5).
  t.equal(linesOf(r)[1], fill(ROAD_LINE2, { '（摄像机编号）-': '', 摄像机位置: 'K1844+158', 公路路线方向: '上行', 公路行车方向: '南行', 地名方向: '广州市' }));
  t.ok(r.ok && r.timePosition === 'top-right' && r.timeFormat === 'YYYY-MM-DD HH:mm:ss');
  t.ok(r.ok && r.reserved === undefined && r.reservedPosition === 'bottom-left');
});

t.test('road surface: camera number when a pile has several cameras; reserved line; explicit province', async (t) => {
  const r = buildOverlay(record({ cameraOrientation: 2 }), {
    travelDirection: '北行',
    destination: '往湖南省',
    cameraIndex: '2',
    reserved: '韶关-乐昌区间',
    provinceAbbr: '粤',
  });
  t.same(linesOf(r), ['粤-G4-京珠北-路面', 'K1844+158-2-下行-北行-往湖南省']);
  t.ok(r.ok && r.reserved === '韶关-乐昌区间');
});

t.test('median camera (双向) carries neither travel direction nor destination (B.二.(一) 6–8)', async (t) => {
  const r = buildOverlay(record({ cameraOrientation: 3 }), {});
  t.same(linesOf(r), ['粤-G4-京珠北-路面', 'K1844+158-双向']);
});

t.test('interchange (B.二.(一) 4: ××互通)', async (t) => {
  const r = buildOverlay(record({ poiName: '太和互通' }), { ...roadExtra, interchange: true });
  t.same(linesOf(r), ['粤-G4-京珠北-太和互通', 'K1844+158-上行-南行-往广州市']);
});

t.test('tunnel (B.二.(一) 4; scene-name example “合水隧道”)', async (t) => {
  const r = buildOverlay(record({ classify: 3, poiName: '合水隧道', road: 'G35', roadSec: '济广段', pileNum: 'K3570+20' }), {
    travelDirection: '南行',
    destination: '广州市',
  });
  t.same(linesOf(r), [fill(ROAD_LINE1, { ...BASE, 高速编号: 'G35', 高速名称简称: '济广', 场景名称: '合水隧道' }), 'K3570+20-上行-南行-往广州市']);
});

t.test('bridge (B.二.(一) 4: ××桥梁)', async (t) => {
  const r = buildOverlay(record({ classify: 4, poiName: '北江特大桥', road: 'S15' }), roadExtra);
  t.same(linesOf(r), ['粤-S15-京珠北-北江特大桥', 'K1844+158-上行-南行-往广州市']);
});

t.test('ETC gantry follows the road-class form (B.三 2)', async (t) => {
  const r = buildOverlay(record({ classify: 5, poiName: '粤北ETC门架' }), roadExtra);
  t.same(linesOf(r), ['粤-G4-京珠北-粤北ETC门架', 'K1844+158-上行-南行-往广州市']);
});

t.test('toll plaza, all-direction or mainline (B.二.(二) 5 (1)): “内广场”', async (t) => {
  for (const tollLayout of ['all-direction', 'mainline'] as const) {
    const r = buildOverlay(record({ classify: 1, poiName: '粤北收费站', pileNum: '无' }), { tollLayout, plazaSide: '内' });
    t.same(linesOf(r), [fill(TOLL_LINE1, { ...BASE, 收费站名: '粤北收费站' }), TOLL_1], tollLayout);
  }
  const outer = buildOverlay(record({ classify: 1, poiName: '马群收费站(主线)' }), { tollLayout: 'mainline', plazaSide: '外' });
  t.same(linesOf(outer), ['粤-G4京珠北-马群收费站', '外广场'], 'Appendix G (主线) qualifier is not part of 收费站名');
});

t.test('toll plaza, one-way ramp (B.二.(二) 5 (2)): “内广场-上行-往**市”', async (t) => {
  const r = buildOverlay(record({ classify: 1, poiName: '粤北收费站', pileNum: '无' }), {
    tollLayout: 'one-way-ramp',
    plazaSide: '内',
    destination: '韶关市',
  });
  t.same(linesOf(r), [fill(TOLL_LINE1, { ...BASE, 收费站名: '粤北收费站' }), fill(TOLL_2, { '**': '韶关' })]);
});

t.test('toll plaza, diamond (B.二.(二) 5 (3)): “上行-入口-内广场-往**市”', async (t) => {
  const r = buildOverlay(record({ classify: 1, poiName: '粤北收费站', pileNum: '无' }), {
    tollLayout: 'diamond',
    plazaSide: '内',
    entryExit: '入口',
    destination: '韶关市',
  });
  t.same(linesOf(r), [fill(TOLL_LINE1, { ...BASE, 收费站名: '粤北收费站' }), fill(TOLL_3, { '**': '韶关' })]);
});

t.test('toll plaza, second plaza of the same kind (B.二.(二) 5 (4)): “收费站名附属”', async (t) => {
  const r = buildOverlay(record({ classify: 1, poiName: '粤北收费站', pileNum: '无' }), {
    tollLayout: 'diamond',
    plazaSide: '内',
    entryExit: '入口',
    destination: '韶关市',
    annex: true,
  });
  t.same(linesOf(r), [fill(TOLL_ANNEX_LINE1, { ...BASE, 收费站名: '粤北收费站' }), fill(TOLL_3, { '**': '韶关' })]);
});

t.test('toll lane (B.二.(三)) is left to the toll software: no standard text is invented', async (t) => {
  const errors = errorsOf(buildOverlay(record({ classify: 1, poiName: '粤北收费站' }), { tollLayout: 'lane' }));
  t.equal(errors.length, 1);
  t.equal(errors[0]?.field, 'tollLayout');
  t.match(errors[0]?.message, /B\.二\.\(三\)/);
});

t.test('service area (B.二.(四))', async (t) => {
  const r = buildOverlay(record({ classify: 2, poiName: '太和服务区', pileNum: '无', cameraOrientation: 2 }), {
    serviceObject: '加油站',
    destination: '韶关市',
  });
  t.same(linesOf(r), [
    fill(SA_LINE1, { ...BASE, 服务区名: '太和服务区', 监控对象: '加油站' }),
    fill(SA_LINE2, { 公路路线方向: '下行', 地名方向: '韶关市' }),
  ]);
  t.same(linesOf(r), ['粤-G4京珠北-太和服务区-加油站', '下行-往韶关市']);
});

t.test('validation errors name the field that blocks a compliant overlay', async (t) => {
  t.same(fields(buildOverlay(record({ areaCode: 990101 }), roadExtra)), ['areaCode'], 'no province for area code 99');
  t.same(fields(buildOverlay(record(), { ...roadExtra, provinceAbbr: ' ' })), ['provinceAbbr']);
  t.same(fields(buildOverlay(record({ road: 'G105' }), roadExtra)), ['road'], 'ordinary national highway');
  t.same(fields(buildOverlay(record({ road: 'X123' }), roadExtra)), ['road'], 'county road');
  t.same(fields(buildOverlay(record({ roadSec: '段' }), roadExtra)), ['roadSec']);
  t.same(fields(buildOverlay(record(), { ...roadExtra, roadShortName: '' })), ['roadShortName']);
  t.same(fields(buildOverlay(record({ pileNum: '无' }), roadExtra)), ['pileNum'], '无 on a road camera');
  t.same(fields(buildOverlay(record({ classify: 3, poiName: '合水隧道', pileNum: '无' }), roadExtra)), ['pileNum'], '无 in a tunnel');
  t.same(fields(buildOverlay(record({ classify: 3, poiName: '合水' }), roadExtra)), ['poiName'], 'tunnel name without 隧道');
  t.same(fields(buildOverlay(record({ classify: 4, poiName: '北江' }), roadExtra)), ['poiName']);
  t.same(fields(buildOverlay(record({ poiName: '太和' }), { ...roadExtra, interchange: true })), ['poiName']);
  t.same(fields(buildOverlay(record({ classify: 5, poiName: ' ' }), roadExtra)), ['poiName']);
  t.same(fields(buildOverlay(record({ cameraOrientation: 4 }), roadExtra)), ['cameraOrientation']);
  t.same(fields(buildOverlay(record({ classify: 7 }), roadExtra)), ['classify']);
  t.same(fields(buildOverlay(record(), { destination: '广州市' })), ['travelDirection']);
  t.same(fields(buildOverlay(record(), { destination: '广州市', travelDirection: '东南行' as '南行' })), ['travelDirection']);
  t.same(fields(buildOverlay(record(), { travelDirection: '南行' })), ['destination']);
  t.same(fields(buildOverlay(record(), { travelDirection: '南行', destination: '广州' })), ['destination'], 'not a 省/市');
  t.same(fields(buildOverlay(record(), { ...roadExtra, cameraIndex: '2-1' })), ['cameraIndex']);

  const toll = record({ classify: 1, poiName: '粤北收费站', pileNum: '无' });
  t.same(fields(buildOverlay(toll, { plazaSide: '内' })), ['tollLayout']);
  t.same(fields(buildOverlay(toll, { tollLayout: 'mainline' })), ['plazaSide']);
  t.same(fields(buildOverlay(record({ classify: 1, poiName: '粤北站' }), { tollLayout: 'mainline', plazaSide: '内' })), ['poiName']);
  t.same(fields(buildOverlay(toll, { tollLayout: 'diamond', plazaSide: '内', destination: '韶关市' })), ['entryExit']);
  t.same(fields(buildOverlay({ ...toll, cameraOrientation: 3 }, { tollLayout: 'one-way-ramp', plazaSide: '内', destination: '韶关市' })), ['cameraOrientation']);
  t.same(fields(buildOverlay(toll, { tollLayout: 'one-way-ramp', plazaSide: '内' })), ['destination']);

  const sa = record({ classify: 2, poiName: '太和服务区', pileNum: '无' });
  t.same(fields(buildOverlay(sa, { destination: '韶关市' })), ['serviceObject']);
  t.same(fields(buildOverlay(sa, { serviceObject: '加油站' })), ['destination']);
  t.same(fields(buildOverlay({ ...sa, cameraOrientation: 3 }, { serviceObject: '加油站', destination: '韶关市' })), ['cameraOrientation']);
  t.same(fields(buildOverlay({ ...sa, poiName: '太和加油站' }, { serviceObject: '加油站', destination: '韶关市' })), ['poiName']);

  // Every problem is reported at once, so one round of fixes suffices.
  t.same(fields(buildOverlay(record({ areaCode: 990101, road: 'G105', pileNum: '无' }), {})).sort(), [
    'areaCode',
    'destination',
    'pileNum',
    'road',
    'travelDirection',
  ]);
  for (const e of errorsOf(buildOverlay(record({ road: 'G105' }), {}))) t.ok(e.message.length > 0, `${e.field} has a message`);
});

t.test('formatOverlayTime renders Beijing time (UTC+8) whatever the process TZ', async (t) => {
  t.equal(formatOverlayTime(new Date('2026-11-21T10:04:38Z')), '2026-11-21 18:04:38');
  // Crosses midnight and a year boundary in Beijing while still the old day in UTC.
  t.equal(formatOverlayTime(new Date('2025-12-31T16:00:00.999Z')), '2026-01-01 00:00:00');
  t.equal(formatOverlayTime(new Date('2024-02-29T01:02:03+08:00')), '2024-02-29 01:02:03');
  t.throws(() => formatOverlayTime(new Date('not a date')), RangeError);
});
