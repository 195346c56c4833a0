// `vcgw snapshot CAMERA` (take one now, in this process: the camera's ONVIF snapshot URI or a
// short pull, since the CLI cannot reach the daemon's pulls) and `vcgw snapshots list CAMERA`.
import type { Command } from 'commander';
import { silentLogger } from '../log.js';
import { parseListen } from '../modules/api/http.js';
import { snapshotParts } from '../modules/snapshots/start.js';
import { publicBaseUrl } from '../modules/snapshots/urls.js';
import { locateFfmpeg } from '../protocols/ffmpeg/locate.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraStore } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { CliError, println, table, type CliContext } from './context.js';
import { parseSince } from './ptz.js';

export function registerSnapshotCommands(program: Command, ctx: CliContext): void {
  program
    .command('snapshot <camera>')
    .description('take a JPEG of CAMERA (id or cameraNum) now, keep it with the others and print its path')
    .option('--json', 'machine-readable output (path, size, source, signed URL)')
    .addHelpText('after', '\nExamples:\n  vcgw snapshot K1844+158-up\n  vcgw snapshot K1844+158-up --json')
    .action(async (camera: string, opts: { json?: boolean }) => {
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const cam = new CameraStore(db).find(camera);
        if (!cam) throw new CliError(`CAMERA: no camera ${camera} (see vcgw cameras list)`, 2);
        const ffmpeg = await locateFfmpeg({ ffmpegPath: config.media.ffmpeg_path, ffprobePath: config.media.ffprobe_path }).then(
          (f) => f.ffmpeg,
          () => undefined,
        );
        const parts = snapshotParts({ config, db, log: silentLogger(), ffmpeg, baseUrl: publicBaseUrl(config.snapshots.public_base_url, parseListen(config.api.listen)) });
        const room = await parts.guard.ensureRoom();
        if (!room.ok) throw new CliError(`no room for snapshots in ${parts.files.dir}: disk ${Math.round(room.usedPercent)} % used, ${Math.round(room.freeMb)} MB free`);
        let snap;
        try {
          const cap = await parts.capture.capture(cam);
          snap = await parts.files.save(cam.record.cameraNum, Date.now(), cap);
        } catch (e) {
          throw new CliError(`${cam.id}: no snapshot: ${(e as Error).message}`);
        }
        const file = parts.files.absPath(snap.path);
        if (opts.json) {
          println(ctx.stdout, JSON.stringify({ ...snap, file, time: beijingDateTime(snap.takenAt), url: parts.urls.urlFor(snap) }, null, 2));
        } else {
          println(ctx.stdout, file);
        }
      } finally {
        db.close();
      }
    });

  const list = program.command('snapshots').description('snapshots kept on this gateway');
  list
    .command('list <camera>', { isDefault: true })
    .description('snapshots of CAMERA (id or cameraNum), newest first')
    .option('--since <when>', 'ISO date/time or an age like 30m, 12h, 7d')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  vcgw snapshots list K1844+158-up --since 12h\n  vcgw snapshots list K1844+158-up --since 2026-11-20T08:00:00+08:00 --json')
    .action((camera: string, opts: { since?: string; json?: boolean }) => {
      const since = opts.since === undefined ? 0 : parseSince(opts.since);
      const config = ctx.loadConfig();
      const db = openDb(config.gateway.data_dir);
      try {
        const cam = new CameraStore(db).find(camera);
        if (!cam) throw new CliError(`CAMERA: no camera ${camera} (see vcgw cameras list)`, 2);
        const parts = snapshotParts({ config, db, log: silentLogger() });
        const rows = parts.files.store.list(cam.record.cameraNum, since).map((s) => ({ ...s, file: parts.files.absPath(s.path) }));
        if (opts.json) return println(ctx.stdout, JSON.stringify(rows, null, 2));
        if (rows.length === 0) return println(ctx.stdout, `no snapshots of ${cam.id}${opts.since ? ` since ${opts.since}` : ''}`);
        println(
          ctx.stdout,
          table(
            rows.map((r) => ({ time: beijingDateTime(r.takenAt), size: `${r.width}x${r.height}`, kB: Math.round(r.bytes / 1024), source: r.source, file: r.file })),
            ['time', 'size', 'kB', 'source', 'file'],
          ),
        );
      } finally {
        db.close();
      }
    });
}
