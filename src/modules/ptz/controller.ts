// PTZ from either side, with road-section priority and an audit log (CONTRACT §4, seed §6.3).
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../log.js';
import { CODE } from '../../protocols/province/messages.js';
import { PTZ_LOG_CODES, type PtzAction } from '../../domain/ptz.js';
import { beijingDateTime } from '../../protocols/province/reports.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { PtzHold, PtzHoldStore } from '../../store/ptzHolds.js';
import type { PtzLogStore } from '../../store/ptzLog.js';

export type PresetOp = 'set' | 'call' | 'delete';

export interface PtzDriver {
  /** Resolves once the camera accepted the command (a pulse's Stop may still be pending). */
  move(camera: StoredCamera, action: PtzAction, step: number): Promise<void>;
  /** Preset 1–255 set / call / delete, where the driver supports presets. */
  preset?(camera: StoredCamera, op: PresetOp, id: number): Promise<void>;
}

/**
 * Preset operations are not among CONTRACT §4's twelve actions (the province has none); they are
 * logged under these action codes, with the preset number as the step.
 */
export const PRESET_LOG_ACTIONS: Record<PresetOp, number> = { set: 101, call: 102, delete: 103 };

/** The PTZ log's action column as words. */
export function ptzActionLabel(action: number): string {
  const op = (Object.keys(PRESET_LOG_ACTIONS) as PresetOp[]).find((k) => PRESET_LOG_ACTIONS[k] === action);
  if (op) return `preset-${op}`;
  return (Object.keys(PTZ_LOG_CODES) as PtzAction[]).find((a) => PTZ_LOG_CODES[a] === action) ?? String(action);
}

/**
 * A driver's answer when the camera lacks what the action needs (no PTZ service, no imaging, no lamp). CONTRACT §5 lists
 * "PTZ refused" under 403, the same answer as hasControl=0; 400 would blame the request and 500 the gateway.
 */
export class PtzUnsupportedError extends Error {
  override readonly name = 'PtzUnsupportedError';
}

/** An upper GB/T 28181 platform (cascade) ranks with the province: below local operators. */
export type PtzActor = { kind: 'province' } | { kind: 'upper'; platform: string } | { kind: 'local'; user: string };

export interface PtzOutcome {
  code: 200 | 400 | 403 | 404 | 500;
  msg: string;
}

export interface PtzServiceOptions {
  cameras: Pick<CameraStore, 'byNum'>;
  ptzLog: PtzLogStore;
  holds: PtzHoldStore;
  log: Logger;
  /** The driver that moves this camera (ONVIF, GB/T 28181 …), or none yet. */
  driverFor?: (camera: StoredCamera) => PtzDriver | undefined;
  /** How long a local command keeps the province out (§6.3 road-section priority). */
  holdMs?: number;
  /** A hung camera must not hang the province's HTTP call. */
  driverTimeoutMs?: number;
  now?: () => number;
}

export const DEFAULT_PTZ_HOLD_MS = 60_000;
export const DEFAULT_DRIVER_TIMEOUT_MS = 5_000;


const actorName = (actor: PtzActor) => (actor.kind === 'province' ? 'province' : actor.kind === 'upper' ? `upper:${actor.platform}` : `local:${actor.user}`);

export class PtzService {
  private readonly now: () => number;
  private readonly holdMs: number;
  private readonly driverTimeoutMs: number;
  private readonly driverFor: (camera: StoredCamera) => PtzDriver | undefined;

  constructor(private readonly opts: PtzServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.holdMs = opts.holdMs ?? DEFAULT_PTZ_HOLD_MS;
    this.driverTimeoutMs = opts.driverTimeoutMs ?? DEFAULT_DRIVER_TIMEOUT_MS;
    this.driverFor = opts.driverFor ?? (() => undefined);
  }

  /** The local hold on a camera, if one is active. */
  holdOf(cameraNum: string): PtzHold | undefined {
    return this.opts.holds.active(cameraNum, this.now());
  }

  /** Moves the camera; every attempt, refused or not, lands in the PTZ log. */
  async control(actor: PtzActor, cameraNum: string, action: PtzAction, step: number): Promise<PtzOutcome> {
    const known = Object.hasOwn(PTZ_LOG_CODES, action);
    return this.logged(actor, cameraNum, known ? PTZ_LOG_CODES[action] : 0, step, () =>
      // A caller past the type system (a parsed message) must not move anything with an unknown action.
      known ? this.attempt(actor, cameraNum, action, step) : Promise.resolve({ code: CODE.badRequest, msg: 'action: must be 1–12' }),
    );
  }

  /** A preset operation, with the same priority rule and log as a move. */
  async preset(actor: PtzActor, cameraNum: string, op: PresetOp, id: number): Promise<PtzOutcome> {
    return this.logged(actor, cameraNum, PRESET_LOG_ACTIONS[op], id, async () => {
      if (!Number.isInteger(id) || id < 1 || id > 255) return { code: CODE.badRequest, msg: 'preset: must be 1–255' };
      return this.drive(actor, cameraNum, (driver, camera) => {
        if (!driver.preset) throw new PtzUnsupportedError('presets are not supported for this camera (only GB/T 28181 cameras)');
        return driver.preset(camera, op, id);
      });
    });
  }

  private async logged(actor: PtzActor, cameraNum: string, action: number, step: number, attempt: () => Promise<PtzOutcome>): Promise<PtzOutcome> {
    const at = this.now();
    const started = performance.now();
    const outcome = await attempt();
    const latencyMs = performance.now() - started;
    const who = actorName(actor);
    this.opts.ptzLog.append({ at, cameraNum, actor: who, action, step, code: outcome.code, message: outcome.msg, latencyMs });
    this.opts.log[outcome.code === CODE.ok ? 'info' : 'warn'](
      { cameraNum, actor: who, action, step, code: outcome.code, latencyMs: Math.round(latencyMs) },
      outcome.msg,
    );
    return outcome;
  }

  private async attempt(actor: PtzActor, cameraNum: string, move: PtzAction, step: number): Promise<PtzOutcome> {
    if (!Number.isInteger(step) || step < 1 || step > 8) return { code: CODE.badRequest, msg: 'step: must be 1–8' };
    return this.drive(actor, cameraNum, (driver, camera) => driver.move(camera, move, step));
  }

  /** The priority rule, then the camera's driver doing `work` (bounded). */
  private async drive(actor: PtzActor, cameraNum: string, work: (driver: PtzDriver, camera: StoredCamera) => Promise<void>): Promise<PtzOutcome> {
    const camera = this.opts.cameras.byNum(cameraNum);
    if (!camera) return { code: CODE.notFound, msg: '摄像机不存在: unknown cameraNum' };
    if (actor.kind !== 'local') {
      // hasControl is what the section declared to the province; local operators are not bound by it.
      if (camera.record.hasControl === 0) {
        return { code: CODE.forbidden, msg: 'PTZ not allowed for this camera (hasControl=0)' };
      }
      const hold = this.holdOf(cameraNum);
      if (hold) {
        return {
          code: CODE.forbidden,
          msg: `${camera.record.cameraName} is held by local operator ${hold.user} until ${beijingDateTime(hold.until)} (Beijing time)`,
        };
      }
    } else {
      this.opts.holds.set(cameraNum, { user: actor.user, until: this.now() + this.holdMs });
    }
    const driver = this.driverFor(camera);
    if (!driver) return { code: CODE.serverError, msg: 'no PTZ driver for this camera: it has no ONVIF address (onvifUrl)' };
    try {
      await this.withTimeout(work(driver, camera));
    } catch (e) {
      if (e instanceof PtzUnsupportedError) return { code: CODE.forbidden, msg: `PTZ refused: ${e.message}` };
      return { code: CODE.serverError, msg: `PTZ failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    return { code: CODE.ok, msg: '成功' };
  }

  private withTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`camera did not answer within ${this.driverTimeoutMs} ms`)), this.driverTimeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
