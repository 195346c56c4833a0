// A time server on the wire (SNTP over UDP) whose clock is this machine's plus `offsetMs`: lets
// `vcgw doctor` and its tests measure a known clock offset without a real NTP server.
import dgram from 'node:dgram';
import { sntpReply } from '../protocols/ntp/sntp.js';

export interface NtpSim {
  host: string;
  port: number;
  close(): Promise<void>;
}

export function startNtpSim(o: { offsetMs?: number; stratum?: number; host?: string } = {}): Promise<NtpSim> {
  const host = o.host ?? '127.0.0.1';
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const reply = sntpReply(msg, () => Date.now() + (o.offsetMs ?? 0), o.stratum);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      resolve({ host, port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) });
    });
  });
}
