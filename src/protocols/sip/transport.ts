// UDP and TCP on one configured port (GB/T 28181 devices pick either per their settings, and a
// platform must answer both at the same address). Bytes in, bytes out: parsing is the stack's job.
import dgram from 'node:dgram';
import net from 'node:net';
import { StreamFramer } from './framing.js';
import { RateLimiter, type RateLimitOptions } from './rateLimit.js';

export type TransportName = 'UDP' | 'TCP';

export interface Remote {
  transport: TransportName;
  address: string;
  port: number;
}

export type SipLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** The injected logger: the library never prints by itself. */
export type SipLog = (level: SipLogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface TransportOptions {
  host: string;
  /** 0 picks a free port, the same number for UDP and TCP. */
  port: number;
  udp: boolean;
  tcp: boolean;
  maxMessageBytes: number;
  /** null: no limit. */
  rateLimit: RateLimitOptions | null;
  log: SipLog;
  /** TCP connections with no traffic for this long are closed. */
  tcpIdleMs: number;
  connectTimeoutMs: number;
  /** Open TCP connections at most (file descriptors are finite); more are closed at once. */
  maxTcpConnections: number;
}

export interface TransportEvents {
  message(bytes: Buffer, remote: Remote, datagram: boolean): void;
  oversized(head: Buffer, remote: Remote, reason: string): void;
}

function keyOf(address: string, port: number): string {
  return `${address}|${port}`;
}

export class SipTransport {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly connections = new Map<string, net.Socket>();
  private readonly connecting = new Map<string, Promise<net.Socket>>();
  private readonly limiter: RateLimiter | null;
  private boundPort = 0;
  private closed = false;
  /** Whether new TCP connections are being refused now (so the log says so once per episode). */
  private refusing = false;

  constructor(
    private readonly opts: TransportOptions,
    private readonly events: TransportEvents,
  ) {
    this.limiter = opts.rateLimit ? new RateLimiter(opts.rateLimit) : null;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<number> {
    if (!this.opts.udp && !this.opts.tcp) throw new Error('SIP transport: neither udp nor tcp enabled');
    // With port 0 the TCP port chosen may be taken on UDP: try a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.bind(this.opts.port);
        return this.boundPort;
      } catch (err) {
        await this.closeSockets();
        if (this.opts.port !== 0 || attempt >= 10) throw err;
      }
    }
  }

  private async bind(port: number): Promise<void> {
    let chosen = port;
    if (this.opts.tcp) {
      const server = net.createServer((sock) => this.accept(sock));
      server.on('error', (err) => this.opts.log('error', 'SIP TCP server error', { err: err.message }));
      this.tcp = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(chosen, this.opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chosen = (server.address() as net.AddressInfo).port;
    }
    if (this.opts.udp) {
      const sock = dgram.createSocket({ type: net.isIPv6(this.opts.host) ? 'udp6' : 'udp4' });
      this.udp = sock;
      sock.on('message', (bytes, rinfo) => this.onDatagram(bytes, rinfo));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(chosen, this.opts.host, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      sock.on('error', (err) => this.opts.log('error', 'SIP UDP socket error', { err: err.message }));
      chosen = sock.address().port;
    }
    this.boundPort = chosen;
  }

  private allowed(address: string): boolean {
    if (!this.limiter) return true;
    const d = this.limiter.take(address);
    if (d === 'deny-first') this.opts.log('warn', 'SIP messages from this address are being rate-limited', { address });
    return d === 'allow';
  }

  private onDatagram(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    const remote: Remote = { transport: 'UDP', address: rinfo.address, port: rinfo.port };
    if (!this.allowed(rinfo.address)) return;
    // A lone CRLF(CRLF) is a keep-alive ping (RFC 5626): nothing to do.
    if (bytes.length <= 4 && bytes.every((b) => b === 0x0d || b === 0x0a)) return;
    if (bytes.length > this.opts.maxMessageBytes) {
      this.events.oversized(bytes.subarray(0, 2048), remote, `datagram of ${bytes.length} bytes over ${this.opts.maxMessageBytes}`);
      return;
    }
    this.events.message(bytes, remote, true);
  }

  private accept(sock: net.Socket): void {
    if (this.connections.size >= this.opts.maxTcpConnections) {
      if (!this.refusing) this.opts.log('warn', 'SIP TCP connections refused: limit reached', { limit: this.opts.maxTcpConnections });
      this.refusing = true;
      sock.destroy();
      return;
    }
    this.refusing = false;
    this.adopt(sock);
  }

  private adopt(sock: net.Socket): net.Socket {
    const address = sock.remoteAddress ?? '';
    const port = sock.remotePort ?? 0;
    const key = keyOf(address, port);
    const remote: Remote = { transport: 'TCP', address, port };
    this.connections.set(key, sock);
    const framer = new StreamFramer(this.opts.maxMessageBytes);
    sock.setTimeout(this.opts.tcpIdleMs, () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        if (frame.kind === 'oversized') {
          this.events.oversized(frame.head, remote, frame.reason);
          // The stream cannot be resynchronised: end it once the 513 (if any) is written.
          setImmediate(() => sock.end());
        } else if (this.allowed(address)) {
          this.events.message(frame.bytes, remote, false);
        }
      }
    });
    sock.on('error', (err) => this.opts.log('debug', 'SIP TCP connection error', { address, port, err: err.message }));
    sock.on('close', () => {
      if (this.connections.get(key) === sock) this.connections.delete(key);
    });
    return sock;
  }

  private connect(address: string, port: number): Promise<net.Socket> {
    const key = keyOf(address, port);
    const existing = this.connections.get(key);
    if (existing && !existing.destroyed) return Promise.resolve(existing);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const p = new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: address, port, timeout: this.opts.connectTimeoutMs });
      const fail = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      sock.once('error', fail);
      sock.once('timeout', () => fail(new Error(`TCP connect to ${address}:${port} timed out`)));
      sock.once('connect', () => {
        sock.off('error', fail);
        sock.removeAllListeners('timeout');
        sock.setTimeout(0);
        // Keyed by the peer's listening address, which is where requests and responses go.
        this.adopt(sock);
        this.connections.set(key, sock);
        resolve(sock);
      });
    }).finally(() => this.connecting.delete(key));
    this.connecting.set(key, p);
    return p;
  }

  async send(bytes: Buffer, remote: Remote): Promise<void> {
    if (this.closed) throw new Error('SIP transport closed');
    if (remote.transport === 'UDP') {
      const sock = this.udp;
      if (!sock) throw new Error('UDP transport not enabled');
      await new Promise<void>((resolve, reject) => sock.send(bytes, remote.port, remote.address, (err) => (err ? reject(err) : resolve())));
      return;
    }
    if (!this.tcp) throw new Error('TCP transport not enabled');
    const sock = await this.connect(remote.address, remote.port);
    await new Promise<void>((resolve, reject) => sock.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  private async closeSockets(): Promise<void> {
    for (const s of this.connections.values()) s.destroy();
    this.connections.clear();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    // A socket whose bind failed is not running and refuses close(): nothing to wait for then.
    if (udp) await new Promise<void>((r) => {
      try {
        udp.close(() => r());
      } catch {
        r();
      }
    });
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.closeSockets();
  }
}
