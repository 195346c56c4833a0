// `vcgw logs` on a log file (gateway.log_file, as the daemon writes it through pino): filtered by
// camera (id or number), output and time; JSON lines kept as they are with --json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createLogger, logDestination } from '../../src/log.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { addCamera } from '../modules/snapshots/helpers.js';

t.test('vcgw logs reads gateway.log_file and filters by camera, output and time', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-logs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const logFile = path.join(dir, 'log', 'vcgw.log');
  const config = writeMinimalConfig(dir);
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('[province]', `log_file = "${logFile}"\n[province]`));
  const db = openDb(path.join(dir, 'data'));
  const cam = addCamera(new CameraStore(db), 1);
  db.close();

  // The daemon's own logger writes the file (the same JSON lines as on stdout).
  const stdout = new PassThrough();
  const log = createLogger('info', logDestination(logFile, stdout));
  const now = Date.now();
  const old = now - 2 * 3_600_000;
  log.info({ camera: 'cam-1' }, 'overlay written');
  log.warn({ cameraNum: cam.record.cameraNum, role: 'constant', videoType: 1 }, 'push restarted');
  log.info({ cameraNum: 'other-camera', role: 'ondemand' }, 'push started');
  log.info('province link changed');
  t.equal(String(stdout.read()).split('\n').length, 5, 'stdout gets the four lines too');
  fs.appendFileSync(logFile, `${JSON.stringify({ level: 30, time: old, svc: 'vcgw', camera: 'cam-1', msg: 'two hours ago' })}\nnot json: a crash trace\n`);

  const run = cliRunner(config);
  const byCamera = await run('logs', '--camera', 'cam-1');
  t.equal(byCamera.code, 0, byCamera.err);
  const lines = byCamera.out.trimEnd().split('\n');
  t.equal(lines.length, 3, 'the id and the number of cam-1 both match; other lines do not');
  t.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO  \[cam-1\] overlay written$/);
  t.match(lines[1], new RegExp(`^.* WARN  \\[${cam.record.cameraNum}\\] push restarted \\{"role":"constant","videoType":1\\}$`));
  t.match(lines[2], /two hours ago$/);

  const recent = await run('logs', '--camera', cam.record.cameraNum, '--since', '1h');
  t.equal(recent.out.trimEnd().split('\n').length, 2, 'a camera number finds the id too; --since 1h drops the old line');

  const output = await run('logs', '--output', 'constant', '--json');
  const json = output.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { msg: string; time: number });
  t.same(json.map((j) => j.msg), ['push restarted'], '--output matches the role field; --json gives the lines');
  t.ok(Math.abs(json[0]!.time - now) < 60_000, 'the JSON line is as pino wrote it');

  const all = await run('logs');
  t.match(all.out, /^not json: a crash trace$/m, 'unfiltered, a line that is not JSON still shows');
  t.equal(all.out.trimEnd().split('\n').length, 6);

  const bad = await run('logs', '--since', 'yesterday');
  t.equal(bad.code, 2);
  t.match(bad.err, /--since yesterday: must be like 12h, 30m, 2d or an ISO date\/time/);
  const missing = await run('logs', '--file', path.join(dir, 'nope.log'));
  t.equal(missing.code, 1);
  t.match(missing.err, /--file .*nope\.log: no such file/);
});
