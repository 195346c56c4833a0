// Address allow-list of the monitor listener (CIDR, IPv4, IPv6, IPv4-mapped IPv6).
import net from 'node:net';

/** `::ffff:10.1.2.3` → `10.1.2.3`: a dual-stack listener reports IPv4 peers that way. */
export function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

/** Returns a predicate answering whether a peer address is allowed; throws on a malformed entry. */
export function buildAllowList(entries: readonly string[], field = 'monitor.allow'): (address: string | undefined) => boolean {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [rawIp = '', prefix] = entry.split('/');
    const ip = unmapIPv4(rawIp);
    const family = net.isIPv4(ip) ? 'ipv4' : net.isIPv6(ip) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 'ipv4' ? 32 : 128;
    if (!family || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > max))) {
      throw new Error(`${field}: ${entry} is not an IP address or CIDR`);
    }
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, bits, family);
  }
  return (address) => {
    if (!address) return false;
    const ip = unmapIPv4(address);
    if (net.isIPv4(ip)) return list.check(ip, 'ipv4');
    if (net.isIPv6(ip)) return list.check(ip, 'ipv6');
    return false;
  };
}
