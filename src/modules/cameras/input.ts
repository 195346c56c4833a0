// Turns what a technician typed (CLI flags, --json, a CSV row, a [[cameras]] entry) into a
// validated camera: local id, the record sent to the province (CONTRACT §6) and the local
// access fields. Every failure names the field.
import { z } from 'zod';
import { cameraAccessShape, cameraIdSchema } from '../../config/schema/cameras.js';
import { cameraRecordSchema, cameraRecordShape } from '../../protocols/province/messages.js';
import type { CameraRecord } from '../../domain/camera.js';
import type { CameraAccess, StoredCamera } from '../../store/cameras.js';
import type { CameraOrigin } from '../../domain/camera.js';

export type RecordField = keyof typeof cameraRecordShape;
export type AccessField = keyof typeof cameraAccessShape;

export const RECORD_FIELDS = Object.keys(cameraRecordShape) as RecordField[];
export const ACCESS_FIELDS = Object.keys(cameraAccessShape) as AccessField[];
/** Never printed or exported unless asked for explicitly. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set<AccessField>(['onvifPassword']);
/** Every field a camera input may carry, in display/CSV order. */
export const CAMERA_FIELDS: readonly string[] = [
  'id',
  'cameraNum',
  ...RECORD_FIELDS.filter((f) => f !== 'cameraNum'),
  ...ACCESS_FIELDS,
];

const NUMERIC_FIELDS: ReadonlySet<string> = new Set<RecordField>([
  'classify',
  'cameraOrientation',
  'cameraType',
  'hasControl',
  'areaCode',
  'pushType',
]);

/** Loose input: values are strings (flags, CSV) or JSON values; validation decides. */
export type CameraInput = Readonly<Record<string, unknown>>;

export interface CameraDraft {
  id: string;
  record: CameraRecord;
  access: CameraAccess;
}

/** What a validated change will do; computed before anything is written. */
export interface CameraPlan {
  kind: 'add' | 'update' | 'unchanged';
  draft: CameraDraft;
  source: CameraOrigin;
  existing?: StoredCamera;
}

export interface FieldProblem {
  field: string;
  detail: string;
}

/** Bad camera input: every problem found at once (a technician fixes them in one go), the first as field/detail. */
export class CameraInputError extends Error {
  readonly problems: readonly FieldProblem[];

  constructor(
    readonly field: string,
    readonly detail: string,
    /** CSV row (header = row 1), when the input came from a file. */
    readonly row?: number,
    more: readonly FieldProblem[] = [],
  ) {
    const problems = [{ field, detail }, ...more];
    super(`${row === undefined ? '' : `row ${row}, `}${problems.map((p) => `${p.field}: ${p.detail}`).join('; ')}`);
    this.name = 'CameraInputError';
    this.problems = problems;
  }

  static of(problems: readonly [FieldProblem, ...FieldProblem[]], row?: number): CameraInputError {
    const [first, ...more] = problems;
    return new CameraInputError(first.field, first.detail, row, more);
  }

  atRow(row: number): CameraInputError {
    return new CameraInputError(this.field, this.detail, row, this.problems.slice(1));
  }

  /** The same problems under a path, e.g. `cameras.3.` for a [[cameras]] entry. */
  under(prefix: string): CameraInputError {
    const [first, ...more] = this.problems.map((p) => ({ field: `${prefix}${p.field}`, detail: p.detail }));
    return CameraInputError.of([first!, ...more], this.row);
  }
}

export class CameraNotFoundError extends Error {
  constructor(readonly idOrNum: string) {
    super(`no camera with id or cameraNum "${idOrNum}" (see: vcgw cameras list)`);
    this.name = 'CameraNotFoundError';
  }
}

export interface InputParts {
  id?: unknown;
  record: Record<string, unknown>;
  access: Record<string, unknown>;
}

const RECORD_SET: ReadonlySet<string> = new Set(RECORD_FIELDS);
const ACCESS_SET: ReadonlySet<string> = new Set(ACCESS_FIELDS);

/**
 * Sorts input keys into id / record / access, dropping undefined values (a flag not given)
 * and trimming strings (CSV cells, pasted text) except secrets, which are taken verbatim.
 */
export function splitInput(input: CameraInput): InputParts {
  const parts: InputParts = { record: {}, access: {} };
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const value = typeof raw === 'string' && !SECRET_FIELDS.has(key) ? raw.trim() : raw;
    if (key === 'id') parts.id = value;
    else if (RECORD_SET.has(key)) parts.record[key] = key === 'cameraNum' && typeof value === 'string' ? value.toLowerCase() : value;
    else if (ACCESS_SET.has(key)) parts.access[key] = value;
    else throw new CameraInputError(key, `unknown field (known: ${CAMERA_FIELDS.join(', ')})`);
  }
  return parts;
}

/** Applies access changes: '' or null removes a field (e.g. a camera no longer has ONVIF). */
export function mergeAccess(base: CameraAccess, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (value === '' || value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** One problem per field (zod may report several for one value), in the schema's order. */
function problemsOf(error: z.ZodError, input: Record<string, unknown>, fallbackField: string): FieldProblem[] {
  return error.issues.map((issue): FieldProblem => {
    if (issue.code === 'unrecognized_keys') return { field: issue.keys[0] ?? fallbackField, detail: 'unknown field' };
    const key = issue.path[0];
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackField;
    const value = input[typeof key === 'string' ? key : fallbackField];
    if (value === undefined) return { field, detail: 'required' };
    // "x" or 1.5 fail the schema's integer check with zod's generic text; say what is allowed instead.
    if (NUMERIC_FIELDS.has(field) && issue.code !== 'custom') return { field, detail: allowedValues(field as RecordField) };
    return { field, detail: issue.message };
  });
}

function allowedValues(field: RecordField): string {
  const probe = cameraRecordShape[field].safeParse(-1);
  return probe.success ? 'invalid' : (probe.error.issues[0]?.message ?? 'invalid');
}

const accessSchema = z.strictObject(cameraAccessShape);

/** Validates a complete camera; throws CameraInputError naming every bad or missing field. */
export function validateDraft(parts: InputParts): CameraDraft {
  const problems: FieldProblem[] = [];
  const idResult = cameraIdSchema.safeParse(parts.id);
  if (!idResult.success) problems.push(...problemsOf(idResult.error, { id: parts.id }, 'id'));
  for (const field of NUMERIC_FIELDS) {
    const v = parts.record[field];
    // z.coerce would turn '', null or true into a valid-looking 0 or 1.
    if (v === '' || v === null) problems.push({ field, detail: 'required' });
    else if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') problems.push({ field, detail: 'must be a number' });
  }
  const record = cameraRecordSchema.safeParse(parts.record);
  if (!record.success) problems.push(...problemsOf(record.error, parts.record, 'record'));
  const accessIn = Object.fromEntries(Object.entries(parts.access).filter(([, v]) => v !== '' && v !== null));
  const access = accessSchema.safeParse(accessIn);
  if (!access.success) problems.push(...problemsOf(access.error, accessIn, 'access'));
  const seen = new Set<string>();
  const distinct = problems.filter((p) => !seen.has(p.field) && seen.add(p.field));
  if (distinct.length > 0 || !idResult.success || !record.success || !access.success) {
    throw CameraInputError.of([distinct[0] ?? { field: 'camera', detail: 'invalid' }, ...distinct.slice(1)]);
  }
  return { id: idResult.data, record: record.data, access: stripUndefined(access.data) };
}

function stripUndefined(access: CameraAccess): CameraAccess {
  return Object.fromEntries(Object.entries(access).filter(([, v]) => v !== undefined)) as CameraAccess;
}

/** Field-by-field equality in a fixed order, so key order in stored JSON never matters. */
export function sameCamera(a: CameraDraft, b: CameraDraft): boolean {
  if (a.id !== b.id) return false;
  const ra = a.record as Record<string, unknown>;
  const rb = b.record as Record<string, unknown>;
  const xa = a.access as Record<string, unknown>;
  const xb = b.access as Record<string, unknown>;
  return RECORD_FIELDS.every((f) => ra[f] === rb[f]) && ACCESS_FIELDS.every((f) => xa[f] === xb[f]);
}

/** Flat view of a camera: id, record and access fields under their input names. */
export function flatten(cam: CameraDraft, options: { includeSecrets?: boolean } = {}): Record<string, unknown> {
  const flat: Record<string, unknown> = { id: cam.id, ...cam.record, ...cam.access };
  if (!options.includeSecrets) for (const f of SECRET_FIELDS) delete flat[f];
  return flat;
}
