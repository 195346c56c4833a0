// SNTP (RFC 4330) over UDP: one client query measuring this clock's offset from a time server,
// and the server side for the simulator. Hand-written: a 48-byte packet and four timestamps;
// the npm NTP clients are unmaintained or return only the server's time, not the offset.
import dgram from 'node:dgram';
import net from 'node:net';

const NTP_EPOCH_OFFSET_S = 2_208_988_800; // 1900-01-01 to 1970-01-01
export const NTP_PACKET_BYTES = 48;

export function writeTimestamp(buf: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET_S;
  const fraction = Math.round(((ms % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(seconds >>> 0, offset);
  buf.writeUInt32BE(Math.min(fraction, 2 ** 32 - 1), offset + 4);
}

export function readTimestamp(buf: Buffer, offset: number): number {
  return (buf.readUInt32BE(offset) - NTP_EPOCH_OFFSET_S) * 1000 + (buf.readUInt32BE(offset + 4) / 2 ** 32) * 1000;
}

export interface SntpResult {
  /** Server clock minus this clock, ms (positive: this clock is behind). */
  offsetMs: number;
  roundTripMs: number;
  stratum: number;
}

/** One SNTP exchange with `host:port`; rejects on timeout, a short reply or an unsynchronised server. */
export function sntpQuery(host: string, port: number, timeoutMs: number, now: () => number = Date.now): Promise<SntpResult> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const request = Buffer.alloc(NTP_PACKET_BYTES);
    request[0] = (4 << 3) | 3; // version 4, mode 3 (client)
    const t1 = now();
    writeTimestamp(request, 40, t1);
    const finish = (err: Error | undefined, result?: SntpResult) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg) => {
      const t4 = now();
      if (msg.length < NTP_PACKET_BYTES) return finish(new Error(`${host}:${port}: a ${msg.length}-byte reply is not NTP`));
      const stratum = msg[1]!;
      if (stratum === 0 || (msg[0]! & 0xc0) === 0xc0) return finish(new Error(`${host}:${port}: the server is not synchronised (stratum ${stratum})`));
      if (msg.readBigUInt64BE(24) !== request.readBigUInt64BE(40)) return finish(new Error(`${host}:${port}: the reply does not answer our query`));
      const t2 = readTimestamp(msg, 32);
      const t3 = readTimestamp(msg, 40);
      finish(undefined, { offsetMs: (t2 - t1 + (t3 - t4)) / 2, roundTripMs: t4 - t1 - (t3 - t2), stratum });
    });
    socket.send(request, port, host, (err) => err && finish(err));
  });
}

/** The server's reply to a client query, `clock` giving the server's time in ms. */
export function sntpReply(query: Buffer, clock: () => number, stratum = 2): Buffer | undefined {
  if (query.length < NTP_PACKET_BYTES || (query[0]! & 0x07) !== 3) return undefined;
  const reply = Buffer.alloc(NTP_PACKET_BYTES);
  reply[0] = (0 << 6) | (4 << 3) | 4; // no leap warning, version 4, mode 4 (server)
  reply[1] = stratum;
  query.copy(reply, 24, 40, 48); // originate = the client's transmit time
  writeTimestamp(reply, 16, clock()); // reference
  writeTimestamp(reply, 32, clock()); // receive
  writeTimestamp(reply, 40, clock()); // transmit
  return reply;
}
