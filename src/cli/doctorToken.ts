// `vcgw doctor`'s "province token" check: is the token this gateway holds accepted by the province?
// The only cheap authenticated call is the token call, and it rotates the token: beside a running
// daemon it would race the daemon's own session. So with the daemon up, doctor reports the last
// call the province accepted (the session records it) and its age against the refresh period;
// with the daemon down, doctor makes the token call itself through the daemon's ProvinceSession and
// TokenStore, so the new token is on disk before anything uses it, exactly as the daemon stores it.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema/index.js';
import { silentLogger } from '../log.js';
import { provinceClient } from '../modules/uplinks/province/link.js';
import { ProvinceSession } from '../modules/uplinks/province/session.js';
import { ProvinceReplyError } from '../protocols/province/client.js';
import { CODE } from '../protocols/province/messages.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { DaemonPresence } from '../store/daemonPresence.js';
import { DB_FILE, openDb, type Db } from '../store/db.js';
import { ProvinceAcceptedStore } from '../store/provinceAccepted.js';
import { TokenStore } from '../store/tokens.js';
import type { Check } from './doctorCheck.js';

const CHECK = 'province token';
/** The session refreshes once a period: no accepted call for two periods means refreshes fail. */
const STALE_PERIODS = 2;

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** What the running daemon's session last had accepted, judged against the refresh period. */
function runningDaemonCheck(db: Db, pid: number, refreshMs: number, now: number): Check {
  const current = new TokenStore(db).current();
  const last = new ProvinceAcceptedStore(db).last();
  const running = `daemon running (pid ${pid})`;
  if (last === undefined) {
    return { check: CHECK, result: 'warn', detail: `${running}: no call accepted by the province yet`, fix: 'vcgw logs --since 1h: the token refresh and the province link are logged' };
  }
  const age = now - last.at;
  const which = last.tokenSeq === current?.seq ? `the current token (#${last.tokenSeq})` : `token #${last.tokenSeq ?? '?'}, not the current #${current?.seq ?? '?'}`;
  const detail = `${running}: province accepted ${last.path} with ${which} at ${beijingDateTime(last.at)} (Beijing time), ${seconds(age)} ago; token refreshed every ${seconds(refreshMs)}`;
  if (age > STALE_PERIODS * refreshMs) {
    return { check: CHECK, result: 'FAIL', detail: `${detail}: nothing accepted for ${STALE_PERIODS} refresh periods`, fix: 'vcgw logs --since 2h: look for "token refresh failed" or "province refused the token"' };
  }
  return { check: CHECK, result: 'ok', detail };
}

/** What to do about a refusal, by the province's code. */
function refusalFix(err: ProvinceReplyError): string {
  if (err.code === CODE.forbidden) {
    return 'the province no longer accepts the token this gateway holds: ask the province to re-issue the gateway token and set it as province.token (a newly configured token replaces the stored one at the next start)';
  }
  if (err.code === CODE.badSignature) return 'the province cannot verify the SM2 signature: check province.sm2_private_key (or _file) and province.sign_format against what the province registered';
  return 'see the province message; check gateway.device_code and province.user';
}

/** The daemon is down: the real token call, its new token stored before use, as the daemon's session does it. */
async function tokenCall(config: Config, db: Db): Promise<Check> {
  const p = config.province;
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(p.token);
  const client = provinceClient(p, config.gateway.device_code, { requestTimeoutMs: Math.min(p.request_timeout_ms, 5000) });
  const accepted = new ProvinceAcceptedStore(db);
  const session = new ProvinceSession({ client, tokens, refreshMs: p.token_refresh_s * 1000, log: silentLogger(), onAccepted: (path, token) => accepted.record(path, token) });
  const held = tokens.current();
  try {
    await session.refresh();
    const stored = tokens.current()!;
    return { check: CHECK, result: 'ok', detail: `daemon not running: token call accepted with token #${held?.seq}; the new token #${stored.seq} is stored for the daemon` };
  } catch (err) {
    if (err instanceof ProvinceReplyError) {
      return { check: CHECK, result: 'FAIL', detail: `daemon not running: the province refused token #${held?.seq} (code ${err.code} ${err.msg})`, fix: refusalFix(err) };
    }
    return { check: CHECK, result: 'FAIL', detail: `daemon not running: no token call: ${err instanceof Error ? err.message : String(err)}`, fix: 'see the province link check above' };
  } finally {
    await client.close();
  }
}

/**
 * Files the CLI created in the data dir belong to the data dir's owner: doctor run as root must
 * not leave the vcgw user's daemon a database it cannot write.
 */
function giveToDataDirOwner(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = fs.statSync(dataDir);
  for (const suffix of ['', '-wal', '-shm']) {
    const file = path.join(dataDir, DB_FILE + suffix);
    if (fs.existsSync(file)) fs.chownSync(file, uid, gid);
  }
}

/** The "province token" check; `linkUp`: some province link passed the TLS check (else no call is tried). */
export async function tokenCheck(config: Config, linkUp: boolean, now = Date.now()): Promise<Check> {
  const dataDir = config.gateway.data_dir;
  if (fs.existsSync(path.join(dataDir, DB_FILE))) {
    const db = openDb(dataDir, { readonly: true });
    try {
      const pid = new DaemonPresence(db).running();
      if (pid !== undefined) return runningDaemonCheck(db, pid, config.province.token_refresh_s * 1000, now);
    } finally {
      db.close();
    }
  }
  if (!linkUp) return { check: CHECK, result: 'warn', detail: 'not tried: no province link passed', fix: 'fix the province link first' };
  const db = openDb(dataDir);
  try {
    return await tokenCall(config, db);
  } finally {
    db.close();
    giveToDataDirOwner(dataDir);
  }
}
