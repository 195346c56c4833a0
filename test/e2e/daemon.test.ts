// The gateway as it runs in the field: `vcgw run` as a child process against the province sim.
import t from 'tap';
import { CameraStore } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { TokenStore } from '../../src/store/tokens.js';
import { cameraEntry, generateSm2KeyPair, startSim, writeGatewayConfig, OFFLINE_TOKEN } from '../helpers/fixture.js';
import { runGateway } from '../helpers/gateway.js';
const keys = generateSm2KeyPair();

async function kill9(gw: ReturnType<typeof runGateway>): Promise<void> {
  gw.child.kill('SIGKILL');
  await gw.exited;
}

t.test('a rotated token survives kill -9 and is the one used after restart', async (t) => {
  // No grace: once rotated, the offline token is refused, so a gateway that lost the new one is locked out.
  const sim = await startSim(keys, { tokenGraceMs: 0 });
  t.teardown(() => sim.close());
  const files = await writeGatewayConfig(t.testdir(), sim, keys);

  const first = runGateway(files.configFile);
  t.teardown(() => first.child.kill('SIGKILL'));
  await sim.waitFor((r) => r.path === '/service/token' && r.code === 200, 30_000);
  const rotated = sim.currentToken();
  t.not(rotated, OFFLINE_TOKEN);
  t.match(
    await first.untilStderr(/started: /, 30_000),
    // The token call may or may not have answered by the time the line is written.
    /^vcgw \S+ started: API https:\/\/127\.0\.0\.1:\d+, monitor https:\/\/127\.0\.0\.1:\d+; 2 cameras \(2 with the constant 128 kbps push\); province https:\/\/127\.0\.0\.1:\d+, (first token call under way \(offline token from the config\)|token from the province [\d-]+ [\d:]+ \(Beijing time\))\n/,
    'one line for a person on stderr at start',
  );
  await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.headers['tauth'] === rotated && r.code === 200, 30_000);
  await kill9(first);

  const db = openDb(files.dataDir);
  t.equal(new TokenStore(db).current()?.token, rotated, 'the rotated token was on disk');
  db.close();

  const since = sim.received().at(-1)!.seq;
  const second = runGateway(files.configFile);
  t.teardown(() => second.child.kill('SIGKILL'));
  const sync = await sim.waitFor((r) => r.seq > since && r.path === '/service/video.VideoInformation' && r.code === 200, 30_000);
  t.equal(sync.headers['tauth'], rotated, 'the restarted gateway authenticates with the rotated token');
  t.notOk(
    sim.received({ sinceSeq: since }).some((r) => r.headers['tauth'] === OFFLINE_TOKEN),
    'the offline token is never sent again',
  );
  await kill9(second);
});

t.test('after a 403 the token is refreshed and the report retried', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const files = await writeGatewayConfig(t.testdir(), sim, keys);
  const gw = runGateway(files.configFile);
  t.teardown(() => gw.child.kill('SIGKILL'));
  await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 200, 30_000);
  sim.expireTokens();
  const since = sim.received().at(-1)!.seq;
  // A camera added through the CLI (another process) is synced by the running daemon.
  const { runCli } = await import('../../src/cli/main.js');
  const { PassThrough } = await import('node:stream');
  const code = await runCli(
    ['--config', files.configFile, 'cameras', 'add', '--json', JSON.stringify(cameraEntry(3))],
    new PassThrough(),
    new PassThrough(),
  );
  t.equal(code, 0);
  const refused = await sim.waitFor((r) => r.seq > since && r.code === 403, 30_000);
  const retried = await sim.waitFor(
    (r) => r.seq > refused.seq && r.path === '/service/video.VideoInformation' && r.code === 200,
    30_000,
  );
  t.equal(retried.headers['tauth'], sim.currentToken(), 'retried with the new token');
  t.ok(
    sim.received({ sinceSeq: refused.seq }).some((r) => r.path === '/service/token' && r.code === 200 && r.seq < retried.seq),
    'a token call came between the 403 and the retry',
  );
  t.equal((retried.body as Array<{ pileNum: string }>)[0]!.pileNum, cameraEntry(3)['pileNum']);
  await kill9(gw);
});

t.test('the outbox delivers everything after an outage spanning a restart', async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  sim.setDown(true);
  const cams = [1, 2, 3, 4, 5].map((i) => cameraEntry(i));
  const files = await writeGatewayConfig(t.testdir(), sim, keys, {}, cams);

  const first = runGateway(files.configFile);
  t.teardown(() => first.child.kill('SIGKILL'));
  // The gateway tries while the platform is down…
  await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 0, 30_000);
  await kill9(first);
  {
    const db = openDb(files.dataDir);
    const pending = new OutboxStore(db).list({ pending: true });
    t.ok(pending.filter((p) => p.kind === 'camera.upsert').length === 5, 'five registrations wait in the outbox');
    t.ok(pending.every((p) => p.deliveredAt === null));
    db.close();
  }

  // …is restarted, and the platform comes back.
  const second = runGateway(files.configFile);
  t.teardown(() => second.child.kill('SIGKILL'));
  await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 0, 30_000);
  sim.setDown(false);
  await sim.waitFor((r) => r.path === '/service/video.ReportCameraStatus' && r.code === 200, 30_000);
  t.equal(sim.cameras().size, 5, 'every camera reached the platform');

  const db = openDb(files.dataDir);
  const outbox = new OutboxStore(db);
  // Delivery is marked right after the reply: wait for the rows, bounded.
  const deadline = Date.now() + 10_000;
  while (outbox.counts().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(outbox.counts().pending, 0, 'nothing left pending');
  t.ok(new CameraStore(db).all().every((c) => c.syncState === 'synced'), 'every camera marked synced');
  const statuses = sim.received({ path: '/service/video.ReportCameraStatus' }).filter((r) => r.code === 200);
  const reported = new Set(statuses.flatMap((r) => (r.body as Array<{ cameraNum: string }>).map((s) => s.cameraNum)));
  t.equal(reported.size, 5, 'a status for every camera');
  db.close();
  await kill9(second);
});
