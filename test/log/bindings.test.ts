// One binding per key in every log line (issue 15): pino appends a child's bindings to its
// parent's, so a module that binds `mod` again under its wiring printed `"mod":"media","mod":"media"`,
// and journald, Loki and jq keep only one of them.
import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import t from 'tap';
import { createLogger, moduleLog } from '../../src/log.js';
import { CameraHealth } from '../../src/modules/health/cameraHealth.js';
import { CameraStateTracker } from '../../src/modules/health/cameraState.js';
import { GatewayBus } from '../../src/modules/events.js';
import { mediaModule } from '../../src/modules/media/start.js';
import { provincePushes } from '../../src/modules/uplinks/province/pushes.js';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { addCamera, tempDir, testConfig } from '../modules/api/helpers.js';
import { repeatedKeys } from '../helpers/logLines.js';
import { until } from '../helpers/media.js';

function memoryLog() {
  const lines: string[] = [];
  let rest = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      done();
    },
  });
  return { log: createLogger('debug', sink), lines };
}

t.test('moduleLog binds mod once: the same module again adds nothing, a part of it is named `part`', async (t) => {
  const { log, lines } = memoryLog();
  const media = moduleLog(log, 'media');
  moduleLog(media, 'media').info('same module');
  moduleLog(media, 'camera-encoding').info('a part of it');
  await until('two lines', () => lines.length === 2, 2000);
  t.same(repeatedKeys(lines[0]!), [], 'one mod');
  t.equal(JSON.parse(lines[0]!).mod, 'media');
  t.match(JSON.parse(lines[1]!), { mod: 'media', part: 'camera-encoding' });
  t.same(repeatedKeys(lines[1]!), [], 'no key twice');
});

t.test('the media wiring as the daemon runs it: every line has each key once', async (t) => {
  const dir = tempDir(t);
  const config = testConfig(dir, { media: { hardware: 'off' } });
  const db = openDb(dir);
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  // A constant push to a camera that does not answer: the engine, its pull and its push all log.
  const rec = addCamera(cameras, { pushType: 1 }, { ip: '127.0.0.1', rtspMain: 'rtsp://127.0.0.1:1/main' });
  const { log, lines } = memoryLog();
  const outbox = new OutboxStore(db);
  const state = new CameraStateTracker({ db, cameras, outbox, fullIntervalMs: 3_600_000, log });
  const events = new GatewayBus();
  const media = mediaModule({ config, db, cameras, health: new CameraHealth(state), events, log });
  const pushes = provincePushes({
    media,
    config: config.media,
    cameras,
    events,
    log,
    call: async () => ({ code: 200, msg: 'ok', data: { cameras: [{ cameraNum: rec.cameraNum, pushUrl: `rtmp://127.0.0.1:1/rtmp/${crypto.randomUUID()}` }] } }),
  });
  await media.start();
  await pushes.start();
  t.teardown(async () => {
    await pushes.stop();
    await media.stop();
  });
  await until('the camera pull logged', () => lines.some((l) => l.includes('camera pull starting')), 15_000);
  const bad = lines.filter((l) => repeatedKeys(l).length > 0);
  t.same(bad, [], `no line repeats a key (${lines.length} lines read)`);
});
