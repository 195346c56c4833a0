// The Appendix C sheet as files: a CSV (UTF-8 with a byte-order mark, so Excel and WPS read the
// Chinese as UTF-8) and an .xlsx laid out like the appendix (title, heading line, two header rows
// with merged group headings, the notes). exceljs writes the workbook: a well-kept library that
// produces files Excel and WPS open, rather than hand-zipped Office XML.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { INSPECTION_COLUMNS, type InspectionSheet } from './inspectionSheet.js';

export const SHEET_TITLE = '路段视频云联网情况巡查表';
/** The appendix's notes under the table. */
export const SHEET_NOTES = [
  '注：1. 根据省级视频云平台中本路段上云视频参数，填写设备基础信息；',
  '2. 对每一路上云视频进行巡查，如实填写上云视频图像质量、点位信息等情况；',
  '3. 及时对存在问题进行修复或安排修复计划，填写在路段处理情况栏，并将表格提交视频云联网管理单位；',
  '4. 视频云联网管理单位负责收集表格并对路段处理情况进行审核并记录结果。',
];

function headingLine(s: InspectionSheet): string {
  const [y, m, d] = s.date.split('-').map(Number);
  return `巡查时间：${y} 年 ${m} 月 ${d} 日    路段名称：${s.sectionName}    联系人：${s.contact}    联系方式：${s.contactPhone}`;
}

/** Rows of the sheet as the appendix lays them out (both files share them). */
function sheetRows(s: InspectionSheet): string[][] {
  const groups = INSPECTION_COLUMNS.map(([g, c]) => (g === '' ? c : g));
  const columns = INSPECTION_COLUMNS.map(([g, c]) => (g === '' ? '' : c));
  return [[SHEET_TITLE], [headingLine(s)], groups, columns, ...s.rows, ...SHEET_NOTES.map((n) => [n])];
}

export function inspectionCsv(s: InspectionSheet): string {
  return `\ufeff${stringify(sheetRows(s), { record_delimiter: '\r\n' })}`;
}

export async function inspectionXlsx(s: InspectionSheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'vcgw';
  const ws = wb.addWorksheet('巡查表', { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  const n = INSPECTION_COLUMNS.length;
  ws.addRows(sheetRows(s));
  ws.mergeCells(1, 1, 1, n);
  ws.mergeCells(2, 1, 2, n);
  ws.getRow(1).font = { bold: true, size: 14 };
  ws.getRow(1).alignment = { horizontal: 'center' };
  // Header: a column without a group spans both header rows; a group spans its columns.
  for (let c = 1; c <= n; ) {
    const group = INSPECTION_COLUMNS[c - 1]![0];
    let end = c;
    while (group !== '' && end < n && INSPECTION_COLUMNS[end]![0] === group) end++;
    if (group === '') ws.mergeCells(3, c, 4, c);
    else if (end > c) ws.mergeCells(3, c, 3, end);
    c = end + 1;
  }
  for (const r of [3, 4]) {
    ws.getRow(r).font = { bold: true };
    ws.getRow(r).alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  }
  const last = 4 + s.rows.length;
  for (let r = 3; r <= last; r++) {
    for (let c = 1; c <= n; c++) {
      ws.getCell(r, c).border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
    }
  }
  for (let r = last + 1; r <= last + SHEET_NOTES.length; r++) ws.mergeCells(r, 1, r, n);
  INSPECTION_COLUMNS.forEach(([, c], i) => (ws.getColumn(i + 1).width = c === '备注' ? 60 : Math.max(8, Math.min(24, c.length * 2 + 2))));
  ws.views = [{ state: 'frozen', ySplit: 4 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Writes `巡查表-<date>.csv` and `.xlsx` into `dir`; returns their paths. */
export async function writeInspectionFiles(s: InspectionSheet, dir: string): Promise<{ csv: string; xlsx: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `巡查表-${s.date}`);
  const files = { csv: `${base}.csv`, xlsx: `${base}.xlsx` };
  fs.writeFileSync(files.csv, inspectionCsv(s));
  fs.writeFileSync(files.xlsx, await inspectionXlsx(s));
  return files;
}
