import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { configSchema, type Config } from '../config/schema/index.js';
import { silentLogger } from '../log.js';
import { createMediaRuntime } from '../modules/media/runtime.js';
import { snapshotDirOf } from '../modules/snapshots/files.js';
import { CliError, println, table, type CliContext } from './context.js';
import { dataDiskCheck } from './dataDiskCheck.js';
import { cameraStreamCheck } from './doctorCameras.js';
import { clockCheck } from './doctorClock.js';
import type { Check } from './doctorCheck.js';
import { camerasOf, readState, setupChecks } from './doctorSetup.js';
import { resourceChecks, uplinkChecks } from './doctorSystem.js';

/**
 * The config if it loads; the media defaults otherwise, so doctor still checks the machine
 * (before setup, or with a config to fix) and --json still prints its report.
 */
function configOrDefaults(ctx: CliContext): { config: Config['media']; full?: Config; dataDir?: string; configCheck: Check } {
  const file = ctx.configPath();
  const defaults = () => configSchema.shape.media.parse(undefined);
  if (!fs.existsSync(file)) return { config: defaults(), configCheck: { check: 'config', result: 'warn', detail: `${file} not found: media defaults used` } };
  try {
    const config = ctx.loadConfig();
    return { config: config.media, full: config, dataDir: config.gateway.data_dir, configCheck: { check: 'config', result: 'ok', detail: `${file} loads` } };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { config: defaults(), configCheck: { check: 'config', result: 'FAIL', detail: `${file}: ${err.problems.join('; ')} (media defaults used below)` } };
  }
}

/** The burned-in overlay's font as fontconfig resolves it: a missing family silently becomes another font. */
function fontCheck(font: string): Check {
  if (font.startsWith('/')) return { check: 'overlay font', result: fs.existsSync(font) ? 'ok' : 'FAIL', detail: font };
  try {
    const family = execFileSync('fc-match', ['--format=%{family}', font], { encoding: 'utf8' });
    const ok = family.split(',').some((f) => f.trim() === font);
    return { check: 'overlay font', result: ok ? 'ok' : 'FAIL', detail: ok ? font : `${font} not installed (fontconfig gives ${family}): apt-get install fonts-noto-cjk` };
  } catch (err) {
    return { check: 'overlay font', result: 'FAIL', detail: `fc-match: ${err instanceof Error ? err.message : String(err)} (apt-get install fontconfig)` };
  }
}

/** Room for snapshots below the guard's limits (the guard deletes the oldest before it would pass them). */
function snapshotCheck(config: Config): Check {
  const dir = snapshotDirOf(config);
  const { max_disk_percent: maxPercent, min_free_mb: minFreeMb } = config.snapshots;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const st = fs.statfsSync(dir);
    const usedPercent = st.blocks > 0 ? (100 * (st.blocks - st.bfree)) / st.blocks : 0;
    const freeMb = (st.bavail * st.bsize) / 2 ** 20;
    const tight = usedPercent >= maxPercent || freeMb <= minFreeMb;
    return {
      check: 'snapshots',
      result: tight ? 'warn' : 'ok',
      detail: `${dir}: disk ${usedPercent.toFixed(0)} % used, ${freeMb.toFixed(0)} MB free (limits ${maxPercent} %, ${minFreeMb} MB)${tight ? ': the oldest snapshots are being deleted' : ''}`,
    };
  } catch (err) {
    return { check: 'snapshots', result: 'FAIL', detail: `${dir}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A one-line "checking …" on stderr while long checks run, only on a terminal (never in --json or a pipe). */
function progressLine(ctx: CliContext, json: boolean): (what: string | undefined) => void {
  const tty = (ctx.stderr as NodeJS.WriteStream).isTTY === true && !json;
  return (what) => {
    if (tty) ctx.stderr.write(what === undefined ? '\r\x1b[K' : `\r\x1b[Kchecking ${what} …`);
  };
}

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check this box: config and its placeholders, FFmpeg and its encoders, data directory, the province links (TLS, certificate expiry), the clock against its time server, CPU, memory, disk, temperature, NIC traffic, the §7.1 d uplink, cameras (--cameras: their streams)')
    .option('--json', 'machine-readable output')
    .option('--offline', 'skip every check that needs the network: the province links, the time server, the cameras')
    .option('--cameras', "read each camera's main stream for a few seconds (codec, size, fps, bitrate)")
    .addHelpText(
      'after',
      '\nExit status: 1 when any check FAILs, 0 otherwise (warnings included).\n--offline still reports the example\'s placeholders: they are not network problems.\n\nExamples:\n  vcgw doctor\n  vcgw doctor --cameras\n  vcgw doctor --offline --json | jq .checks',
    )
    .action(async (opts: { json?: boolean; offline?: boolean; cameras?: boolean }) => {
      const checks: Check[] = [];
      const progress = progressLine(ctx, opts.json === true);
      const { config, full, dataDir, configCheck } = configOrDefaults(ctx);
      checks.push(configCheck);
      let ffmpeg: Record<string, unknown> | undefined;
      try {
        const rt = await createMediaRuntime(config, silentLogger());
        ffmpeg = {
          path: rt.ffmpeg,
          ffprobe: rt.ffprobe ?? null,
          from: rt.ffmpegSource,
          version: rt.caps.version,
          encoders: rt.caps.encoders,
          hwaccels: rt.caps.hwaccels,
          filters: rt.caps.filters,
          hevcInFlv: rt.caps.hevcInFlv,
          hardwareTrials: rt.hwTrials,
          scheduler: rt.scheduler.usage(),
          deathSignal: rt.deathSignalHelper ?? null,
        };
        checks.push({ check: 'ffmpeg', result: 'ok', detail: `${rt.ffmpeg} ${rt.caps.version} (${rt.ffmpegSource})` });
        checks.push({ check: 'ffprobe', result: rt.ffprobe ? 'ok' : 'warn', detail: rt.ffprobe ?? 'not found (used by tests and diagnostics only)' });
        checks.push({ check: 'encoders', result: 'ok', detail: rt.caps.encoders.join(' ') });
        const working = rt.hwTrials.filter((t) => t.ok).map((t) => t.encoder);
        checks.push({
          check: 'hardware encode',
          result: 'ok',
          detail:
            config.hardware === 'off'
              ? 'switched off (media.hardware = "off")'
              : rt.hwTrials.length === 0
                ? 'no hardware H.264 encoder in this FFmpeg: libx264 on the CPU'
                : `${working.length > 0 ? `using ${working.join(', ')}` : 'none works: libx264 on the CPU'}; ` +
                  rt.hwTrials.map((t) => `${t.encoder} ${t.ok ? 'ok' : `failed (${t.reason ?? '?'})`}`).join('; '),
        });
        checks.push({ check: 'hevc in flv', result: 'ok', detail: rt.caps.hevcInFlv ? 'supported (hevc_passthrough possible)' : 'not supported: H.265 sources are re-encoded' });
        checks.push({
          check: 'child cleanup',
          result: rt.deathSignalHelper ? 'ok' : 'warn',
          detail: rt.deathSignalHelper ? `${rt.deathSignalHelper} --pdeathsig: FFmpeg dies with the daemon` : 'setpriv missing: FFmpeg exits only when its pipes close',
        });
      } catch (err) {
        checks.push({ check: 'ffmpeg', result: 'FAIL', detail: err instanceof Error ? err.message : String(err) });
      }
      if (dataDir !== undefined) {
        try {
          fs.mkdirSync(dataDir, { recursive: true });
          fs.accessSync(dataDir, fs.constants.W_OK);
          const st = fs.statfsSync(dataDir);
          const freeGiB = (st.bavail * st.bsize) / 2 ** 30;
          checks.push({ check: 'data_dir', result: freeGiB < 1 ? 'warn' : 'ok', detail: `${dataDir} writable, ${freeGiB.toFixed(1)} GiB free` });
        } catch (err) {
          checks.push({ check: 'data_dir', result: 'FAIL', detail: `${dataDir}: ${err instanceof Error ? err.message : String(err)}` });
        }
      }
      if (dataDir !== undefined) checks.push(dataDiskCheck(dataDir, full?.snapshots.min_free_mb ?? 0));
      if (full?.overlay.burn_in) checks.push(fontCheck(full.overlay.font));
      if (full?.snapshots.enabled) checks.push(snapshotCheck(full));
      progress('the province links');
      if (full) checks.push(...(await setupChecks(full, opts.offline)));
      if (full && !opts.offline) {
        progress('the time server');
        checks.push(await clockCheck(full));
      }
      progress('CPU, memory, disk, temperature');
      checks.push(...(await resourceChecks(dataDir)));
      progress('network traffic (1 s)');
      const cameras = full ? camerasOf(full, readState(full.gateway.data_dir)?.cameras ?? []) : [];
      checks.push(...(await uplinkChecks(cameras.length, 1000)));
      if (opts.cameras && !opts.offline) {
        for (const [i, cam] of cameras.entries()) {
          progress(`camera ${i + 1}/${cameras.length}: ${cam.id}`);
          checks.push(await cameraStreamCheck(cam, ffmpeg?.['ffprobe'] as string | undefined));
        }
      }
      progress(undefined);
      if (opts.json) println(ctx.stdout, JSON.stringify({ checks, ffmpeg: ffmpeg ?? null }, null, 2));
      else println(ctx.stdout, table(checks, ['check', 'result', 'detail', 'fix']));
      const failed = checks.filter((c) => c.result === 'FAIL');
      if (failed.length > 0) throw new CliError(`${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}`);
    });
}
