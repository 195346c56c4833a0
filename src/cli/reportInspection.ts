// `vcgw report inspection`: the Appendix C inspection sheet for a day, as CSV and .xlsx.
import type { Command } from 'commander';
import { beijingDate, beijingMidnight } from '../modules/reports/checkSlots.js';
import { writeInspectionFiles } from '../modules/reports/inspectionFiles.js';
import { INSPECTION_COLUMNS, inspectionSheet } from '../modules/reports/inspectionSheet.js';
import { openDb } from '../store/db.js';
import { CliError, println, type CliContext } from './context.js';

export function registerReportInspection(report: Command, ctx: CliContext): void {
  report
    .command('inspection')
    .description('the Appendix C inspection sheet (路段视频云联网情况巡查表) for a day, filled from the gateway records, as CSV and .xlsx')
    .option('--date <YYYY-MM-DD>', 'inspection day, Beijing time (default: today)')
    .option('--out <dir>', 'where to write the files', '.')
    .option('--json', 'print the sheet as JSON instead of writing files')
    .addHelpText('after', '\nExamples:\n  vcgw report inspection --date 2026-12-01 --out /tmp\n  vcgw report inspection --json | jq .rows')
    .action(async (opts: { date?: string; out: string; json?: boolean }) => {
      const date = opts.date ?? beijingDate(Date.now());
      try {
        beijingMidnight(date);
      } catch (err) {
        throw new CliError(`--date ${(err as Error).message}`, 2);
      }
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      let sheet;
      try {
        sheet = inspectionSheet(db, config, date);
      } finally {
        db.close();
      }
      if (opts.json) {
        const columns = INSPECTION_COLUMNS.map(([g, c]) => (g === '' ? c : `${g}/${c}`));
        const rows = sheet.rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
        println(ctx.stdout, JSON.stringify({ ...sheet, rows }, null, 2));
        return;
      }
      const files = await writeInspectionFiles(sheet, opts.out);
      println(ctx.stdout, `${sheet.rows.length} camera(s)\n${files.csv}\n${files.xlsx}`);
    });
}
