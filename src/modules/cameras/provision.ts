// Cameras declared in the config's [[cameras]] are applied at every daemon start. This must
// be idempotent: a restart with the same config changes nothing and sends nothing.
import type { CameraConfig } from '../../config/schema/cameras.js';
import type { StoredCamera } from '../../store/cameras.js';
import { CameraInputError, sameCamera, splitInput, validateDraft, type CameraDraft, type CameraPlan } from './input.js';

export interface OrphanCamera {
  id: string;
  cameraNum: string;
  cameraName: string;
}

export interface ProvisionResult {
  added: string[];
  updated: string[];
  unchanged: number;
  /** Entries whose pinned cameraNum replaced the stored one; the old registration is left at the province. */
  renumbered: Array<{ id: string; from: string; to: string }>;
  /** Provisioned from the config earlier but no longer in it; kept, for the daemon to log. */
  orphans: OrphanCamera[];
}

export interface ProvisionDeps {
  stored: readonly StoredCamera[];
  newNum: () => string;
  /** Throws CameraInputError when the draft's id or cameraNum belongs to another stored camera. */
  check: (draft: CameraDraft, existing: StoredCamera | undefined) => void;
}

/** Validates every entry first (a config error stores nothing), then says what to write. */
export function planProvisioning(
  entries: readonly CameraConfig[],
  deps: ProvisionDeps,
): { plans: CameraPlan[]; result: ProvisionResult } {
  const byId = new Map(deps.stored.map((c) => [c.id, c]));
  const result: ProvisionResult = { added: [], updated: [], unchanged: 0, renumbered: [], orphans: [] };
  const plans: CameraPlan[] = [];
  const indexOfId = new Map<string, number>();
  const indexOfNum = new Map<string, number>();
  entries.forEach((entry, i) => {
    try {
      const existing = byId.get(entry.id);
      const parts = splitInput(entry);
      // A pinned cameraNum wins; otherwise keep the stored one; generate only for a new id.
      parts.record['cameraNum'] ??= existing?.record.cameraNum ?? deps.newNum();
      const draft = validateDraft(parts);
      deps.check(draft, existing);
      const { id, record } = draft;
      const idAt = indexOfId.get(id);
      if (idAt !== undefined) throw new CameraInputError('id', `duplicates cameras.${idAt}.id`);
      const numAt = indexOfNum.get(record.cameraNum);
      if (numAt !== undefined) throw new CameraInputError('cameraNum', `duplicates cameras.${numAt}.cameraNum`);
      indexOfId.set(id, i);
      indexOfNum.set(record.cameraNum, i);

      if (!existing) {
        plans.push({ kind: 'add', draft, source: 'config' });
        result.added.push(id);
      } else if (sameCamera(draft, existing) && existing.source === 'config') {
        result.unchanged++;
      } else {
        // A camera first added by hand and then written into the config is adopted, so that
        // it is reported as an orphan if it later leaves the config.
        plans.push({ kind: 'update', draft, source: 'config', existing });
        result.updated.push(id);
        if (existing.record.cameraNum !== record.cameraNum) {
          result.renumbered.push({ id, from: existing.record.cameraNum, to: record.cameraNum });
        }
      }
    } catch (err) {
      if (err instanceof CameraInputError) throw err.under(`cameras.${i}.`);
      throw err;
    }
  });
  // Orphans are NOT deleted: removing a camera at the province because a line vanished from
  // a config file (a bad merge, a truncated copy) would take it off the provincial video
  // wall. Deleting is an explicit act: `vcgw cameras rm`.
  result.orphans = deps.stored
    .filter((c) => c.source === 'config' && !indexOfId.has(c.id))
    .map((c) => ({ id: c.id, cameraNum: c.record.cameraNum, cameraName: c.record.cameraName }));
  return { plans, result };
}
