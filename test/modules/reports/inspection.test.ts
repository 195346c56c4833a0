// `vcgw report inspection`: the Appendix C sheet filled from the gateway's records, written as a
// CSV (UTF-8 with BOM) and an .xlsx read back with exceljs and checked by `unzip -t`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { parse } from 'csv-parse/sync';
import { checkSlots } from '../../../src/modules/reports/checkSlots.js';
import { INSPECTION_COLUMNS } from '../../../src/modules/reports/inspectionSheet.js';
import { CameraClockStore } from '../../../src/store/cameraClock.js';
import { CameraQualityStore } from '../../../src/store/cameraQuality.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OnlineCheckStore } from '../../../src/store/onlineChecks.js';
import { SnapshotStore } from '../../../src/store/snapshots.js';
import { cliRunner, writeMinimalConfig } from '../../helpers/cli.js';
import { addCamera } from '../snapshots/helpers.js';

const DATE = '2026-12-01';
const noon = Date.parse(`${DATE}T12:00:00+08:00`);

t.test('the Appendix C sheet as CSV and .xlsx, filled from the records', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-inspection-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = writeMinimalConfig(dir);
  // the heading's keys belong to [gateway], which ends where [province] starts
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('[province]', 'section_name = "京珠北段"\ncontact = "张工"\ncontact_phone = "020-12345678"\n[province]'));
  const db = openDb(path.join(dir, 'data'));
  const cams = new CameraStore(db);
  const good = addCamera(cams, 1).record.cameraNum;
  const bad = addCamera(cams, 2).record.cameraNum;
  const checks = new OnlineCheckStore(db);
  checkSlots(DATE).forEach((slot, i) =>
    checks.record(slot, [
      { cameraNum: good, online: 1, reason: '' },
      { cameraNum: bad, online: i < 10 ? 1 : 0, reason: '' },
    ]),
  );
  const quality = new CameraQualityStore(db);
  quality.put(good, { checkedAt: noon, bits: '000000000', confidences: '', details: {}, imageUrl: null, kind: 'snapshot' });
  quality.put(bad, { checkedAt: noon, bits: '001100000', confidences: '', details: {}, imageUrl: null, kind: 'snapshot' }); // occluded, blurred
  const clock = new CameraClockStore(db);
  clock.record(good, { at: noon, driftMs: 120 });
  clock.recordError(bad, noon, 'ONVIF SetSystemDateAndTime: 401');
  new SnapshotStore(db).insert({ cameraNum: good, takenAt: noon, path: `${good}/20261201/120000.jpg`, width: 1920, height: 1080, bytes: 1000, source: 'stream' });
  db.close();

  const run = cliRunner(config);
  const out = path.join(dir, 'out');
  const r = await run('report', 'inspection', '--date', DATE, '--out', out);
  t.equal(r.code, 0, r.err);
  const csvFile = path.join(out, `巡查表-${DATE}.csv`);
  const xlsxFile = path.join(out, `巡查表-${DATE}.xlsx`);
  t.equal(r.out, `2 camera(s)\n${csvFile}\n${xlsxFile}\n`);

  const csvText = fs.readFileSync(csvFile, 'utf8');
  t.ok(csvText.startsWith('\ufeff'), 'a BOM so Excel and WPS read UTF-8');
  const csv = parse(csvText.slice(1), { relax_column_count: true }) as string[][];
  t.same(csv[0], ['路段视频云联网情况巡查表']);
  t.same(csv[1], ['巡查时间：2026 年 12 月 1 日    路段名称：京珠北段    联系人：张工    联系方式：020-12345678']);
  t.same(csv[2]!.slice(10, 20), ['行车方向', '路段视频图像字符叠加', '路段视频高清切换', '视频角度及内容', '视频角度及内容', '视频角度及内容', '视频角度及内容', '视频角度及内容', '时钟同步', '点位信息']);
  t.same(csv[3]!.slice(11, 20), ['是否符合要求', '是否正常切换', '镜头是否清洁', '路面是否观察清晰', '收费广场是否可见全景', '是否被遮挡', '是否与标注视频类别及位置描述相符', '是否同步', '位置标注是否正确']);
  t.equal(csv[2]!.length, 23, '23 columns as in Appendix C');
  const col = (row: string[], name: string) => row[INSPECTION_COLUMNS.findIndex(([, c]) => c === name)];
  const [row1, row2] = [csv[4]!, csv[5]!];
  t.same(row1.slice(0, 11), ['1', good, '京珠北段', '道路 京港澳高速道路', 'K1801+100', '广东省高速公路有限公司京珠北分公司', '', 'G4京港澳高速K1801+100', '', '在线（36/36次在线）', '上行']);
  t.same([col(row1, '镜头是否清洁'), col(row1, '路面是否观察清晰'), col(row1, '收费广场是否可见全景'), col(row1, '是否被遮挡'), col(row1, '是否同步')], ['是', '是', '—', '否', '是']);
  t.match(col(row1, '备注'), /图像诊断 2026-12-01 12:00:00：正常；抓图 2026-12-01 12:00:00 .*\/20261201\/120000\.jpg/);
  t.equal(col(row2, '设备状态'), '离线（10/36次在线）');
  t.same([col(row2, '镜头是否清洁'), col(row2, '路面是否观察清晰'), col(row2, '是否被遮挡'), col(row2, '是否同步')], ['否', '否', '是', '否']);
  t.match(col(row2, '备注'), /图像诊断 2026-12-01 12:00:00：occluded, blurred；校时失败：ONVIF SetSystemDateAndTime: 401/);
  t.same([col(row1, '路段处理情况'), col(row1, '复核情况')], ['', ''], 'left for the inspector');
  t.match(csv[6]![0], /^注：1\. 根据省级视频云平台/);

  execFileSync('unzip', ['-tq', xlsxFile]); // throws when the archive is damaged
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsxFile);
  const ws = wb.getWorksheet('巡查表')!;
  t.equal(ws.getCell('A1').value, '路段视频云联网情况巡查表');
  t.equal(ws.getCell('A3').value, '序号');
  t.ok(ws.getCell('A4').isMerged, '序号 spans both header rows');
  t.equal(ws.getCell('N3').value, '视频角度及内容');
  t.equal(ws.getCell('R3').master.address, 'N3', 'the group heading spans its five columns');
  t.equal(ws.getCell('N4').value, '镜头是否清洁');
  t.equal(ws.getCell('B5').value, good);
  t.equal(ws.getCell('J6').value, '离线（10/36次在线）');
  t.equal(ws.rowCount, 4 + 2 + 4, 'title, heading, 2 header rows, 2 cameras, 4 notes');

  const json = await run('report', 'inspection', '--date', DATE, '--json');
  const sheet = JSON.parse(json.out) as { sectionName: string; rows: Array<Record<string, string>> };
  t.equal(sheet.sectionName, '京珠北段');
  t.equal(sheet.rows[1]!['视频角度及内容/是否被遮挡'], '是');
});
