// Bad input from the network (issue 15, item 7): 10,000 fuzzed requests (bodies, headers, paths)
// against every endpoint of the province API and the monitor listener of a running `vcgw run`,
// while 300 idle and 300 slow-sending connections are open. Nothing crashes, every bad request
// is answered 400/403/404 naming the field, and the province's real calls keep answering.
import fs from 'node:fs';
import t from 'tap';
import { parse } from 'smol-toml';
import { Pool } from 'undici';
import { freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { idleConnections, slowSenders } from '../helpers/abuse.js';
import { gatewayFor } from '../helpers/gateway.js';
import { until } from '../helpers/media.js';

const REQUESTS = Number(process.env.VCGW_FAULT_FUZZ_REQUESTS ?? 10_000);
const keys = generateSm2KeyPair();

/** mulberry32: a seeded PRNG, so a failing case can be replayed from the seed printed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const UUID = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';
const VALID: Record<string, { method: 'GET' | 'POST'; body?: Record<string, unknown>; monitor?: boolean }> = {
  '/service/video.VideoTransBegin': { method: 'POST', body: { cameraNum: UUID, videoType: 1, serverIp: '127.0.0.1', serverPort: 1935, pubName: 'x', authInfo: 't=1&k=2' } },
  '/service/video.VideoTransFinish': { method: 'POST', body: { cameraNum: UUID, videoType: 1 } },
  '/service/video.PTZControl': { method: 'POST', body: { cameraNum: UUID, action: 1, step: 1 } },
  '/service/video.NetworkCheck': { method: 'POST', body: { cameras: [UUID] } },
  '/service/status.CheckGateway': { method: 'GET' },
  '/snapshots/x/20261206/000000.jpg': { method: 'GET' },
  '/monitor/video.ReportAnalyse': {
    method: 'POST',
    monitor: true,
    body: { data: [{ eventId: `20261206_${UUID}_${UUID}`, deviceCode: UUID, detectTime: '2026-12-06 09:20:23', Location: 'K1', latLong: '1/2', mediaUrl: 'https://d/1.mp4', eventType: 0 }] },
  },
};
const WEIRD: unknown[] = [null, true, -1, 0.5, 1e308, '', 'x'.repeat(5000), '中文', '\u0000', [], {}, [[[]]], { __proto__: { a: 1 } }, '../../etc/passwd', 2 ** 53, -0];

interface Case {
  target: 'api' | 'monitor';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function fuzzCase(rnd: () => number, token: string): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const paths = Object.keys(VALID);
  let path = pick(paths);
  const spec = VALID[path]!;
  let method: string = spec.method;
  const headers: Record<string, string> = { TAuth: token, DeviceCode: 'vg-test01', AppVersion: '1.0', 'content-type': 'application/json' };
  let body: string | undefined = spec.body ? JSON.stringify(spec.body) : undefined;
  const what = rnd();
  if (what < 0.35 && spec.body) {
    // One field of a valid body made wrong (or removed, or one added), sometimes one level down.
    const obj = structuredClone(spec.body) as Record<string, unknown>;
    const target = Array.isArray(obj['data']) ? ((obj['data'] as Array<Record<string, unknown>>)[0] ?? obj) : obj;
    const key = pick(Object.keys(target));
    const m = rnd();
    if (m < 0.25) delete target[key];
    else if (m < 0.35) target[`extra${Math.floor(rnd() * 9)}`] = 1;
    else target[key] = pick(WEIRD);
    body = JSON.stringify(obj);
  } else if (what < 0.5) {
    body = pick([
      '',
      '{',
      '{"cameraNum":',
      'null',
      '[]',
      '"x"',
      '{"a":1}',
      '['.repeat(5000),
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
      Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))).toString('latin1'),
      JSON.stringify({ data: JSON.stringify(spec.body ?? {}) }),
    ]);
    if (method === 'GET') method = 'POST';
  } else if (what < 0.62) {
    // Headers: token missing, wrong or huge, device code wrong, content type wrong.
    const h = rnd();
    if (h < 0.25) delete headers['TAuth'];
    else if (h < 0.45) headers['TAuth'] = pick(['wrong', '', ' ', 'x'.repeat(4000), '中文令牌'.replace(/[^\x20-\x7e]/g, '?')]);
    else if (h < 0.6) headers['DeviceCode'] = pick(['vg-other', '', '../']);
    else if (h < 0.8) headers['content-type'] = pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=gbk', 'multipart/form-data']);
    else delete headers['content-type'];
  } else if (what < 0.78) {
    // Paths: unknown, traversal, encoded junk, long, query strings.
    path = pick([
      `/service/video.${Math.floor(rnd() * 1e6)}`,
      '/service/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      `/snapshots/${'a/'.repeat(50)}x.jpg`,
      `/snapshots/x/20261206/000000.jpg?exp=${encodeURIComponent(String(pick(WEIRD)))}&sig=${pick(['', 'zz', '%00'])}`,
      `/${'x'.repeat(4000)}`,
      '/monitor/video.ReportAnalyse/..',
      `${path}?${'a=1&'.repeat(200)}`,
      '/service/video.VideoTransBegin%00',
    ]);
  } else if (what < 0.86) {
    method = pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'GET', 'POST']);
  } else if (what < 0.88) {
    body = JSON.stringify({ ...(spec.body ?? {}), pad: 'x'.repeat(1_100_000) }); // over body_limit_bytes
  }
  // else: the valid request itself (an unknown camera: 404).
  if (method === 'GET' || method === 'HEAD') body = undefined;
  return { target: spec.monitor || path.startsWith('/monitor') ? 'monitor' : 'api', method, path, headers, ...(body !== undefined && { body }) };
}

/** A 400 names what is wrong: `field: …`, `body: …`, `Content-Type: …`, `request: …`. */
const namesField = (msg: unknown) => typeof msg === 'string' && /^[^\s:]+(\.[^\s:]+)*: \S/.test(msg);

t.test(`${REQUESTS} fuzzed requests and 600 bad connections: no crash, every bad request answered 400/403/404 naming the field`, async (t) => {
  const apiPort = await freePort();
  const sim = await startSim(keys, { gatewayUrl: `https://127.0.0.1:${apiPort}` });
  t.teardown(() => sim.close());
  const files = await writeGatewayConfig(t.testdir(), sim, keys, { api: { listen: `127.0.0.1:${apiPort}` }, snapshots: { enabled: false }, quality: { enabled: false } }, []);
  const gw = gatewayFor(t, files.configFile);
  const monitorListen = (parse(fs.readFileSync(files.configFile, 'utf8')) as { monitor: { listen: string } }).monitor.listen;
  await until('the gateway answers the province', () => sim.callGateway('CheckGateway').then((r) => (r.body as { code: number }).code === 200, () => false), 30_000);
  const opts = { connections: 16, connect: { rejectUnauthorized: false } };
  const api = new Pool(`https://127.0.0.1:${apiPort}`, opts);
  const monitor = new Pool(`https://${monitorListen}`, opts);
  t.teardown(() => Promise.all([api.close(), monitor.close()]));

  const target = { host: '127.0.0.1', port: apiPort };
  const idle = await idleConnections(target, 300);
  const slow = await slowSenders(target, 300, { everyMs: 1000 });
  t.teardown(() => (idle.destroy(), slow.destroy()));

  // The province calls meanwhile, as it does in the field.
  const provinceMs: number[] = [];
  let provinceFailed = 0;
  let fuzzing = true;
  const province = (async () => {
    while (fuzzing) {
      const at = Date.now();
      const ok = await sim.callGateway('CheckGateway').then((r) => (r.body as { code: number }).code === 200, () => false);
      provinceMs.push(Date.now() - at);
      if (!ok) provinceFailed++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const seed = Number(process.env.VCGW_FAULT_FUZZ_SEED ?? Date.now() % 1e9);
  const rnd = prng(seed);
  const token = sim.currentToken();
  const codes = new Map<string, number>();
  const bad: string[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const c = fuzzCase(rnd, token);
      let outcome: string;
      try {
        const res = await (c.target === 'api' ? api : monitor).request({ method: c.method as 'GET', path: c.path, headers: c.headers, body: c.body });
        const text = await res.body.text();
        let env: { code?: unknown; msg?: unknown } | undefined;
        try {
          env = JSON.parse(text) as { code?: unknown; msg?: unknown };
        } catch {
          env = undefined;
        }
        outcome = `HTTP ${res.statusCode} code ${env?.code ?? '-'}`;
        const code = env?.code;
        const fine =
          c.method === 'HEAD'
            ? [200, 400, 403, 404].includes(res.statusCode)
            : [200, 404, 413, 414, 431].includes(res.statusCode) && (code === 200 || code === 201 || code === 403 || code === 404 || (code === 400 && namesField(env?.msg)) || (res.statusCode >= 413 && code === undefined));
        if (!fine && bad.length < 10) bad.push(`${c.method} ${c.path.slice(0, 80)} [${(c.body ?? '').slice(0, 80)}] → ${res.statusCode} ${text.slice(0, 160)}`);
        if (!fine && bad.length >= 10) bad.push('…');
      } catch (err) {
        outcome = `error ${(err as Error).message.slice(0, 40)}`;
        // A request the server may close early (over the body limit, a header it rejects) is not a crash.
        if (!(c.body && c.body.length > 1_000_000) && bad.length < 10) bad.push(`${c.method} ${c.path.slice(0, 80)}: ${(err as Error).message}`);
      }
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const ms = Date.now() - started;
  fuzzing = false;
  await province;

  const sorted = [...provinceMs].sort((a, b) => a - b);
  t.comment(`seed ${seed}: ${REQUESTS} requests in ${ms} ms; outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
  t.comment(`province CheckGateway during the fuzz: ${provinceMs.length} calls, p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms; idle connections closed ${idle.closed()}/300, slow ${slow.closed()}/300`);
  t.same(bad.slice(0, 11), [], 'every reply is an envelope: 200/201, or 400 naming the field, 403, 404 (HTTP 413/414/431 for what is too large)');
  t.equal(provinceFailed, 0, "the province's calls were all answered meanwhile");
  t.equal(gw.child.exitCode, null, 'the daemon is still running');
  const after = await sim.callGateway('CheckGateway');
  t.equal((after.body as { code: number }).code, 200, 'and answers the province after the fuzz');
});
