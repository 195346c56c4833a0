// URLs of snapshots. Two ways in: the TAuth header like every other call, or a signed URL the
// province can fetch without headers (the URLs sent in ReportSnapshot and ReportCameraQuality):
// `?expires=<unix s>&sig=<hex HMAC-SHA256 over "<path>\n<expires>">`, keyed by a secret made once
// per gateway and kept in the database, so URLs survive restarts.
import crypto from 'node:crypto';
import os from 'node:os';
import { getKv, setKv, type Db } from '../../store/db.js';
import type { Snapshot } from '../../store/snapshots.js';

const KEY_NAME = 'snapshots.url_key';

/** The gateway's URL-signing key; generated at first use. */
export function snapshotUrlKey(db: Db): Buffer {
  const make = db.transaction((): string => {
    const have = getKv(db, KEY_NAME);
    if (have) return have;
    const fresh = crypto.randomBytes(32).toString('hex');
    setKv(db, KEY_NAME, fresh);
    return fresh;
  });
  return Buffer.from(make.immediate(), 'hex');
}

export type UrlCheck = 'ok' | 'expired' | 'bad';

export const SNAPSHOT_PREFIX = '/snapshots/';

export class SnapshotUrls {
  constructor(
    private readonly o: {
      key: Buffer;
      /**
       * e.g. https://10.1.2.3:8443; no trailing slash needed. A function when the API learns its
       * port only once it listens (port 0 in tests): read at each URL.
       */
      baseUrl: string | (() => string);
      ttlS: number;
      now?: () => number;
    },
  ) {}

  get baseUrl(): string {
    const b = this.o.baseUrl;
    return (typeof b === 'string' ? b : b()).replace(/\/+$/, '');
  }

  private sign(pathname: string, expires: number): string {
    return crypto.createHmac('sha256', this.o.key).update(`${pathname}\n${expires}`).digest('hex');
  }

  /** URL path of a snapshot (its relative path under /snapshots/). */
  pathOf(rel: string): string {
    return SNAPSHOT_PREFIX + rel;
  }

  /** Signed URL valid for ttlS (default url_ttl_s). */
  urlFor(snap: Pick<Snapshot, 'path'>, ttlS = this.o.ttlS): string {
    const pathname = this.pathOf(snap.path);
    const expires = Math.floor((this.o.now ?? Date.now)() / 1000) + ttlS;
    return `${this.baseUrl}${pathname}?expires=${expires}&sig=${this.sign(pathname, expires)}`;
  }

  verify(pathname: string, expires: string | undefined, sig: string | undefined): UrlCheck {
    if (!expires || !sig || !/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/i.test(sig)) return 'bad';
    const want = Buffer.from(this.sign(pathname, Number(expires)), 'hex');
    if (!crypto.timingSafeEqual(want, Buffer.from(sig, 'hex'))) return 'bad';
    return Number(expires) * 1000 < (this.o.now ?? Date.now)() ? 'expired' : 'ok';
  }
}

/** First non-internal IPv4 address of this box, for a gateway listening on all addresses. */
function externalIpv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    const a = list?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}

/**
 * Base of snapshot URLs: `[snapshots] public_base_url`, else the API's listen address (with the
 * port it really got), where an all-addresses listen is replaced by this box's external IPv4.
 */
export function publicBaseUrl(configured: string | undefined, listening: { host: string; port: number }): string {
  if (configured) return configured.replace(/\/+$/, '');
  const wildcard = listening.host === '0.0.0.0' || listening.host === '::' || listening.host === '';
  const host = wildcard ? (externalIpv4() ?? '127.0.0.1') : listening.host;
  return `https://${host.includes(':') ? `[${host}]` : host}:${listening.port}`;
}
