// The organization tree shared upward, built from the camera records (CONTRACT §6): province →
// city (from areaCode) → road → section (roadSec) → facility (classify + poiName) → channels.
// Each node has a stable key (its path of record values), which the code store maps to a code.
import type { TreeLevel } from '../../config/schema/cascade.js';
import type { CascadeCamera } from './ports.js';

export interface TreeNode {
  /** Stable across restarts: `province:44`, `city:4402`, `road:4402/G4`, …, `camera:<cameraNum>`. */
  key: string;
  kind: 'org' | 'channel';
  level: TreeLevel | 'channel';
  name: string;
  /** null: a top node (its parent upward is the gateway itself). */
  parentKey: string | null;
  /** Set on channels. */
  camera?: CascadeCamera;
}

// GB/T 2260 province-level names: the top node is named without asking the operator.
const PROVINCE_NAMES: Readonly<Record<string, string>> = {
  '11': '北京市', '12': '天津市', '13': '河北省', '14': '山西省', '15': '内蒙古自治区', '21': '辽宁省', '22': '吉林省',
  '23': '黑龙江省', '31': '上海市', '32': '江苏省', '33': '浙江省', '34': '安徽省', '35': '福建省', '36': '江西省',
  '37': '山东省', '41': '河南省', '42': '湖北省', '43': '湖南省', '44': '广东省', '45': '广西壮族自治区', '46': '海南省',
  '50': '重庆市', '51': '四川省', '52': '贵州省', '53': '云南省', '54': '西藏自治区', '61': '陕西省', '62': '甘肃省',
  '63': '青海省', '64': '宁夏回族自治区', '65': '新疆维吾尔自治区', '71': '台湾省', '81': '香港特别行政区', '82': '澳门特别行政区',
};

const CLASSIFY_NAMES = ['路段', '收费站', '服务区', '隧道', '桥梁', 'ETC门架'] as const;

/** The key and default name of each level for one camera (levels not configured are skipped). */
function levelOf(level: TreeLevel, cam: CascadeCamera): { id: string; name: string } {
  const r = cam.record;
  const area = String(r.areaCode).padStart(6, '0');
  switch (level) {
    case 'province':
      return { id: area.slice(0, 2), name: PROVINCE_NAMES[area.slice(0, 2)] ?? `${area.slice(0, 2)}0000` };
    case 'city':
      return { id: area.slice(0, 4), name: `${area.slice(0, 4)}00` };
    case 'road':
      return { id: r.road, name: `${r.road} ${r.roadName}` };
    case 'section':
      return { id: r.roadSec, name: r.roadSec };
    case 'facility':
      return { id: `${r.classify}/${r.poiName}`, name: `${r.poiName}${r.classify === 0 ? '' : `（${CLASSIFY_NAMES[r.classify] ?? r.classify}）`}` };
  }
}

/**
 * The nodes, parents before children, channels last in each parent, in a stable order (cameras
 * sorted by camera number) so that codes assigned in order do not depend on insertion order.
 */
export function buildTree(cameras: readonly CascadeCamera[], levels: readonly TreeLevel[], names: Readonly<Record<string, string>> = {}): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  const sorted = [...cameras].sort((a, b) => a.record.cameraNum.localeCompare(b.record.cameraNum));
  for (const cam of sorted) {
    let parentKey: string | null = null;
    let path = '';
    for (const level of levels) {
      const { id, name } = levelOf(level, cam);
      // Levels below the city are paths, so that two cities' "G4" are different nodes.
      path = level === 'province' || level === 'city' ? id : `${path}/${id}`;
      const key = `${level}:${path}`;
      if (!nodes.has(key)) nodes.set(key, { key, kind: 'org', level, name: names[key] ?? name, parentKey });
      parentKey = key;
    }
    const key = `camera:${cam.record.cameraNum}`;
    nodes.set(key, { key, kind: 'channel', level: 'channel', name: names[key] ?? cam.record.cameraName, parentKey, camera: cam });
  }
  const list = [...nodes.values()];
  return [...list.filter((n) => n.kind === 'org'), ...list.filter((n) => n.kind === 'channel')];
}

/** The cameras a platform shares: all, or those passing its id, classify and road filters. */
export function sharedCameras(cameras: readonly CascadeCamera[], filter: { share_cameras: readonly string[]; share_classify: readonly number[]; share_roads: readonly string[] }): CascadeCamera[] {
  return cameras.filter(
    (c) =>
      (filter.share_cameras.length === 0 || filter.share_cameras.includes(c.id)) &&
      (filter.share_classify.length === 0 || filter.share_classify.includes(c.record.classify)) &&
      (filter.share_roads.length === 0 || filter.share_roads.includes(c.record.road)),
  );
}
