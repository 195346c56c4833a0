// `vcgw ptz CAMERA ACTION` (local control, which outranks the province for ptz.hold_s) and
// `vcgw ptz log` (every PTZ attempt from either side, CONTRACT §4 / seed §6.3).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { silentLogger } from '../log.js';
import { PtzService } from '../modules/ptz/controller.js';
import { OnvifPtzDriver } from '../modules/ptz/onvifDriver.js';
import { PTZ_ACTIONS } from '../protocols/province/messages.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { PtzHoldStore } from '../store/ptzHolds.js';
import { PtzLogStore } from '../store/ptzLog.js';
import { CliError, println, table, type CliContext } from './context.js';

const ACTION_NAMES = Object.entries(PTZ_ACTIONS).map(([code, name]) => `${code} ${name}`).join(', ');

/** 1–12 or a name such as zoom-tele. */
export function parseAction(value: string): number {
  const byName = Object.entries(PTZ_ACTIONS).find(([, name]) => name === value.toLowerCase());
  const n = byName ? Number(byName[0]) : Number(value);
  if (!Number.isInteger(n) || !Object.hasOwn(PTZ_ACTIONS, n)) throw new CliError(`ACTION: expected one of ${ACTION_NAMES}; got ${value}`, 2);
  return n;
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

export function registerPtzCommand(program: Command, ctx: CliContext): void {
  const ptz = program.command('ptz').description('move a camera locally (outranks the province) or read the PTZ log');

  ptz
    .command('move <camera> <action>', { isDefault: true })
    .description(`move CAMERA (id or cameraNum); ACTION: ${ACTION_NAMES}`)
    .option('--step <n>', 'speed / amount 1–8', '4')
    .option('--user <name>', 'who is operating (logged, shown to the province while the hold lasts)')
    .addHelpText(
      'after',
      '\nONVIF cameras: pan/tilt/zoom/focus move at step/8 of full speed for ptz.pulse_ms, then stop; iris switches\n' +
        'the camera to manual exposure, step dB at a time; light uses the tt:Light (else tt:IRLamp) auxiliary command.\n' +
        '\nExamples:\n  vcgw ptz K1844+158-up left --step 3\n  vcgw ptz K1844+158-up zoom-tele',
    )
    .action(async (camera: string, action: string, opts: { step: string; user?: string }) => {
      const code = parseAction(action);
      const step = intOption('--step', opts.step, 1, 8);
      const user = opts.user ?? process.env['SUDO_USER'] ?? os.userInfo().username;
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const cameras = new CameraStore(db);
        const cam = cameras.find(camera);
        if (!cam) throw new CliError(`CAMERA: no camera ${camera} (see vcgw cameras list)`, 2);
        const driver = new OnvifPtzDriver({ pulseMs: config.ptz.pulse_ms });
        const service = new PtzService({
          cameras,
          ptzLog: new PtzLogStore(db),
          holds: new PtzHoldStore(db),
          holdMs: config.ptz.hold_s * 1000,
          driverFor: driver.driverFor,
          log: silentLogger(),
        });
        const started = performance.now();
        const outcome = await service.control({ kind: 'local', user }, cam.record.cameraNum, code, step);
        const ms = Math.round(performance.now() - started);
        // The process must not exit before the pulse's Stop, or the camera turns until its own timeout.
        await driver.settled(cam);
        const hold = service.holdOf(cam.record.cameraNum);
        println(ctx.stdout, `${cam.id} ${PTZ_ACTIONS[code as keyof typeof PTZ_ACTIONS]} step ${step}: ${outcome.code} ${outcome.msg} (${ms} ms)`);
        if (hold) println(ctx.stdout, `province PTZ on this camera refused until ${beijingDateTime(hold.until)} (Beijing time)`);
        if (outcome.code !== 200) throw new CliError(outcome.msg);
      } finally {
        db.close();
      }
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
              action: PTZ_ACTIONS[r.action as keyof typeof PTZ_ACTIONS] ?? r.action,
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
