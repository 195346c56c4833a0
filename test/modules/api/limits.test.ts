// Listener limits (issue 15): connections that never send a byte or send a request a byte at a
// time are dropped by the handshake, header and idle timeouts, a connection cap bounds the file
// descriptors they can hold, and the province's calls keep answering meanwhile.
import t from 'tap';
import { Agent } from 'undici';
import { silentLogger } from '../../../src/log.js';
import { MONITOR_PATH, startMonitorServer } from '../../../src/modules/api/monitor.js';
import { ensureServerTls } from '../../../src/modules/api/tls.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { openDb } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { idleConnections, slowSenders } from '../../helpers/abuse.js';
import { until } from '../../helpers/media.js';
import { CHECK, Client, startApi, tempDir, testConfig } from './helpers.js';

const SHORT = { handshake_timeout_s: 1, header_timeout_s: 2, idle_timeout_s: 2 };

t.test('API: 300 idle and 300 slow-sending connections are dropped by their timeouts; the province calls keep answering', async (t) => {
  const api = await startApi(t, { over: { api: SHORT } });
  const started = Date.now();
  const idle = await idleConnections(api.server, 300);
  const slow = await slowSenders(api.server, 300, { ca: api.tls.cert, everyMs: 300 });
  t.teardown(() => (idle.destroy(), slow.destroy()));
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const at = Date.now();
    const r = await api.client.get(CHECK);
    latencies.push(Date.now() - at);
    t.equal(r.body.code, 200, `CheckGateway answered while the bad clients are connected (${latencies.at(-1)} ms)`);
  }
  await until('every idle connection dropped', () => idle.closed() === 300, 20_000);
  const idleMs = Date.now() - started;
  await until('every slow sender dropped', () => slow.closed() === 300, 20_000);
  const slowMs = Date.now() - started;
  t.comment(`idle dropped by ${idleMs} ms (handshake timeout 1 s), slow senders by ${slowMs} ms (header timeout 2 s), CheckGateway ${latencies.join('/')} ms`);
  t.ok(idleMs < 15_000, 'idle connections gone within the handshake timeout and a check interval (generous: loaded CI)');
  t.ok(slowMs < 20_000, 'slow senders gone within the header timeout and a check interval (generous: loaded CI)');
});

t.test('API: over max_connections, further connections are closed at once', async (t) => {
  const api = await startApi(t, { over: { api: { max_connections: 16 } } });
  const idle = await idleConnections(api.server, 30);
  t.teardown(() => idle.destroy());
  await until('the connections over the cap closed', () => idle.closed() >= 14, 5000);
  t.equal(idle.open(), 16, 'exactly the cap stays open');
});

t.test('monitor (TLS and plain HTTP): idle and slow connections are dropped, detectors keep posting', async (t) => {
  for (const tlsOn of [true, false]) {
    const dir = tempDir(t);
    const config = testConfig(dir, { monitor: { tls: tlsOn, ...SHORT } });
    const db = openDb(dir);
    const log = silentLogger();
    const tls = await ensureServerTls(config.api, dir, log);
    const server = await startMonitorServer({ config, cameras: new CameraStore(db), outbox: new OutboxStore(db), tls, log });
    const agent = new Agent({ connect: { ca: tls.cert } });
    t.teardown(async () => {
      await agent.close();
      await server.close();
      db.close();
    });
    const idle = await idleConnections(server, 100);
    const slow = await slowSenders(server, 100, { ...(tlsOn && { ca: tls.cert }), everyMs: 300 });
    t.teardown(() => (idle.destroy(), slow.destroy()));
    const r = await new Client(server.url, agent).post(MONITOR_PATH, { data: [] });
    t.equal(r.status, 200, `${tlsOn ? 'https' : 'http'}: a detector's post is answered meanwhile`);
    await until('every idle connection dropped', () => idle.closed() === 100, 20_000);
    await until('every slow sender dropped', () => slow.closed() === 100, 20_000);
    t.pass(`${tlsOn ? 'https' : 'http'}: all dropped`);
  }
});
