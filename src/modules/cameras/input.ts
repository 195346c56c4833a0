// Turns what a technician typed (CLI flags, --json, a CSV row, a [[cameras]] entry) into a
// validated camera: local id, the record sent to the province (CONTRACT §6) and the local
// access fields. Every failure names the field.
import { z } from 'zod';
import { cameraAccessShape, cameraIdSchema } from '../../config/schema.js';
import { cameraRecordSchema, cameraRecordShape, type CameraRecord } from '../../protocols/province/messages.js';
import type { CameraAccess, CameraSource, StoredCamera } from '../../store/cameras.js';

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
  source: CameraSource;
  existing?: StoredCamera;
}

export class CameraInputError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    /** CSV row (header = row 1), when the input came from a file. */
    readonly row?: number,
  ) {
    super(`${row === undefined ? '' : `row ${row}, `}${field}: ${detail}`);
    this.name = 'CameraInputError';
  }

  atRow(row: number): CameraInputError {
    return new CameraInputError(this.field, this.detail, row);
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

function firstIssue(error: z.ZodError, input: Record<string, unknown>, fallbackField: string): CameraInputError {
  const issue = error.issues[0];
  if (!issue) return new CameraInputError(fallbackField, 'invalid');
  if (issue.code === 'unrecognized_keys') return new CameraInputError(issue.keys[0] ?? fallbackField, 'unknown field');
  const key = issue.path[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackField;
  const value = input[typeof key === 'string' ? key : fallbackField];
  if (value === undefined) return new CameraInputError(field, 'required');
  // "x" or 1.5 fail the schema's integer check with zod's generic text; say what is allowed instead.
  if (NUMERIC_FIELDS.has(field) && issue.code !== 'custom') return new CameraInputError(field, allowedValues(field as RecordField));
  return new CameraInputError(field, issue.message);
}

function allowedValues(field: RecordField): string {
  const probe = cameraRecordShape[field].safeParse(-1);
  return probe.success ? 'invalid' : (probe.error.issues[0]?.message ?? 'invalid');
}

const accessSchema = z.strictObject(cameraAccessShape);

/** Validates a complete camera; throws CameraInputError naming the first bad field. */
export function validateDraft(parts: InputParts): CameraDraft {
  const idResult = cameraIdSchema.safeParse(parts.id);
  if (!idResult.success) throw firstIssue(idResult.error, { id: parts.id }, 'id');
  for (const field of NUMERIC_FIELDS) {
    const v = parts.record[field];
    // z.coerce would turn '', null or true into a valid-looking 0 or 1.
    if (v === '' || v === null) throw new CameraInputError(field, 'required');
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') {
      throw new CameraInputError(field, 'must be a number');
    }
  }
  const record = cameraRecordSchema.safeParse(parts.record);
  if (!record.success) throw firstIssue(record.error, parts.record, 'record');
  const accessIn = Object.fromEntries(Object.entries(parts.access).filter(([, v]) => v !== '' && v !== null));
  const access = accessSchema.safeParse(accessIn);
  if (!access.success) throw firstIssue(access.error, accessIn, 'access');
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
