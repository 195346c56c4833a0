// A UDP relay that loses and reorders datagrams on purpose (a tiny netem on loopback), seeded so
// a run is repeatable: for tests and benchmarks of receivers, and for field trials of how much
// loss a GB/T 28181 media path survives.
import dgram from 'node:dgram';
import { seededRandom } from './random.js';

export interface UdpImpairmentOptions {
  /** Where datagrams are relayed to. */
  target: { address: string; port: number };
  /** Share of datagrams dropped, 0..1. */
  lossRate: number;
  /** Share of datagrams held back and sent after the next one, 0..1. */
  reorderRate?: number;
  seed?: number;
  host?: string;
}

export interface UdpImpairmentStats {
  received: number;
  forwarded: number;
  dropped: number;
  reordered: number;
}

export interface UdpImpairment {
  /** Send here instead of to the target. */
  readonly port: number;
  readonly stats: UdpImpairmentStats;
  close(): Promise<void>;
}

export async function startUdpImpairment(opts: UdpImpairmentOptions): Promise<UdpImpairment> {
  for (const [name, v] of [['lossRate', opts.lossRate], ['reorderRate', opts.reorderRate ?? 0]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`udp impairment ${name} must be in 0..1, got ${v}`);
  }
  const random = seededRandom(opts.seed ?? 1);
  const reorderRate = opts.reorderRate ?? 0;
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, opts.host ?? '127.0.0.1', () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  const stats: UdpImpairmentStats = { received: 0, forwarded: 0, dropped: 0, reordered: 0 };
  let held: Buffer | undefined;
  const forward = (msg: Buffer): void => {
    stats.forwarded++;
    socket.send(msg, opts.target.port, opts.target.address);
  };
  socket.on('message', (msg) => {
    stats.received++;
    if (random() < opts.lossRate) {
      stats.dropped++;
      return;
    }
    if (!held && random() < reorderRate) {
      held = msg;
      stats.reordered++;
      return;
    }
    forward(msg);
    if (held) {
      forward(held);
      held = undefined;
    }
  });
  socket.on('error', () => {
    // A relay on loopback only sees ICMP errors when the target is gone: nothing to do.
  });
  return {
    port: socket.address().port,
    stats,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
