// Misbehaving clients of a listener: connections that never send a byte, and connections that
// send a request one byte at a time (slowloris). Real sockets; each records when it was closed.
import net from 'node:net';
import tls from 'node:tls';

export interface AbusiveClients {
  /** How many of the connections the server has closed so far. */
  closed(): number;
  /** How many are still open. */
  open(): number;
  destroy(): void;
}

interface Target {
  host: string;
  port: number;
}

function track(sockets: net.Socket[]): AbusiveClients {
  let closed = 0;
  for (const s of sockets) {
    s.on('error', () => {});
    s.once('close', () => closed++);
  }
  return {
    closed: () => closed,
    open: () => sockets.length - closed,
    destroy: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

/** `n` TCP connections that connect and then send nothing (no TLS ClientHello either). */
export async function idleConnections(to: Target, n: number): Promise<AbusiveClients> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect(to.port, to.host);
          s.once('connect', () => resolve(s));
          s.once('error', () => resolve(s));
        }),
    ),
  );
  return track(sockets);
}

/**
 * `n` connections (TLS when `ca` is given) that start a request and then send one more header
 * byte every `everyMs`, never finishing it.
 */
export async function slowSenders(to: Target, n: number, o: { ca?: string; everyMs?: number } = {}): Promise<AbusiveClients> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s: net.Socket = o.ca
            ? tls.connect({ host: to.host, port: to.port, ca: o.ca, servername: 'localhost', checkServerIdentity: () => undefined }, () => resolve(s))
            : net.connect(to.port, to.host, () => resolve(s));
          s.once('error', () => resolve(s));
        }),
    ),
  );
  const clients = track(sockets);
  for (const s of sockets) {
    if (s.destroyed) continue;
    s.write('POST /service/status.CheckGateway HTTP/1.1\r\nHost: gw\r\nX-Slow: ');
    const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('a')), o.everyMs ?? 500);
    timer.unref();
    s.once('close', () => clearInterval(timer));
  }
  return clients;
}
