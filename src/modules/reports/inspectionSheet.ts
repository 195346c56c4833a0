// The inspection sheet of seed 003 Appendix C (路段视频云联网情况巡查表, §11.3.6), one row per
// camera, filled from what the gateway recorded. Columns a person must judge from the picture
// (the toll plaza in view, the scene matching its label, the location label) and the two
// follow-up columns (路段处理情况, 复核情况) are left empty for the inspector.
import type { Config } from '../../config/schema/index.js';
import { CLASSIFY } from '../../domain/camera.js';
import { ONLINE, type OnlineState } from '../../domain/online.js';
import { beijingDateTime } from '../../protocols/province/reports.js';
import { CameraClockStore } from '../../store/cameraClock.js';
import { CameraOnvifStore } from '../../store/cameraOnvif.js';
import { CameraQualityStore } from '../../store/cameraQuality.js';
import { CameraStateStore } from '../../store/cameraState.js';
import { CameraStore } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { MediaStatusStore } from '../../store/mediaStatus.js';
import { OnlineCheckStore } from '../../store/onlineChecks.js';
import { SnapshotStore } from '../../store/snapshots.js';
import { CONDITIONS } from '../quality/types.js';
import { cameraOverlay, overlayErrorsText } from '../overlay/camera.js';
import { beijingDate, beijingMidnight, checkSlots, DAY_MS } from './checkSlots.js';
import { ONLINE_CHECKS_NEEDED } from './onlineRate.js';

/** [group, column] as Appendix C heads them; group '' = a column without a group heading. */
export const INSPECTION_COLUMNS = [
  ['', '序号'],
  ['', '设备编号'],
  ['', '路段名称'],
  ['', '所属设施'],
  ['', '桩号'],
  ['', '管养单位'],
  ['', '厂家名称'],
  ['', '设备名称'],
  ['', '设备副称'],
  ['', '设备状态'],
  ['', '行车方向'],
  ['路段视频图像字符叠加', '是否符合要求'],
  ['路段视频高清切换', '是否正常切换'],
  ['视频角度及内容', '镜头是否清洁'],
  ['视频角度及内容', '路面是否观察清晰'],
  ['视频角度及内容', '收费广场是否可见全景'],
  ['视频角度及内容', '是否被遮挡'],
  ['视频角度及内容', '是否与标注视频类别及位置描述相符'],
  ['时钟同步', '是否同步'],
  ['点位信息', '位置标注是否正确'],
  ['', '备注'],
  ['', '路段处理情况'],
  ['', '复核情况'],
] as const;

export type InspectionRow = string[];

export interface InspectionSheet {
  date: string;
  sectionName: string;
  contact: string;
  contactPhone: string;
  rows: InspectionRow[];
}

const ORIENTATION: Record<number, string> = { 1: '上行', 2: '下行', 3: '双向' };
const FACILITY: Record<number, string> = { 0: '道路', 1: '收费站', 2: '服务区', 3: '隧道', 4: '桥梁', 5: 'ETC门架' };
const STATE: Record<OnlineState, string> = { 0: '离线', 1: '在线', 2: '故障' };
const yesNo = (b: boolean) => (b ? '是' : '否');

/** Device state on the day: the Appendix F day verdict from the recorded checks; today, the current state. */
function dayState(db: Db, cameraNum: string, date: string, today: string): string {
  if (date === today) {
    const s = new CameraStateStore(db).get(cameraNum);
    return s ? STATE[s.online] : '未探测';
  }
  const slots = checkSlots(date);
  const rows = new OnlineCheckStore(db).between(slots[0]!, slots.at(-1)! + 1).filter((r) => r.cameraNum === cameraNum);
  if (rows.length === 0) return '无记录';
  const online = rows.filter((r) => r.online === ONLINE.online).length;
  return `${online >= ONLINE_CHECKS_NEEDED ? '在线' : '离线'}（${online}/36次在线）`;
}

/** The sheet for Beijing day `date`, from the database and the config (`now` for "today"). */
export function inspectionSheet(db: Db, config: Config, date: string, now = Date.now()): InspectionSheet {
  const dayEnd = beijingMidnight(date) + DAY_MS;
  const today = beijingDate(now);
  const quality = new CameraQualityStore(db);
  const clock = new CameraClockStore(db);
  const onvif = new CameraOnvifStore(db);
  const snapshots = new SnapshotStore(db);
  const media = new MediaStatusStore(db).all();
  const cameras = new CameraStore(db).all();

  const rows = cameras.map((cam, i): InspectionRow => {
    const r = cam.record;
    const notes: string[] = [];
    const overlay = cameraOverlay(cam, config.overlay);
    if (!overlay.ok) notes.push(`字符叠加：${overlayErrorsText(overlay.errors)}`);

    const onDemand = media.filter((m) => m.cameraNum === r.cameraNum && m.role === 'ondemand');
    const hd = onDemand.length === 0 ? '' : yesNo(onDemand.every((m) => m.lastError === null));
    for (const m of onDemand) if (m.lastError) notes.push(`高清推流：${m.lastError}`);
    const constant = media.find((m) => m.cameraNum === r.cameraNum && m.role === 'constant');
    if (constant) notes.push(`常态推流：${constant.state}${constant.lastError ? `（${constant.lastError}）` : ''}`);

    const q = quality.get(r.cameraNum);
    let clean = '';
    let clear = '';
    let blocked = '';
    if (q && q.checkedAt < dayEnd) {
      const flag = (c: (typeof CONDITIONS)[number]) => q.bits[1 + CONDITIONS.indexOf(c)] === '1';
      clean = yesNo(!flag('blurred'));
      clear = yesNo(!CONDITIONS.some((c) => c !== 'occluded' && flag(c)));
      blocked = yesNo(flag('occluded'));
      const found = CONDITIONS.filter(flag);
      notes.push(`图像诊断 ${beijingDateTime(q.checkedAt)}：${found.length === 0 ? '正常' : found.join(', ')}`);
    }

    const c = clock.get(r.cameraNum);
    const synced = c === undefined ? '' : yesNo(c.error === null && c.syncedAt !== null);
    if (c?.error) notes.push(`校时失败：${c.error}`);

    const snap = snapshots.latest(r.cameraNum, dayEnd);
    if (snap) notes.push(`抓图 ${beijingDateTime(snap.takenAt)} ${snap.path}`);

    return [
      String(i + 1),
      r.cameraNum,
      r.roadSec,
      `${FACILITY[r.classify] ?? ''}${r.poiName ? ` ${r.poiName}` : ''}`,
      r.pileNum,
      r.department,
      onvif.get(r.cameraNum)?.facts.manufacturer ?? '',
      r.cameraName,
      r.cameraNameSuffix,
      dayState(db, r.cameraNum, date, today),
      ORIENTATION[r.cameraOrientation] ?? '',
      yesNo(overlay.ok),
      hd,
      clean,
      clear,
      r.classify === CLASSIFY.tollStation ? '' : '—',
      blocked,
      '',
      synced,
      '',
      notes.join('；'),
      '',
      '',
    ];
  });
  const sections = [...new Set(cameras.map((c) => c.record.roadSec))];
  return { date, sectionName: config.gateway.section_name ?? sections.join('、'), contact: config.gateway.contact ?? '', contactPhone: config.gateway.contact_phone ?? '', rows };
}
