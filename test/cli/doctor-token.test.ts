// `vcgw doctor`'s "province token" check against the province simulator over real TLS: with the
// daemon down, the real token call (the new token stored as the daemon stores it); a token the
// province refuses, named with its fix; with `vcgw run` up, the last call its session had
// accepted, and no token call of doctor's own (it would race the daemon's rotation).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { tokenCheck } from '../../src/cli/doctorToken.js';
import { loadConfig } from '../../src/config/load.js';
import { generateSm2KeyPair } from '../../src/protocols/province/sm2.js';
import { freePort } from '../../src/sim/ports.js';
import { startProvinceSim, type ProvinceSim } from '../../src/sim/province/index.js';
import { DaemonPresence } from '../../src/store/daemonPresence.js';
import { DB_FILE, openDb } from '../../src/store/db.js';
import { ProvinceAcceptedStore } from '../../src/store/provinceAccepted.js';
import { TokenStore } from '../../src/store/tokens.js';
import { CLOSED_PROVINCE_URL, cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { gatewayFor } from '../helpers/gateway.js';

type Report = { checks: Array<{ check: string; result: string; detail: string; fix?: string }> };

const keys = generateSm2KeyPair();

async function setup(t: Test): Promise<{ sim: ProvinceSim; config: string; dataDir: string }> {
  const sim = await startProvinceSim({ deviceCode: 'vg-108121', user: 'Jzbgs', initialToken: 'issued-0', sm2PublicKey: keys.publicKeyHex });
  t.teardown(() => sim.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-token-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'ca.pem'), sim.certPem);
  const file = writeMinimalConfig(dir, ['[media]', 'hardware = "off"', '[snapshots]', 'enabled = false', '[api]', `listen = "127.0.0.1:${await freePort()}"`, '[monitor]', `listen = "127.0.0.1:${await freePort()}"`]);
  fs.writeFileSync(
    file,
    fs
      .readFileSync(file, 'utf8')
      .replace(CLOSED_PROVINCE_URL, sim.url)
      .replace(/^token = .*$/m, 'token = "issued-0"')
      .replace(/^sm2_private_key = .*$/m, `sm2_private_key = "${keys.privateKeyHex}"\nca_file = "${path.join(dir, 'ca.pem')}"`),
  );
  return { sim, config: file, dataDir: path.join(dir, 'data') };
}

const tokenRow = async (config: string) => {
  const r = await cliRunner(config)('doctor', '--json');
  return { code: r.code, check: (JSON.parse(r.out) as Report).checks.find((c) => c.check === 'province token') };
};
const storedToken = (dataDir: string) => {
  const db = openDb(dataDir, { readonly: true });
  try {
    return new TokenStore(db).current()?.token;
  } finally {
    db.close();
  }
};
/** Polls the data dir (bounded) until `read` gives a value: the daemon writes it from its own process. */
async function untilStored<T>(dataDir: string, read: (db: ReturnType<typeof openDb>) => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (fs.existsSync(path.join(dataDir, DB_FILE))) {
      const db = openDb(dataDir, { readonly: true });
      try {
        const v = read(db);
        if (v !== undefined) return v;
      } finally {
        db.close();
      }
    }
    if (Date.now() > deadline) throw new Error(`not stored within ${timeoutMs} ms`);
    await sleep(100);
  }
}

t.test('daemon down: doctor makes the token call, and the rotated token is stored before use', async (t) => {
  const { sim, config, dataDir } = await setup(t);
  const first = await tokenRow(config);
  t.match(first.check, { result: 'ok', detail: /^daemon not running: token call accepted with token #1; the new token #2 is stored for the daemon$/ });
  t.equal(first.code, 0, 'doctor passes');
  t.equal(sim.received({ path: '/service/token' }).length, 1, 'one token call reached the province');
  t.equal(storedToken(dataDir), sim.currentToken(), 'the token the province issued is the one stored');

  // The rotated token is what the next call uses: a second doctor run is accepted with it.
  const second = await tokenRow(config);
  t.match(second.check, { result: 'ok', detail: /accepted with token #2; the new token #3/ });
  t.equal(storedToken(dataDir), sim.currentToken(), 'and the newer one is stored again');
});

t.test('a token the province refuses is named, with the fix, and nothing stored is lost', async (t) => {
  const { sim, config, dataDir } = await setup(t);
  // What a daemon that ran before left: the configured token, then one the province has since revoked.
  const db = openDb(dataDir);
  const tokens = new TokenStore(db);
  tokens.seedFromConfig('issued-0');
  tokens.rotate('revoked-by-the-province');
  db.close();
  const r = await tokenRow(config);
  t.equal(r.code, 1, 'doctor fails');
  t.match(r.check, {
    result: 'FAIL',
    detail: /^daemon not running: the province refused token #\d+ \(code 403 token过期或无效\)$/,
    fix: /ask the province to re-issue the gateway token and set it as province\.token/,
  });
  t.equal(storedToken(dataDir), 'revoked-by-the-province', 'the stored token is left as it was');
  t.equal(sim.received({ path: '/service/token' }).length, 1, 'the refused call did reach the province');
});

t.test('daemon up: the last call its session had accepted, and no token call from doctor', async (t) => {
  const { sim, config, dataDir } = await setup(t);
  const gw = gatewayFor(t, config);
  const pid = await untilStored(dataDir, (db) => new DaemonPresence(db).running(), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; daemon stderr: ${gw.stderr()}`);
  });
  t.equal(pid, gw.child.pid, 'the daemon recorded its process');
  const last = await untilStored(dataDir, (db) => new ProvinceAcceptedStore(db).last(), 30_000);
  t.match(last, { path: '/service/token', tokenSeq: 2 }, "the session's token call is recorded with the token it issued");
  const calls = sim.received({ path: '/service/token' }).length;

  const r = await tokenRow(config);
  t.match(r.check, {
    result: 'ok',
    detail: new RegExp(`^daemon running \\(pid ${pid}\\): province accepted /service/\\S+ with the current token \\(#2\\) at .* \\(Beijing time\\), \\d+ s ago; token refreshed every 3600 s$`),
  });
  t.equal(sim.received({ path: '/service/token' }).length, calls, 'doctor made no token call of its own');

  // Two refresh periods without an accepted call: the refresh is failing.
  const later = await tokenCheck(loadConfig(config), true, last.at + 2 * 3600_000 + 1000);
  t.match(later, { result: 'FAIL', detail: /nothing accepted for 2 refresh periods$/, fix: /token refresh failed/ });

  gw.child.kill('SIGTERM');
  t.equal(await gw.exited, 0, 'the daemon stops cleanly');
  const db = openDb(dataDir, { readonly: true });
  t.equal(new DaemonPresence(db).running(), undefined, 'and is known to be down');
  db.close();
});
