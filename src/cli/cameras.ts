// `vcgw cameras …`: the technician's view of the camera registry. Changes go to the database
// the daemon uses; the daemon's outbox sends them to the province (it may be running now).
import fs from 'node:fs';
import readline from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { cameraAccessShape } from '../config/schema/cameras.js';
import { CameraInputError, CameraNotFoundError, SECRET_FIELDS } from '../modules/cameras/input.js';
import { CameraService } from '../modules/cameras/service.js';
import { cameraRecordShape } from '../protocols/province/messages.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraClockStore } from '../store/cameraClock.js';
import type { StoredCamera } from '../store/cameras.js';
import { CameraOnvifStore, type OnvifFacts } from '../store/cameraOnvif.js';
import { mediaView } from './cameraMedia.js';
import { overlayView, overlayWarning } from './cameraOverlay.js';
import { openDb } from '../store/db.js';
import { onvifErrorText, OnvifUrlError, registerFromOnvif, type OnvifRegistration } from '../modules/cameras/onvifRegistration.js';
import { OnvifError } from '../protocols/onvif/index.js';
import { CliError, println, table, type CliContext, type RegisterCommand } from './context.js';

const QUEUED = 'queued for sync to the province';
const MASK = '********';

const describe = (field: string): string => {
  const shape: Record<string, { description?: string | undefined }> = { ...cameraRecordShape, ...cameraAccessShape };
  return shape[field]?.description ?? field;
};

/** [flags, field]: one option per camera field; the help text comes from the schemas. */
const FIELD_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['--id <id>', 'id'],
  ['--camera-num <uuid>', 'cameraNum'],
  ['--department <name>', 'department'],
  ['--camera-name <name>', 'cameraName'],
  ['--suffix <text>', 'cameraNameSuffix'],
  ['--long-and-lati <lng/lat>', 'longAndLati'],
  ['--road <code>', 'road'],
  ['--road-name <name>', 'roadName'],
  ['--road-sec <name>', 'roadSec'],
  ['--classify <n>', 'classify'],
  ['--poi-name <name>', 'poiName'],
  ['--orientation <n>', 'cameraOrientation'],
  ['--pile-num <pile>', 'pileNum'],
  ['--camera-type <n>', 'cameraType'],
  ['--has-control <0|1>', 'hasControl'],
  ['--area-code <code>', 'areaCode'],
  ['--push-type <1|2>', 'pushType'],
  ['--others <text>', 'others'],
  ['--ip <address>', 'ip'],
  ['--onvif-url <url>', 'onvifUrl'],
  ['--onvif-user <user>', 'onvifUser'],
  ['--onvif-password <password>', 'onvifPassword'],
  ['--rtsp-main <url>', 'rtspMain'],
  ['--rtsp-sub <url>', 'rtspSub'],
  ['--rtsp-third <url>', 'rtspThird'],
  ['--encoder <gateway|camera>', 'encoder'],
  ['--low-stream <main|sub|third>', 'lowStream'],
  ['--high-stream <main|sub|third>', 'highStream'],
  ['--gb-device-id <id>', 'gbDeviceId'],
  ['--gb-channel-id <id>', 'gbChannelId'],
  ['--gb-channel <id>', 'gbChannelId'],
  ['--gb-transport <udp|tcp-passive|tcp-active>', 'gbTransport'],
  ['--overlay-text <text>', 'overlayText'],
  ['--travel-direction <东行|西行|南行|北行>', 'travelDirection'],
  ['--destination <place>', 'destination'],
  ['--camera-index <n>', 'cameraIndex'],
  ['--interchange <true|false>', 'interchange'],
  ['--toll-layout <layout>', 'tollLayout'],
  ['--plaza-side <内|外>', 'plazaSide'],
  ['--entry-exit <入口|出口>', 'entryExit'],
  ['--annex <true|false>', 'annex'],
  ['--service-object <object>', 'serviceObject'],
  ['--reserved <text>', 'reserved'],
];

const FLAG_HELP: Record<string, string> = {
  id: 'Local short name, unique on this gateway, e.g. K1844+158-up',
  cameraNum: 'Pin an existing registration (a camera moved from another gateway); generated once when absent',
};
/** The short form the technician types after `vcgw gb channels`; its device comes from the catalogue. */
const GB_CHANNEL_HELP = 'GB/T 28181 channel id from `vcgw gb channels DEVICE` (the device is found from the catalogue; same as --gb-channel-id)';

interface FieldOption {
  option: Option;
  field: string;
}

const fieldOptions = (): FieldOption[] =>
  FIELD_FLAGS.map(([flags, field]) => ({
    option: new Option(flags, flags.startsWith('--gb-channel ') ? GB_CHANNEL_HELP : (FLAG_HELP[field] ?? describe(field))),
    field,
  }));

type Opts = Record<string, string | boolean | undefined>;

/** Gathers --json and the field flags into one input; flags win over --json. */
function readInput(opts: Opts, options: readonly FieldOption[]): { input: Record<string, unknown>; nameOf: (field: string) => string } {
  let input: Record<string, unknown> = {};
  const usedJson = typeof opts['json'] === 'string';
  if (typeof opts['json'] === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(opts['json']);
    } catch (err) {
      throw new CliError(`--json: not valid JSON: ${(err as Error).message}`, 2);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CliError('--json: must be an object of camera fields, e.g. {"pileNum":"K1844+158"}', 2);
    }
    input = { ...(parsed as Record<string, unknown>) };
  }
  const flagOf = new Map<string, string>();
  const fromFlags = new Set<string>();
  for (const { option, field } of options) {
    flagOf.set(field, option.long ?? field);
    const value = opts[option.attributeName()];
    if (typeof value === 'string') {
      input[field] = value;
      fromFlags.add(field);
    }
  }
  // Name what the technician typed: the flag, or the JSON key when --json carries the camera.
  const nameOf = (field: string) => (fromFlags.has(field) || !usedJson ? (flagOf.get(field) ?? field) : field);
  return { input, nameOf };
}

function cliError(err: unknown, nameOf: (field: string) => string = (f) => f): unknown {
  if (err instanceof CameraInputError) {
    const named = err.problems.map((p) => `${err.row === undefined ? nameOf(p.field) : p.field}: ${p.detail}`);
    return new CliError(`${err.row === undefined ? '' : `row ${err.row}, `}${named.join('; ')}`, 2);
  }
  if (err instanceof CameraNotFoundError) return new CliError(err.message, 1);
  return err;
}

async function withService<T>(
  ctx: CliContext,
  fn: (svc: CameraService) => T | Promise<T>,
  nameOf?: (field: string) => string,
): Promise<T> {
  const config = ctx.loadConfig();
  const db = openDb(config.gateway.data_dir);
  try {
    return await fn(new CameraService({ db }));
  } catch (err) {
    throw cliError(err, nameOf);
  } finally {
    db.close();
  }
}

const syncText = (c: StoredCamera): string => (c.syncState === 'rejected' ? `rejected: ${c.syncMsg ?? ''}` : c.syncState);
const pushText = (n: number): string => (n === 1 ? '1 constant' : '2 on demand');

function masked(cam: StoredCamera): Record<string, unknown> {
  const access: Record<string, unknown> = { ...cam.access };
  for (const f of SECRET_FIELDS) if (access[f] !== undefined) access[f] = MASK;
  return access;
}

const driftText = (ms: number): string => `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(1)} s`;

/** The daemon's last ONVIF clock sync of a camera, as text and as --json data. */
function clockOf(svc: CameraService, cam: StoredCamera): { text: string; json: Record<string, unknown> } {
  const c = new CameraClockStore(svc.db).get(cam.record.cameraNum);
  if (!c) {
    const why = cam.access.onvifUrl ? 'the running daemon syncs it within 30 s' : 'no ONVIF address';
    return { text: `never synced (${why})`, json: { state: 'never', syncedAt: null, driftMs: null, error: null, attemptedAt: null } };
  }
  const synced = c.syncedAt !== null && c.driftMs !== null ? `synced ${beijingDateTime(c.syncedAt)} (Beijing time), drift before ${driftText(c.driftMs)}` : undefined;
  const json = {
    state: c.error === null ? 'synced' : 'failed',
    syncedAt: c.syncedAt === null ? null : new Date(c.syncedAt).toISOString(),
    driftMs: c.driftMs,
    error: c.error,
    attemptedAt: new Date(c.attemptedAt).toISOString(),
  };
  if (c.error === null) return { text: synced ?? 'synced', json };
  const failed = `last attempt ${beijingDateTime(c.attemptedAt)} (Beijing time) failed: ${c.error}`;
  return { text: synced ? `${failed}; last ${synced}` : failed, json };
}

function warnConfigSource(ctx: CliContext, cam: StoredCamera, what: string): void {
  if (cam.source !== 'config') return;
  println(ctx.stderr, `note: camera "${cam.id}" comes from the [[cameras]] section of the config; ${what}`);
}

const example = (lines: string): string => `\nExample:\n${lines}\n`;

/** Cameras are often registered before their overlay facts are known: warn, never refuse. */
function warnOverlay(ctx: CliContext, cam: StoredCamera, nameOf: (field: string) => string): void {
  const w = overlayWarning(cam, ctx.loadConfig().overlay, nameOf);
  if (w) println(ctx.stderr, w);
}

/** `cameras add --onvif`: reads the device first, so a wrong password or address stores nothing. */
async function readOnvifForAdd(ctx: CliContext, opts: Opts, input: Record<string, unknown>): Promise<OnvifRegistration | undefined> {
  const url = opts['onvif'];
  if (typeof url !== 'string') {
    if (opts['user'] !== undefined || opts['password'] !== undefined) throw new CliError('--user / --password: only with --onvif (or use --onvif-user / --onvif-password)', 2);
    return undefined;
  }
  if (typeof opts['user'] !== 'string' || typeof opts['password'] !== 'string') throw new CliError('--onvif: give --user and --password too', 2);
  let reg: OnvifRegistration;
  try {
    reg = await registerFromOnvif({ url, user: opts['user'], password: opts['password'] }, input);
  } catch (err) {
    if (err instanceof OnvifUrlError) throw new CliError(`--onvif: ${err.message}`, 2);
    const field = err instanceof OnvifError && err.kind === 'auth' ? '--user / --password' : '--onvif';
    throw new CliError(`${field}: ${onvifErrorText(err)}`, 1);
  }
  for (const [k, v] of Object.entries(reg.defaults)) input[k] ??= v;
  for (const w of reg.warnings) println(ctx.stderr, `warning: ${w}`);
  return reg;
}

function onvifSummary(f: OnvifFacts): string {
  const streams = f.profiles
    .filter((p) => p.role)
    .map((p) => `  ${p.role!.padEnd(5)} ${p.encoding} ${p.width}x${p.height} ${p.fps} fps ${p.bitrateKbps} kb/s GOP ${p.gop}  ${p.streamUri ?? ''}`);
  return [`ONVIF: ${f.manufacturer} ${f.model} firmware ${f.firmware} serial ${f.serial}${f.mac ? ` MAC ${f.mac}` : ''}; PTZ ${f.ptz ? 'yes' : 'no'}`, ...streams].join('\n');
}

export const registerCamerasCommand: RegisterCommand = (program: Command, ctx: CliContext) => {
  const cameras = program
    .command('cameras')
    .description('Camera registry: what the province is told about each camera and how the gateway reaches it');

  cameras
    .command('list')
    .description('List cameras with their sync state at the province')
    .option('--json', 'machine-readable output')
    .addHelpText('after', example('  vcgw cameras list --json'))
    .action(async (opts: Opts) => {
      await withService(ctx, (svc) => {
        const all = svc.list();
        if (opts['json']) {
          const rows = all.map((c) => ({
            id: c.id,
            cameraNum: c.record.cameraNum,
            cameraName: c.record.cameraName,
            pileNum: c.record.pileNum,
            pushType: c.record.pushType,
            syncState: c.syncState,
            syncMsg: c.syncMsg,
          }));
          println(ctx.stdout, JSON.stringify(rows, null, 2));
          return;
        }
        if (all.length === 0) return println(ctx.stdout, 'no cameras (add one: vcgw cameras add --help)');
        const rows = all.map((c) => ({ ...c.record, id: c.id, pushType: pushText(c.record.pushType), sync: syncText(c) }));
        println(ctx.stdout, table(rows, ['id', 'cameraNum', 'cameraName', 'pileNum', 'pushType', 'sync']));
      });
    });

  cameras
    .command('show')
    .description('Show everything about one camera (passwords masked)')
    .argument('<id|cameraNum>', 'local id or cameraNum')
    .option('--json', 'machine-readable output')
    .addHelpText('after', example('  vcgw cameras show K1844+158-up'))
    .action(async (key: string, opts: Opts) => {
      await withService(ctx, (svc) => {
        const c = svc.get(key);
        const info = {
          id: c.id,
          source: c.source,
          syncState: c.syncState,
          syncMsg: c.syncMsg,
          createdAt: new Date(c.createdAt).toISOString(),
          updatedAt: new Date(c.updatedAt).toISOString(),
        };
        const clock = clockOf(svc, c);
        const media = mediaView(svc.db, c, ctx.loadConfig().media.encoder);
        const overlay = overlayView(svc.db, c, ctx.loadConfig().overlay);
        if (opts['json']) {
          println(ctx.stdout, JSON.stringify({ ...info, record: c.record, access: masked(c), clock: clock.json, media: media.json, overlay: overlay.json }, null, 2));
          return;
        }
        const lines = [...Object.entries({ ...info, ...c.record, ...masked(c), clock: clock.text }), ...media.lines, ...overlay.lines]
          .filter(([, v]) => v !== null && v !== undefined && v !== '')
          .map(([k, v]) => `${k.padEnd(18)} ${String(v)}`);
        println(ctx.stdout, lines.join('\n'));
      });
    });

  const add = cameras
    .command('add')
    .description('Register a camera; its cameraNum (UUID) is generated once and never changes')
    .option('--json <object>', 'camera fields as a JSON object (flags given as well win)')
    .option('--onvif <url>', 'read the camera over ONVIF (http://HOST[:PORT]): device, profiles, stream URIs, PTZ; fills the access fields')
    .option('--user <user>', 'ONVIF user, with --onvif')
    .option('--password <password>', 'ONVIF password, with --onvif');
  const addOptions = fieldOptions();
  addOptions.forEach(({ option }) => add.addOption(option));
  add
    .addHelpText(
      'after',
      example(
        '  vcgw cameras add --id K1844+158-up --department 京珠北分公司 --camera-name 京港澳高速K1844+158上行 \\\n' +
          '    --long-and-lati 113.2644/23.1291 --road G4 --road-name 京港澳高速 --road-sec 京珠北段 --classify 0 \\\n' +
          '    --poi-name 京港澳高速 --orientation 1 --pile-num K1844+158 --camera-type 1 --has-control 1 \\\n' +
          '    --area-code 440201 --push-type 2 --ip 10.0.0.5 --rtsp-main rtsp://10.0.0.5/main',
      ),
    )
    .action(async (opts: Opts) => {
      const { input, nameOf } = readInput(opts, addOptions);
      const onvif = await readOnvifForAdd(ctx, opts, input);
      await withService(
        ctx,
        (svc) => {
          const cam = svc.add(input, 'cli');
          if (onvif) new CameraOnvifStore(svc.db).put(cam.record.cameraNum, onvif.facts, Date.now());
          println(ctx.stdout, `added camera ${cam.id} (cameraNum ${cam.record.cameraNum}); ${QUEUED}`);
          warnOverlay(ctx, cam, nameOf);
          if (onvif) println(ctx.stdout, onvifSummary(onvif.facts));
        },
        nameOf,
      );
    });

  const edit = cameras
    .command('edit')
    .description('Change a camera; only the fields given change (an empty value clears a local access field)')
    .argument('<id|cameraNum>', 'local id or cameraNum')
    .option('--json <object>', 'changed fields as a JSON object (flags given as well win)');
  const editOptions = fieldOptions();
  editOptions.forEach(({ option }) => edit.addOption(option));
  edit
    .addHelpText('after', example('  vcgw cameras edit K1844+158-up --pile-num K1844+160 --push-type 1'))
    .action(async (key: string, opts: Opts) => {
      const { input, nameOf } = readInput(opts, editOptions);
      await withService(
        ctx,
        (svc) => {
          const { camera, changed } = svc.edit(key, input);
          if (!changed) return println(ctx.stdout, `camera ${camera.id} unchanged`);
          println(ctx.stdout, `updated camera ${camera.id} (cameraNum ${camera.record.cameraNum}); ${QUEUED}`);
          warnOverlay(ctx, camera, nameOf);
          warnConfigSource(ctx, camera, 'change it there too, or the next daemon start puts the config values back');
        },
        nameOf,
      );
    });

  cameras
    .command('rm')
    .description('Delete a camera here and at the province')
    .argument('<id|cameraNum>', 'local id or cameraNum')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .addHelpText('after', example('  vcgw cameras rm K1844+158-up --yes'))
    .action(async (key: string, opts: Opts) => {
      await withService(ctx, async (svc) => {
        const cam = svc.get(key);
        if (!opts['yes']) {
          if (!process.stdin.isTTY) {
            throw new CliError(`refusing to delete camera ${cam.id} without --yes (stdin is not a terminal)`, 2);
          }
          const rl = readline.createInterface({ input: process.stdin, output: ctx.stderr });
          const answer = await rl.question(`Delete camera ${cam.id} (${cam.record.cameraName}) here and at the province? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) return println(ctx.stdout, 'not deleted');
        }
        svc.remove(cam.id);
        println(ctx.stdout, `removed camera ${cam.id} (cameraNum ${cam.record.cameraNum}); delete ${QUEUED}`);
        warnConfigSource(ctx, cam, 'remove it there too, or the next daemon start adds it again');
      });
    });

  cameras
    .command('import')
    .description('Add or update cameras from a CSV file (header row of field names; all rows valid or nothing is stored)')
    .argument('<file.csv>', 'UTF-8 CSV, e.g. from `vcgw cameras export`')
    .option('--dry-run', 'validate and report only; store nothing')
    .addHelpText('after', example('  vcgw cameras export --out cameras.csv\n  vcgw cameras import cameras.csv --dry-run'))
    .action(async (file: string, opts: Opts) => {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
      } catch (err) {
        const why = err instanceof TypeError ? 'not UTF-8; save it as "CSV UTF-8"' : (err as Error).message;
        throw new CliError(`${file}: ${why}`, 2);
      }
      await withService(ctx, (svc) => {
        const r = svc.importCsv(text, 'import', { dryRun: opts['dryRun'] === true });
        const counts = `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged`;
        if (r.dryRun) println(ctx.stdout, `dry run: ${counts}; nothing stored`);
        else println(ctx.stdout, `${counts}${r.added + r.updated > 0 ? `; ${r.added + r.updated} ${QUEUED}` : ''}`);
      });
    });

  cameras
    .command('export')
    .description('Write every camera as CSV (passwords left out unless --include-secrets)')
    .option('--out <file>', 'write to a file (with a UTF-8 BOM, so Excel shows Chinese correctly) instead of stdout')
    .option('--include-secrets', 'include the ONVIF passwords')
    .addHelpText('after', example('  vcgw cameras export --out cameras.csv'))
    .action(async (opts: Opts) => {
      await withService(ctx, (svc) => {
        const includeSecrets = opts['includeSecrets'] === true;
        const out = opts['out'];
        if (typeof out !== 'string') return void ctx.stdout.write(svc.exportCsv({ includeSecrets }));
        try {
          fs.writeFileSync(out, svc.exportCsv({ includeSecrets, bom: true }), { mode: includeSecrets ? 0o600 : 0o644 });
        } catch (err) {
          throw new CliError(`${out}: ${(err as Error).message}`, 1);
        }
        println(ctx.stderr, `exported ${svc.list().length} cameras to ${out}`);
      });
    });
};
