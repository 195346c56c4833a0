// The camera registry: every change is validated, stored and queued for the province in one
// transaction, so a camera row never exists without its pending sync (and vice versa).
import { randomUUID } from 'node:crypto';
import type { CameraConfig } from '../../config/schema/cameras.js';
import type { Db } from '../../store/db.js';
import { CameraQualityReferenceStore } from '../../store/cameraQualityReference.js';
import { CameraStore, type StoredCamera } from '../../store/cameras.js';
import type { CameraOrigin } from '../../domain/camera.js';
import { OutboxStore } from '../../store/outbox.js';
import { camerasToCsv, parseCameraCsv } from './csv.js';
import {
  CameraInputError,
  CameraNotFoundError,
  mergeAccess,
  sameCamera,
  splitInput,
  validateDraft,
  type CameraDraft,
  type CameraPlan,
  type CameraInput,
} from './input.js';
import { planProvisioning, type ProvisionResult } from './provision.js';
import { completeGbAccess } from '../gb28181/pairing.js';

export interface CameraServiceDeps {
  /** The database both stores live in; needed for transactions spanning them. */
  db: Db;
  cameras?: CameraStore;
  outbox?: OutboxStore;
  now?: () => number;
}

export interface ChangeResult {
  camera: StoredCamera;
  /** False when the input equalled the stored camera: nothing was stored or queued. */
  changed: boolean;
}

export interface ImportResult {
  added: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export class CameraService {
  readonly db: Db;
  readonly cameras: CameraStore;
  readonly outbox: OutboxStore;
  private readonly qualityReference: CameraQualityReferenceStore;
  private readonly now: () => number;

  constructor(deps: CameraServiceDeps) {
    this.db = deps.db;
    this.cameras = deps.cameras ?? new CameraStore(deps.db);
    this.outbox = deps.outbox ?? new OutboxStore(deps.db);
    this.qualityReference = new CameraQualityReferenceStore(deps.db);
    this.now = deps.now ?? Date.now;
  }

  list(): StoredCamera[] {
    return this.cameras.all();
  }

  get(idOrNum: string): StoredCamera {
    const cam = this.cameras.find(idOrNum.trim());
    if (!cam) throw new CameraNotFoundError(idOrNum);
    return cam;
  }

  add(input: CameraInput, source: CameraOrigin = 'cli'): StoredCamera {
    return this.write(() => this.apply(this.planAdd(input, source)));
  }

  /** Merges `changes` into the camera; an edit of a rejected camera queues it again even if nothing changed. */
  edit(idOrNum: string, changes: CameraInput): ChangeResult {
    return this.write(() => {
      const plan = this.planEdit(this.get(idOrNum), changes);
      return { camera: this.apply(plan), changed: plan.kind !== 'unchanged' };
    });
  }

  remove(idOrNum: string): StoredCamera {
    return this.write(() => {
      const cam = this.get(idOrNum);
      this.cameras.remove(cam.id);
      this.qualityReference.reset(cam.record.cameraNum);
      this.enqueueDelete(cam.record.cameraNum);
      return cam;
    });
  }

  /** All rows are validated before anything is stored; one bad row stores nothing. */
  importCsv(text: string, source: CameraOrigin = 'import', options: { dryRun?: boolean } = {}): ImportResult {
    return this.write(() => this.importRows(text, source, options.dryRun ?? false));
  }

  exportCsv(options: { includeSecrets?: boolean; bom?: boolean } = {}): string {
    return camerasToCsv(this.cameras.all(), options);
  }

  /** Applies the config's [[cameras]] at daemon start; see provision.ts for the rules. */
  provisionFromConfig(entries: readonly CameraConfig[]): ProvisionResult {
    return this.write(() => {
      const { plans, result } = planProvisioning(entries, {
        stored: this.cameras.all(),
        newNum: randomUUID,
        check: (draft, existing) => this.checkUnique(draft, existing),
      });
      plans.forEach((p) => this.apply(p));
      return result;
    });
  }

  /** Queues an upsert of every camera (at daemon start); returns how many. */
  fullSync(): number {
    return this.write(() => {
      const all = this.cameras.all();
      for (const cam of all) this.enqueueUpsert(cam.record.cameraNum);
      return all.length;
    });
  }

  /**
   * Plans are made inside the write transaction: IMMEDIATE takes the write lock first, so a
   * CLI edit and the running daemon never merge into a stale camera. A throw rolls back.
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private importRows(text: string, source: CameraOrigin, dryRun: boolean): ImportResult {
    const plans: CameraPlan[] = [];
    const rowOfId = new Map<string, number>();
    const rowOfNum = new Map<string, number>();
    for (const { row, input } of parseCameraCsv(text)) {
      let plan: CameraPlan;
      try {
        const existing = this.cameras.byId(String(input['id'] ?? '').trim());
        plan = existing ? this.planEdit(existing, input) : this.planAdd(input, source);
      } catch (err) {
        throw err instanceof CameraInputError ? err.atRow(row) : err;
      }
      const { id, record } = plan.draft;
      const idRow = rowOfId.get(id);
      if (idRow !== undefined) throw new CameraInputError('id', `"${id}" already appears in row ${idRow}`, row);
      const numRow = rowOfNum.get(record.cameraNum);
      if (numRow !== undefined) throw new CameraInputError('cameraNum', `already appears in row ${numRow}`, row);
      rowOfId.set(id, row);
      rowOfNum.set(record.cameraNum, row);
      plans.push(plan);
    }
    const count = (kind: CameraPlan['kind']) => plans.filter((p) => p.kind === kind).length;
    if (!dryRun) plans.forEach((p) => this.apply(p));
    return { added: count('add'), updated: count('update'), unchanged: count('unchanged'), dryRun };
  }

  private planAdd(input: CameraInput, source: CameraOrigin): CameraPlan {
    const parts = splitInput(input);
    // Pinning an existing registration is allowed (a camera moved from another gateway, a
    // restored export); otherwise the number is generated here, once.
    parts.record['cameraNum'] ??= randomUUID();
    const draft = this.withGb(validateDraft(parts));
    this.checkUnique(draft);
    return { kind: 'add', draft, source };
  }

  private planEdit(existing: StoredCamera, changes: CameraInput): CameraPlan {
    const parts = splitInput(changes);
    const num = parts.record['cameraNum'];
    if (num !== undefined && num !== existing.record.cameraNum) {
      throw new CameraInputError('cameraNum', `cannot be changed (the province knows this camera as ${existing.record.cameraNum})`);
    }
    const draft = this.withGb(
      validateDraft({
        id: parts.id ?? existing.id,
        record: { ...existing.record, ...parts.record },
        access: mergeAccess(existing.access, parts.access),
      }),
    );
    this.checkUnique(draft, existing);
    const same = sameCamera(draft, existing) && existing.syncState !== 'rejected';
    return { kind: same ? 'unchanged' : 'update', draft, source: existing.source, existing };
  }

  private withGb(draft: CameraDraft): CameraDraft {
    return { ...draft, access: completeGbAccess(this.db, draft.access) };
  }

  private checkUnique(draft: CameraDraft, existing?: StoredCamera): void {
    const byId = this.cameras.byId(draft.id);
    if (byId && byId.id !== existing?.id) {
      throw new CameraInputError('id', `"${draft.id}" is already used by camera ${byId.record.cameraNum}`);
    }
    const byNum = this.cameras.byNum(draft.record.cameraNum);
    if (byNum && byNum.id !== existing?.id) {
      throw new CameraInputError('cameraNum', `${draft.record.cameraNum} is already used by camera "${byNum.id}"`);
    }
  }

  /** Writes one plan and its outbox row; callers run it inside write(). */
  private apply(plan: CameraPlan): StoredCamera {
    const { draft, existing } = plan;
    if (plan.kind === 'unchanged' && existing) return existing;
    const now = this.now();
    if (existing && existing.id !== draft.id) this.cameras.remove(existing.id);
    // An edited camera may look elsewhere or be another device: its picture is learned again.
    if (existing) this.qualityReference.reset(existing.record.cameraNum);
    this.cameras.put({ ...draft, source: plan.source }, now);
    this.enqueueUpsert(draft.record.cameraNum, now);
    const stored = this.cameras.byId(draft.id);
    if (!stored) throw new Error(`camera ${draft.id} vanished while being stored`);
    return stored;
  }

  // The outbox dispatcher reads these exact shapes: it builds the record from the store at
  // send time, so the payload carries only the number.
  private enqueueUpsert(cameraNum: string, now = this.now()): void {
    this.outbox.enqueue('camera.upsert', { cameraNum }, `camera.upsert:${cameraNum}`, now);
  }

  private enqueueDelete(cameraNum: string, now = this.now()): void {
    this.outbox.enqueue('camera.delete', { cameraNum }, `camera.delete:${cameraNum}`, now);
  }
}

export { CameraInputError, CameraNotFoundError } from './input.js';
export type { CameraInput } from './input.js';
