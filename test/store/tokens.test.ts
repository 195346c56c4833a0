// The offline token from the config is seeded once: after many rotations a restart must keep
// the platform's latest token (found by the kill -9 fault test, issue 15: the config row was
// pruned after ten rotations and the next start took the stale offline token back).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openDb } from '../../src/store/db.js';
import { TokenStore } from '../../src/store/tokens.js';

t.test('after more rotations than the history keeps, a restart still uses the rotated token', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-tokens-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(dir);
  t.teardown(() => db.close());
  const tokens = new TokenStore(db);
  tokens.seedFromConfig('offline');
  for (let i = 1; i <= 15; i++) tokens.rotate(`rotated-${i}`);
  tokens.seedFromConfig('offline'); // the next start, same config
  t.equal(tokens.current()?.token, 'rotated-15', 'the latest rotated token stays current');
  t.ok((db.prepare('SELECT COUNT(*) AS n FROM tokens').get() as { n: number }).n <= 11, 'the history stays short');
  tokens.seedFromConfig('re-issued'); // a technician configures a new offline token
  t.equal(tokens.current()?.token, 're-issued', 'a newly configured token still wins');
});
