// The chrony drop-in that makes this box the client of the province's time service and the time
// server of the camera network (seed 003 §5.4.3). Debian's chrony reads /etc/chrony/conf.d/*.conf.
import type { Config } from '../../config/schema/index.js';

export const CHRONY_DROP_IN = '/etc/chrony/conf.d/vcgw.conf';

/** HOST[:PORT] of a `time.servers` entry (IPv6 in brackets); NTP's port 123 when none is given. */
export function ntpEndpoint(spec: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`not an NTP server: ${spec}`);
  return { host: m[1]!, port: m[2] === undefined ? 123 : Number(m[2]) };
}

export function chronyDropIn(time: Config['time'], configFile: string): string {
  const lines = [`# Written by \`vcgw setup chrony\` from ${configFile} [time]: edit that file and run it again.`];
  if (time.servers.length === 0) lines.push("# time.servers is empty: the clock follows Debian's default sources in /etc/chrony/chrony.conf.");
  // iburst: the first sync after boot takes seconds, not minutes (cameras are set from this clock).
  for (const server of time.servers) {
    const { host, port } = ntpEndpoint(server);
    lines.push(port === 123 ? `server ${host} iburst` : `server ${host} port ${port} iburst`);
  }
  if (time.serve.length > 0) {
    for (const net of time.serve) lines.push(`allow ${net}`);
    // While the province's server is out of reach the cameras still get one common time (this
    // box's) rather than none; stratum 10 ranks it below any real source a camera may also have.
    lines.push('local stratum 10');
  }
  return `${lines.join('\n')}\n`;
}
