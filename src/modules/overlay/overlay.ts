// Standard overlay (OSD) text of seed 003 Appendix B (高速公路视频云联网视频图像文字信息标注规范).
// Pure: builds the text lines from a camera record plus the few facts the record does not hold.
// Section references below ("B.二.(一)" …) are Appendix B's own headings.
import { PILE_NUM } from '../../protocols/province/messages.js';
import { CLASSIFY, type CameraRecord } from '../../domain/camera.js';

export type OverlayRecord = Pick<
  CameraRecord,
  'road' | 'roadSec' | 'classify' | 'poiName' | 'cameraOrientation' | 'pileNum' | 'areaCode'
>;

export type TravelDirection = '东行' | '西行' | '南行' | '北行';
/** B.二.(二) 5: how the toll station's plazas are laid out. */
export type TollLayout = 'all-direction' | 'mainline' | 'one-way-ramp' | 'diamond' | 'lane';
export type ServiceAreaObject = '入口' | '出口' | '停车场' | '加油站' | '公共场所';

/** Facts Appendix B needs that the province camera record does not carry. */
export interface OverlayExtra {
  /** 省份简称, e.g. 粤. Default: derived from the first two digits of areaCode (GB/T 2260). */
  provinceAbbr?: string;
  /** 高速名称简称 as in the toll system, e.g. 京珠北. Default: roadSec without a trailing 路段/段. */
  roadShortName?: string;
  /** 公路行车方向 of the side the camera is on (B.二.(一) 7). Needed unless cameraOrientation is 3. */
  travelDirection?: TravelDirection;
  /** 往地名方向 place, e.g. 广州市 or 湖南省 (a leading 往 is accepted). */
  destination?: string;
  /** 摄像机编号, only when several cameras share one pile number (B.二.(一) 5). */
  cameraIndex?: string;
  /** classify 0 only: the camera watches an interchange (scene name = poiName, e.g. 太和互通). */
  interchange?: boolean;
  /** classify 1: plaza layout (B.二.(二) 5 (1)–(3)); 'lane' is B.二.(三), left to the toll software. */
  tollLayout?: TollLayout;
  /** classify 1: 内 = plaza nearer this road section, 外 = farther (B.二.(二) 5 (1)). */
  plazaSide?: '内' | '外';
  /** classify 1, diamond layout: entrance or exit plaza (B.二.(二) 5 (3)). */
  entryExit?: '入口' | '出口';
  /** classify 1: second plaza of the same direction and function → 收费站名附属 (B.二.(二) 5 (4)). */
  annex?: boolean;
  /** classify 2: the monitored object inside the service area (B.二.(四) 5). */
  serviceObject?: ServiceAreaObject;
  /** 预留信息, bottom-left; free text the road section needs (B.一.(二), B.二.(一) 9). */
  reserved?: string;
}

export interface OverlayError {
  field: string;
  message: string;
}

export type OverlayResult =
  | {
      ok: true;
      /** Top-left lines in order: name/scene line, then the position line when the scene has one. */
      lines: string[];
      timeFormat: 'YYYY-MM-DD HH:mm:ss';
      timePosition: 'top-right';
      /** 预留信息 text, when given. */
      reserved?: string;
      reservedPosition: 'bottom-left';
    }
  | { ok: false; errors: OverlayError[] };

/** GB/T 2260 province prefix → 省份简称 (the one used on expressway signage). */
const PROVINCE_ABBR: Readonly<Record<string, string>> = {
  '11': '京', '12': '津', '13': '冀', '14': '晋', '15': '蒙', '21': '辽', '22': '吉', '23': '黑',
  '31': '沪', '32': '苏', '33': '浙', '34': '皖', '35': '闽', '36': '赣', '37': '鲁', '41': '豫',
  '42': '鄂', '43': '湘', '44': '粤', '45': '桂', '46': '琼', '50': '渝', '51': '川', '52': '贵',
  '53': '云', '54': '藏', '61': '陕', '62': '甘', '63': '青', '64': '宁', '65': '新', '71': '台',
  '81': '港', '82': '澳',
};

/**
 * B.二.(一) 2: national expressways use the national code (G + 1–2 or 4 digits, optionally a W
 * parallel-route suffix such as G4W2), provincial ones the provincial code (S + digits). A
 * 3-digit G code is an ordinary national highway, not an expressway.
 */
const EXPRESSWAY_CODE = /^(G(\d{1,2}|\d{4})(W\d{0,2})?|S\d{1,4}(W\d{0,2})?)$/;
const DESTINATION = /^(.+)(省|市|自治区|特别行政区)$/;
const TRAVEL: readonly string[] = ['东行', '西行', '南行', '北行'];
const SERVICE_OBJECTS: readonly string[] = ['入口', '出口', '停车场', '加油站', '公共场所'];
const ORIENTATION: Readonly<Record<number, string>> = { 1: '上行', 2: '下行', 3: '双向' };

export type Scene = 'road' | 'interchange' | 'tunnel' | 'bridge' | 'etcGantry' | 'tollPlaza' | 'tollLane' | 'serviceArea';

interface SceneRule {
  /** Where in Appendix B the rule comes from. */
  ref: string;
  /** Separator between 高速编号 and 高速名称简称 in line 1, as the appendix's template prints it. */
  codeJoin: '-' | '';
  /** Scene name at the end of line 1; poiName-based scenes check the name's suffix. */
  sceneName: 'fixed:路面' | 'poi';
  poiSuffix?: RegExp;
  poiHint?: string;
  /** Position line built from pile, orientation, travel direction and destination. */
  position: 'road' | 'toll' | 'service';
  unsupported?: string;
}

// One row per scene. The road-class template of B.二.(一) prints 省份简称-高速编号-高速名称简称-场景名称;
// the toll-plaza and service-area templates of B.二.(二)/(四) print 高速编号高速名称简称 with no dash.
const SCENES: Readonly<Record<Scene, SceneRule>> = {
  // B.二.(一) 4: 路面.
  road: { ref: 'B.二.(一)', codeJoin: '-', sceneName: 'fixed:路面', position: 'road' },
  // B.二.(一) 4: ××互通.
  interchange: { ref: 'B.二.(一)', codeJoin: '-', sceneName: 'poi', poiSuffix: /互通(立交)?$/, poiHint: '××互通', position: 'road' },
  // B.二.(一) 4: ××隧道; B.一.(一) 2 gives 合水隧道 as a scene name.
  tunnel: { ref: 'B.二.(一)', codeJoin: '-', sceneName: 'poi', poiSuffix: /隧道$/, poiHint: '××隧道', position: 'road' },
  // B.二.(一) 4: ××桥梁 (the bridge's own name, e.g. ××大桥).
  bridge: { ref: 'B.二.(一)', codeJoin: '-', sceneName: 'poi', poiSuffix: /桥(梁)?$/, poiHint: '××大桥 / ××桥梁', position: 'road' },
  // Appendix B lists no ETC-gantry scene; B.三 2 says to follow the most similar type: a roadside
  // point with a pile number, so the road-class form with the gantry's name as the scene name.
  etcGantry: { ref: 'B.三 2 → B.二.(一)', codeJoin: '-', sceneName: 'poi', position: 'road' },
  // B.二.(二): 省份简称-高速编号高速名称简称-收费站名 / 广场类型.
  tollPlaza: { ref: 'B.二.(二)', codeJoin: '', sceneName: 'poi', poiSuffix: /收费站$/, poiHint: '××收费站', position: 'toll' },
  // B.二.(三): "参考现有收费软件字符叠加方案" — no text is defined here.
  tollLane: {
    ref: 'B.二.(三)', codeJoin: '', sceneName: 'poi', position: 'toll',
    unsupported: 'toll-lane (收费车道/亭) overlays follow the toll software (Appendix B.二.(三)); set overlayText instead',
  },
  // B.二.(四): 省份简称-高速编号高速名称简称-服务区名-监控对象 / 公路路线方向-往地名方向.
  serviceArea: { ref: 'B.二.(四)', codeJoin: '', sceneName: 'poi', poiSuffix: /(服务区|停车区)$/, poiHint: '××服务区', position: 'service' },
};

/** Which row of SCENES applies to a record. */
export function sceneOf(record: Pick<OverlayRecord, 'classify'>, extra: Pick<OverlayExtra, 'interchange' | 'tollLayout'>): Scene {
  switch (record.classify) {
    case CLASSIFY.road:
      return extra.interchange ? 'interchange' : 'road';
    case CLASSIFY.tollStation:
      return extra.tollLayout === 'lane' ? 'tollLane' : 'tollPlaza';
    case CLASSIFY.serviceArea:
      return 'serviceArea';
    case CLASSIFY.tunnel:
      return 'tunnel';
    case CLASSIFY.bridge:
      return 'bridge';
    default:
      return 'etcGantry';
  }
}

/** Strips a trailing （主线）/(匝道) qualifier that Appendix G allows in poiName for toll stations. */
const stripQualifier = (s: string): string => s.trim().replace(/\s*[（(][^（()）]*[)）]$/, '');

export function buildOverlay(record: OverlayRecord, extra: OverlayExtra = {}): OverlayResult {
  const errors: OverlayError[] = [];
  const fail = (field: string, message: string): void => {
    errors.push({ field, message });
  };
  if (![0, 1, 2, 3, 4, 5].includes(record.classify)) {
    return { ok: false, errors: [{ field: 'classify', message: 'must be 0–5' }] };
  }
  const scene = sceneOf(record, extra);
  const rule = SCENES[scene];
  if (rule.unsupported) return { ok: false, errors: [{ field: 'tollLayout', message: rule.unsupported }] };

  // 路段名称 (B.一.(一) 1): 省份简称 + 公路网编号 + 路段简称.
  const province = extra.provinceAbbr ?? PROVINCE_ABBR[String(record.areaCode).slice(0, 2)];
  if (province === undefined || province.trim() === '') {
    fail(extra.provinceAbbr === undefined ? 'areaCode' : 'provinceAbbr', 'no province abbreviation (省份简称): areaCode does not start with a GB/T 2260 province code and provinceAbbr is not set');
  }
  if (!EXPRESSWAY_CODE.test(record.road)) {
    fail('road', `"${record.road}" is not a national (G…) or provincial (S…) expressway code (B.二.(一) 2)`);
  }
  const short = (extra.roadShortName ?? record.roadSec.trim().replace(/(路段|段)$/, '')).trim();
  if (short === '') {
    fail(extra.roadShortName === undefined ? 'roadSec' : 'roadShortName', 'no road-section short name (高速名称简称)');
  }

  let sceneName = '路面';
  if (rule.sceneName === 'poi') {
    const poi = scene === 'tollPlaza' ? stripQualifier(record.poiName) : record.poiName.trim();
    if (poi === '') fail('poiName', `scene name is empty; expected ${rule.poiHint ?? 'the monitored object name'}`);
    else if (rule.poiSuffix && !rule.poiSuffix.test(poi)) {
      fail('poiName', `"${poi}" does not name the scene as ${rule.poiHint ?? ''} (${rule.ref})`);
    }
    sceneName = poi;
  }

  const orientation = ORIENTATION[record.cameraOrientation];
  const median = record.cameraOrientation === 3;
  const needTravel = (): string | undefined => {
    if (extra.travelDirection === undefined) fail('travelDirection', 'required unless the camera is on the median (cameraOrientation 3): 东行/西行/南行/北行');
    else if (!TRAVEL.includes(extra.travelDirection)) fail('travelDirection', 'must be 东行, 西行, 南行 or 北行');
    return extra.travelDirection;
  };
  const needDestination = (): string | undefined => {
    const raw = extra.destination?.trim().replace(/^往/, '');
    if (raw === undefined || raw === '') {
      fail('destination', 'required: the province or main city the carriageway leads to, e.g. 广州市 (往地名方向)');
      return undefined;
    }
    if (!DESTINATION.test(raw)) fail('destination', `"${raw}" must name a province or city (ends with 省/市/自治区/特别行政区)`);
    return `往${raw}`;
  };
  const needSide = (): string => {
    if (record.cameraOrientation !== 1 && record.cameraOrientation !== 2) {
      fail('cameraOrientation', `${scene === 'serviceArea' ? 'a service area' : 'this plaza'} lies on one side of the road: must be 1 (上行) or 2 (下行)`);
    }
    return orientation ?? '';
  };

  let position: string | undefined;
  let line1Name = sceneName;
  if (rule.position === 'road') {
    // B.二.(一) 5–8: 摄像机位置-(摄像机编号)-公路路线方向-公路行车方向-往地名方向.
    if (!PILE_NUM.test(record.pileNum)) fail('pileNum', `"${record.pileNum}" is not a pile number exact to the metre, e.g. K1844+158 (B.二.(一) 5)`);
    if (orientation === undefined) fail('cameraOrientation', 'must be 1 (上行), 2 (下行) or 3 (双向)');
    const parts = [record.pileNum];
    if (extra.cameraIndex !== undefined) {
      if (!/^[0-9A-Za-z]{1,8}$/.test(extra.cameraIndex)) fail('cameraIndex', 'must be 1–8 letters or digits');
      parts.push(extra.cameraIndex);
    }
    parts.push(orientation ?? '');
    // B.二.(一) 7–8: a median camera carries neither travel direction nor destination.
    if (!median) parts.push(needTravel() ?? '', needDestination() ?? '');
    position = parts.join('-');
  } else if (rule.position === 'toll') {
    // B.二.(二) 5.
    const side = extra.plazaSide;
    if (side !== '内' && side !== '外') fail('plazaSide', 'required for a toll plaza: 内 (nearer this road section) or 外 (farther)');
    const plaza = `${side ?? ''}广场`;
    switch (extra.tollLayout) {
      case 'all-direction':
      case 'mainline':
        position = plaza; // (1) 内广场
        break;
      case 'one-way-ramp':
        position = [plaza, needSide(), needDestination() ?? ''].join('-'); // (2) 内广场-上行-往**市
        break;
      case 'diamond':
        if (extra.entryExit !== '入口' && extra.entryExit !== '出口') fail('entryExit', 'required for a diamond toll station: 入口 or 出口');
        position = [needSide(), extra.entryExit ?? '', plaza, needDestination() ?? ''].join('-'); // (3) 上行-入口-内广场-往**市
        break;
      default:
        fail('tollLayout', 'required for a toll station: all-direction, mainline, one-way-ramp, diamond or lane');
    }
    if (extra.annex) line1Name = `${sceneName}附属`; // (4)
  } else {
    // B.二.(四) 5–7.
    const object = extra.serviceObject;
    if (object === undefined || !SERVICE_OBJECTS.includes(object)) fail('serviceObject', 'required for a service area: 入口, 出口, 停车场, 加油站 or 公共场所');
    line1Name = `${sceneName}-${object ?? ''}`;
    position = [needSide(), needDestination() ?? ''].join('-');
  }

  if (errors.length > 0) return { ok: false, errors };
  const line1 = `${province ?? ''}-${record.road}${rule.codeJoin}${short}-${line1Name}`;
  const reserved = extra.reserved?.trim();
  return {
    ok: true,
    lines: position === undefined ? [line1] : [line1, position],
    timeFormat: 'YYYY-MM-DD HH:mm:ss',
    timePosition: 'top-right',
    ...(reserved ? { reserved } : {}),
    reservedPosition: 'bottom-left',
  };
}

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** B.一.(一) 4: Beijing time (GMT+8), 24 h, "yyyy-mm-dd hh:mm:ss", whatever the machine's TZ. */
export function formatOverlayTime(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const b = new Date(ms + BEIJING_OFFSET_MS);
  return (
    `${pad(b.getUTCFullYear(), 4)}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ` +
    `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`
  );
}
