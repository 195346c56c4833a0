// The camera sheet technicians fill in (Appendix G) as CSV: a header row of field names,
// one camera per row. Row numbers are the spreadsheet's: the header is row 1.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CAMERA_FIELDS, CameraInputError, SECRET_FIELDS, flatten, type CameraDraft } from './input.js';

export interface CsvRow {
  /** Spreadsheet row number (header = 1). */
  row: number;
  input: Record<string, string>;
}

const KNOWN: ReadonlySet<string> = new Set(CAMERA_FIELDS);
/** Excel on Chinese Windows reads a BOM-less UTF-8 CSV as GBK and garbles every name. */
export const UTF8_BOM = '\uFEFF';

export function parseCameraCsv(text: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new CameraInputError('csv', `not valid CSV${line === undefined ? '' : ` near line ${line}`}: ${(err as Error).message}`);
  }
  const header = (records[0] ?? []).map((h) => h.trim());
  if (header.length === 0 || header.every((h) => h === '')) throw new CameraInputError('csv', 'empty file: expected a header row of field names', 1);
  const seen = new Set<string>();
  for (const name of header) {
    if (!KNOWN.has(name)) throw new CameraInputError(name || '(empty)', `unknown column (known: ${CAMERA_FIELDS.join(', ')})`, 1);
    if (seen.has(name)) throw new CameraInputError(name, 'column appears twice', 1);
    seen.add(name);
  }
  if (!seen.has('id')) throw new CameraInputError('id', 'column missing: every row needs the local camera id', 1);

  const rows: CsvRow[] = [];
  records.slice(1).forEach((cells, i) => {
    const row = i + 2;
    // Spreadsheets leave rows of empty cells behind; they are not cameras.
    if (cells.every((c) => c.trim() === '')) return;
    if (cells.length !== header.length) {
      throw new CameraInputError('cells', `${cells.length} cells, but the header has ${header.length}`, row);
    }
    const input: Record<string, string> = {};
    header.forEach((name, j) => {
      const cell = cells[j] ?? '';
      // An empty cameraNum means "generate one" (new row) or "keep it" (known id).
      if (name === 'cameraNum' && cell.trim() === '') return;
      input[name] = cell;
    });
    rows.push({ row, input });
  });
  return rows;
}

/**
 * Without secrets the password column is left out entirely (not emptied), so importing the
 * file again keeps the stored passwords.
 */
export function camerasToCsv(cameras: readonly CameraDraft[], options: { includeSecrets?: boolean; bom?: boolean } = {}): string {
  const columns = CAMERA_FIELDS.filter((f) => options.includeSecrets || !SECRET_FIELDS.has(f));
  const rows = cameras.map((cam) => {
    const flat = flatten(cam, { includeSecrets: true });
    return columns.map((c) => (flat[c] === undefined || flat[c] === null ? '' : String(flat[c])));
  });
  return (options.bom ? UTF8_BOM : '') + stringify([columns, ...rows], { eof: true });
}
