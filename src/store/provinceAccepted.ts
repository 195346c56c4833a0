import { getKv, setKv, type Db } from './db.js';

/** The last call the province accepted, as `vcgw doctor` shows it while the daemon runs. */
export interface AcceptedCall {
  /** ms since epoch. */
  at: number;
  /** e.g. /service/video.ReportCameraStatus; /service/token when the province issued the token. */
  path: string;
  /** The tokens row (TokenStore seq) of the token it was made with; undefined when the token is no longer stored. */
  tokenSeq: number | undefined;
}

const KEY = 'province.last_accepted';

/**
 * Written by the daemon's province session on every accepted call, read by `vcgw doctor`: the
 * token call rotates the token, so doctor must not make it beside a running daemon, and this
 * record is its evidence that the current token works. Holds the token's seq, never the token.
 */
export class ProvinceAcceptedStore {
  constructor(private readonly db: Db) {}

  record(path: string, token: string, now = Date.now()): void {
    const row = this.db.prepare('SELECT seq FROM tokens WHERE token = ? ORDER BY seq DESC LIMIT 1').get(token) as { seq: number } | undefined;
    const call: AcceptedCall = { at: now, path, tokenSeq: row?.seq };
    setKv(this.db, KEY, JSON.stringify(call));
  }

  last(): AcceptedCall | undefined {
    const value = getKv(this.db, KEY);
    return value === undefined ? undefined : (JSON.parse(value) as AcceptedCall);
  }
}
