// `vcgw ptz CAMERA ACTION` (local control, which outranks the province for ptz.hold_s) and
// `vcgw ptz log` (every PTZ attempt from either side, CONTRACT §4 / seed §6.3).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { silentLogger } from '../log.js';
import type { PtzAction } from '../domain/ptz.js';
import { DEFAULT_DRIVER_TIMEOUT_MS, PtzService, ptzActionLabel, type PresetOp, type PtzActor, type PtzOutcome } from '../modules/ptz/controller.js';
import { hasGb } from '../modules/ptz/gbDriver.js';
import { GbViaDaemonPtzDriver, type DaemonWait } from '../modules/ptz/gbViaDaemon.js';
import { OnvifPtzDriver } from '../modules/ptz/onvifDriver.js';
import type { Preset } from '../protocols/gb28181/index.js';
import { PTZ_ACTIONS } from '../protocols/province/messages.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore, type StoredCamera } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { GbStore } from '../store/gb.js';
import { PtzHoldStore } from '../store/ptzHolds.js';
import { PtzLogStore } from '../store/ptzLog.js';
import { CliError, println, table, type CliContext } from './context.js';

/** Once the daemon took a GB command: its DeviceControl exchange with the device (SIP retransmits included). */
const GB_ANSWER_MS = 8000;

const ACTION_NAMES = Object.entries(PTZ_ACTIONS).map(([code, name]) => `${code} ${name}`).join(', ');

/** 1–12 or a name such as zoom-tele. */
export function parseAction(value: string): PtzAction {
  const byName = Object.entries(PTZ_ACTIONS).find(([, name]) => name === value.toLowerCase());
  const n = byName ? Number(byName[0]) : Number(value);
  if (!Number.isInteger(n) || !Object.hasOwn(PTZ_ACTIONS, n)) throw new CliError(`ACTION: expected one of ${ACTION_NAMES}; got ${value}`, 2);
  return PTZ_ACTIONS[n as keyof typeof PTZ_ACTIONS];
}

/** An ISO date/time, or an age such as 30m, 12h, 7d. */
export function parseSince(value: string, now = Date.now()): number {
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CliError(`--since: expected an ISO date/time or an age like 12h or 7d, got ${value}`, 2);
  return at;
}

function intOption(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag}: expected a whole number ${min}–${max}, got ${value}`, 2);
  return n;
}

function daemonWait(timeout: string): DaemonWait {
  const s = Number(timeout);
  if (!(s > 0 && s <= 60)) throw new CliError(`--timeout: expected seconds 0–60, got ${timeout}`, 2);
  return { takeWithinMs: s * 1000, answerWithinMs: GB_ANSWER_MS };
}

const localActor = (user: string | undefined): PtzActor => ({ kind: 'local', user: user ?? process.env['SUDO_USER'] ?? os.userInfo().username });

interface PtzRig {
  service: PtzService;
  cam: StoredCamera;
  onvif: OnvifPtzDriver;
  gb: GbViaDaemonPtzDriver;
}

/** A PtzService over the database the daemon shares: ONVIF cameras driven from here, GB cameras through the daemon. */
async function withPtz(ctx: CliContext, camera: string, wait: DaemonWait, fn: (rig: PtzRig) => Promise<void>): Promise<void> {
  const config = ctx.loadConfig();
  const db = openDb(config.gateway.data_dir);
  try {
    const cameras = new CameraStore(db);
    const cam = cameras.find(camera);
    if (!cam) throw new CliError(`CAMERA: no camera ${camera} (see vcgw cameras list)`, 2);
    const onvif = new OnvifPtzDriver({ pulseMs: config.ptz.pulse_ms });
    const gb = new GbViaDaemonPtzDriver(new GbStore(db), wait);
    const service = new PtzService({
      cameras,
      ptzLog: new PtzLogStore(db),
      holds: new PtzHoldStore(db),
      holdMs: config.ptz.hold_s * 1000,
      driverFor: (c) => gb.driverFor(c) ?? onvif.driverFor(c),
      driverTimeoutMs: Math.max(DEFAULT_DRIVER_TIMEOUT_MS, gb.boundMs + 1000),
      log: silentLogger(),
    });
    await fn({ service, cam, onvif, gb });
  } finally {
    db.close();
  }
}

function report(ctx: CliContext, service: PtzService, cam: StoredCamera, what: string, outcome: PtzOutcome, ms: number): void {
  const hold = service.holdOf(cam.record.cameraNum);
  println(ctx.stdout, `${cam.id} ${what}: ${outcome.code} ${outcome.msg} (${ms} ms)`);
  if (hold) println(ctx.stdout, `province PTZ on this camera refused until ${beijingDateTime(hold.until)} (Beijing time)`);
  if (outcome.code !== 200) throw new CliError(outcome.msg);
}

export function registerPtzCommand(program: Command, ctx: CliContext): void {
  const ptz = program.command('ptz').description('move a camera locally (outranks the province) or read the PTZ log');

  ptz
    .command('move <camera> <action>', { isDefault: true })
    .description(`move CAMERA (id or cameraNum); ACTION: ${ACTION_NAMES}`)
    .option('--step <n>', 'speed / amount 1–8', '4')
    .option('--user <name>', 'who is operating (logged, shown to the province while the hold lasts)')
    .option('--timeout <s>', 'GB/T 28181 cameras: how long the daemon has to take the command', '3')
    .addHelpText(
      'after',
      '\nGB/T 28181 cameras are moved by the running daemon (it holds their SIP registration): the command\n' +
        'is withdrawn, never carried out late, if the daemon does not take it within --timeout.\n' +
        '\nONVIF cameras: pan/tilt/zoom/focus move at step/8 of full speed for ptz.pulse_ms, then stop; iris switches\n' +
        'the camera to manual exposure, step dB at a time; light uses the tt:Light (else tt:IRLamp) auxiliary command.\n' +
        '\nExamples:\n  vcgw ptz K1844+158-up left --step 3\n  vcgw ptz K1844+158-up zoom-tele',
    )
    .action(async (camera: string, action: string, opts: { step: string; user?: string; timeout: string }) => {
      const move = parseAction(action);
      const step = intOption('--step', opts.step, 1, 8);
      const wait = daemonWait(opts.timeout);
      await withPtz(ctx, camera, wait, async ({ service, cam, onvif }) => {
        const started = performance.now();
        const outcome = await service.control(localActor(opts.user), cam.record.cameraNum, move, step);
        const ms = Math.round(performance.now() - started);
        // The process must not exit before the pulse's Stop, or the camera turns until its own timeout
        // (a GB camera's Stop is the daemon's to send).
        await onvif.settled(cam);
        report(ctx, service, cam, `${move} step ${step}`, outcome, ms);
      });
    });

  ptz
    .command('preset <camera> <op> [number]')
    .description('GB/T 28181 cameras: OP list (PresetQuery), or call / set / delete preset NUMBER 1–255 (PTZCmd 0x82 / 0x81 / 0x83)')
    .option('--user <name>', 'who is operating (logged, shown to the province while the hold lasts)')
    .option('--timeout <s>', 'how long the daemon has to take the command', '3')
    .option('--json', 'machine-readable output (list)')
    .addHelpText('after', '\nExamples:\n  vcgw ptz preset K1844+158-up list\n  vcgw ptz preset K1844+158-up call 2')
    .action(async (camera: string, op: string, number: string | undefined, opts: { user?: string; timeout: string; json?: boolean }) => {
      if (!['list', 'call', 'set', 'delete'].includes(op)) throw new CliError(`OP: expected list, call, set or delete, got ${op}`, 2);
      const wait = daemonWait(opts.timeout);
      await withPtz(ctx, camera, wait, async ({ service, cam, gb }) => {
        if (!hasGb(cam)) throw new CliError(`CAMERA: ${cam.id} is not a GB/T 28181 camera; presets are built for GB cameras only`, 2);
        if (op === 'list') {
          let presets: Preset[];
          try {
            presets = await gb.presets(cam);
          } catch (err) {
            throw new CliError(`preset list of ${cam.id}: ${(err as Error).message}`, 1);
          }
          if (opts.json) return println(ctx.stdout, JSON.stringify(presets, null, 2));
          if (presets.length === 0) return println(ctx.stdout, `${cam.id}: the camera lists no presets`);
          return println(ctx.stdout, table(presets.map((p) => ({ preset: p.id, name: p.name ?? '' })), ['preset', 'name']));
        }
        if (number === undefined) throw new CliError(`NUMBER: required for ${op} (1–255)`, 2);
        const id = intOption('NUMBER', number, 1, 255);
        const started = performance.now();
        const outcome = await service.preset(localActor(opts.user), cam.record.cameraNum, op as PresetOp, id);
        report(ctx, service, cam, `preset ${op} ${id}`, outcome, Math.round(performance.now() - started));
      });
    });

  ptz
    .command('log')
    .description('PTZ operations from either side, newest first')
    .option('--camera <camera>', 'only this camera (id or cameraNum)')
    .option('--since <when>', 'ISO date/time or an age like 12h, 7d')
    .option('--limit <n>', 'rows to show', '100')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  vcgw ptz log --since 24h\n  vcgw ptz log --camera K1844+158-up --json')
    .action((opts: { camera?: string; since?: string; limit: string; json?: boolean }) => {
      const limit = intOption('--limit', opts.limit, 1, 100000);
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const cameras = new CameraStore(db);
        const cam = opts.camera === undefined ? undefined : cameras.find(opts.camera);
        if (opts.camera !== undefined && !cam) throw new CliError(`--camera: no camera ${opts.camera}`, 2);
        const rows = new PtzLogStore(db).query({ cameraNum: cam?.record.cameraNum, since, limit });
        if (opts.json) return println(ctx.stdout, JSON.stringify(rows, null, 2));
        println(
          ctx.stdout,
          table(
            rows.map((r) => ({
              time: beijingDateTime(r.at),
              camera: cameras.byNum(r.cameraNum)?.id ?? r.cameraNum,
              who: r.actor,
              action: ptzActionLabel(r.action),
              step: r.step,
              result: `${r.code} ${r.message}`,
              ms: r.latencyMs,
            })),
            ['time', 'camera', 'who', 'action', 'step', 'result', 'ms'],
          ),
        );
      } finally {
        db.close();
      }
    });
}
