// kill -9 at random instants of a token rotation (issue 15, item 5): `vcgw run` is killed while
// it rotates its token, 20 times; it must never be locked out of the platform. Each run starts
// as a box that was off for two hours (its stored token's confirmation is moved back), so the
// gateway rotates at once at start; it is killed 0–40 ms after the platform received the token
// call: before the reply, between the reply and the commit, or after it.
//
// A kill between the platform's reply and the commit loses the new token: the gateway restarts
// on the old one, which the platform still accepts as the previous token for its grace period.
// Two such losses in a row cannot be survived by any gateway (the platform keeps one previous
// token), so after a lost reply the next start is let through its rotation before the next kill.
import t from 'tap';
import { openDb } from '../../src/store/db.js';
import { TokenStore } from '../../src/store/tokens.js';
import { generateSm2KeyPair, startSim, writeGatewayConfig, type GatewayFiles } from '../helpers/fixture.js';
import { runGateway } from '../helpers/gateway.js';
import { until } from '../helpers/media.js';
import type { ProvinceSim } from '../../src/sim/province/index.js';

const RUNS = Number(process.env.VCGW_FAULT_ROTATION_RUNS ?? 20);
const keys = generateSm2KeyPair();

function storedToken(files: GatewayFiles, ageBy = 0): string | undefined {
  const db = openDb(files.dataDir);
  try {
    if (ageBy) db.prepare('UPDATE tokens SET obtained_at = obtained_at - ?, confirmed_at = confirmed_at - ?').run(ageBy, ageBy);
    return new TokenStore(db).current()?.token;
  } finally {
    db.close();
  }
}

/** Starts the gateway; resolves with its token call (as the platform recorded it) and a kill. */
async function startUntilTokenCall(t: { teardown(fn: () => unknown): void }, sim: ProvinceSim, files: GatewayFiles) {
  const since = sim.received().at(-1)?.seq ?? 0;
  const gw = runGateway(files.configFile);
  t.teardown(() => gw.child.kill('SIGKILL'));
  const call = await sim.waitFor((r) => r.seq > since && r.path === '/service/token', 30_000);
  const kill = async () => {
    gw.child.kill('SIGKILL');
    await gw.exited;
  };
  return { call, since, kill };
}

t.test(`kill -9 at random instants of a token rotation, ${RUNS} runs: never locked out`, async (t) => {
  const sim = await startSim(keys);
  t.teardown(() => sim.close());
  const files = await writeGatewayConfig(t.testdir(), sim, keys, { snapshots: { enabled: false }, quality: { enabled: false } });
  let refused = 0;
  let lost = 0;
  const kills: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    if (run > 0) storedToken(files, 7_200_000);
    const { call, kill } = await startUntilTokenCall(t, sim, files);
    const delayMs = Math.floor(Math.random() * 40);
    await new Promise((r) => setTimeout(r, delayMs));
    await kill();
    kills.push(delayMs);
    if (call.code !== 200) refused++;
    if (storedToken(files) === sim.currentToken()) continue;
    // The reply was lost: this start must get through with the old token, and is left to finish.
    lost++;
    const again = await startUntilTokenCall(t, sim, files);
    if (again.call.code !== 200) refused++;
    await sim.waitFor((r) => r.seq > again.since && r.path !== '/service/token' && r.code === 200, 30_000);
    await until('the rotated token committed', () => storedToken(files) === sim.currentToken(), 10_000);
    await again.kill();
  }
  t.comment(`killed ${RUNS} times 0–40 ms after the token call reached the platform (${kills.join(' ')} ms); the new token was lost by ${lost} of the kills`);
  t.equal(refused, 0, 'every token call after a kill was accepted by the platform');

  const since = sim.received().at(-1)?.seq ?? 0;
  const gw = runGateway(files.configFile);
  t.teardown(() => gw.child.kill('SIGKILL'));
  const next = await sim.waitFor((r) => r.seq > since && r.path !== '/service/token' && r.code !== 0, 30_000);
  gw.child.kill('SIGKILL');
  await gw.exited;
  t.equal(next.code, 200, `after the last kill the gateway's calls are accepted (${next.path})`);
  t.equal(next.headers['tauth'], sim.currentToken(), "with the platform's current token");
});
