// `vcgw doctor`: this box's clock against its time server (seed 003 §5.4.3: the gateway takes its
// time from the province's time service or the section's BeiDou clock, at least hourly).
import type { Config } from '../config/schema/index.js';
import { ntpEndpoint } from '../modules/time/chrony.js';
import { sntpQuery } from '../protocols/ntp/sntp.js';
import type { Check } from './doctorCheck.js';

/** Beyond this the overlay time and the report times are visibly wrong. */
const WARN_MS = 500;
const FAIL_MS = 5000;

/** The time server chrony follows first (time.servers), else the province's host on port 123. */
export function timeServerOf(config: Config): { host: string; port: number } {
  const first = config.time.servers[0];
  if (first === undefined) return { host: new URL(config.province.base_url).hostname.replace(/^\[(.*)\]$/, '$1'), port: 123 };
  return ntpEndpoint(first);
}

export async function clockCheck(config: Config, timeoutMs = 3000): Promise<Check> {
  const { host, port } = timeServerOf(config);
  const at = `${host}:${port}`;
  const local = new Date().toISOString();
  try {
    const r = await sntpQuery(host, port, timeoutMs);
    const off = Math.abs(r.offsetMs);
    const detail = `clock ${local}, ${r.offsetMs >= 0 ? 'behind' : 'ahead of'} ${at} by ${off.toFixed(0)} ms (round trip ${r.roundTripMs.toFixed(0)} ms, stratum ${r.stratum})`;
    if (off <= WARN_MS) return { check: 'clock', result: 'ok', detail };
    return {
      check: 'clock',
      result: off > FAIL_MS ? 'FAIL' : 'warn',
      detail,
      fix: `make chrony follow ${host} (server ${host} iburst in /etc/chrony/conf.d/), then chronyc makestep; cameras take their time from this box`,
    };
  } catch (err) {
    return {
      check: 'clock',
      result: 'warn',
      detail: `clock ${local}; time server ${at}: ${err instanceof Error ? err.message : String(err)}`,
      fix: config.time.servers.length === 0 ? 'set time.servers to the time server of the province or of the section (BeiDou)' : `check that ${at} answers NTP (UDP ${port}) from this box`,
    };
  }
}
