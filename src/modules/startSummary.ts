// The one line a person reads when the daemon has started (journalctl, a terminal): where the
// province calls it, how many cameras and pushes, and the province link with its token state.
import { beijingDateTime } from '../protocols/province/reports.js';
import type { StoredCamera } from '../store/cameras.js';
import type { TokenRow } from '../store/tokens.js';
import { cameraEndpoint } from './health/netcheck.js';

export interface StartFacts {
  version: string;
  apiUrl: string;
  monitorUrl: string;
  cameras: readonly Pick<StoredCamera, 'record' | 'access'>[];
  provinceUrl: string;
  backupLinks: number;
  token: TokenRow | undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function startSummary(f: StartFacts): string {
  const constant = f.cameras.filter((c) => c.record.pushType === 1).length;
  const noAddress = f.cameras.filter((c) => cameraEndpoint(c) === undefined).length;
  const cameras = `${plural(f.cameras.length, 'camera')} (${constant} with the constant 128 kbps push${noAddress > 0 ? `, ${noAddress} without an address` : ''})`;
  const link = `province ${f.provinceUrl}${f.backupLinks > 0 ? ` + ${plural(f.backupLinks, 'backup link')}` : ''}`;
  const token =
    f.token?.origin === 'platform'
      ? `token from the province ${beijingDateTime(f.token.obtainedAt)} (Beijing time)`
      : 'first token call under way (offline token from the config)';
  return `vcgw ${f.version} started: API ${f.apiUrl}, monitor ${f.monitorUrl}; ${cameras}; ${link}, ${token}`;
}
