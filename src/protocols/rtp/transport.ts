// The three ways GB/T 28181 carries RTP: UDP, TCP passive (we listen, the peer connects) and TCP
// active (we connect), the TCP ones with RFC 4571 framing. One link type for both directions:
// the device side receives on it, the cascade sends on it.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { frameRfc4571All, Rfc4571Deframer } from './framing.js';
import type { PortAllocator } from './ports.js';

export type RtpTransportMode = 'udp' | 'tcp-passive' | 'tcp-active';

export const RTP_TRANSPORT_MODES: readonly RtpTransportMode[] = ['udp', 'tcp-passive', 'tcp-active'];

export interface RtpEndpoint {
  address: string;
  port: number;
}

/**
 * RFC 4145 §4: our transport for the `a=setup` the peer put in its SDP (active → we are
 * passive; passive → we connect; actpass → we choose passive, the side that needs no address).
 */
export function tcpModeForPeerSetup(peerSetup: string): 'tcp-passive' | 'tcp-active' {
  switch (peerSetup.trim().toLowerCase()) {
    case 'active':
    case 'actpass':
      return 'tcp-passive';
    case 'passive':
      return 'tcp-active';
    default:
      throw new RangeError(`SDP a=setup must be active, passive or actpass, got ${JSON.stringify(peerSetup)}`);
  }
}

/** The `a=setup` value we announce for our transport mode. */
export function setupAttributeFor(mode: 'tcp-passive' | 'tcp-active'): 'passive' | 'active' {
  return mode === 'tcp-passive' ? 'passive' : 'active';
}

export interface RtpLinkOptions {
  mode: RtpTransportMode;
  /**
   * Local address to bind or listen on (default 127.0.0.1: set the media address for real
   * use). TCP active binds it only when given, so that it can reach any peer.
   */
  host?: string;
  /** Local port source (UDP and TCP passive); without it, a fixed `localPort` or an ephemeral one. */
  ports?: PortAllocator;
  localPort?: number;
  /** The peer: required for sending on UDP and for TCP active. */
  remote?: RtpEndpoint;
  /** TCP active: keep trying to connect this long (the peer may open its port just after its answer). */
  connectTimeoutMs?: number;
  /** TCP: a peer this far behind makes send() return false. */
  maxBufferedBytes?: number;
  /**
   * UDP with `remote`: connect the socket to it, so that the peer's ICMP port unreachable makes
   * sends fail (see `refusing`). Only packets from `remote` are then received.
   */
  udpConnect?: boolean;
}

/**
 * How long after the last ICMP port unreachable a connected UDP link counts as refused. Longer
 * than a GOP (after a refused frame only keyframes are sent) and than the kernel's ICMP rate
 * limit (one a second off loopback).
 */
const UDP_REFUSED_WINDOW_MS = 10_000;

export interface RtpLinkStats {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** TCP passive: connections refused because one was already taken. */
  extraConnections: number;
  /** TCP: zero-length RFC 4571 frames skipped. */
  emptyFrames: number;
  /** Socket errors (the last one is in `lastError`). */
  errors: number;
}

export interface RtpLinkEvents {
  packet: [packet: Buffer, from: RtpEndpoint];
  connect: [peer: RtpEndpoint];
  /** TCP: the connection ended (the link is finished); UDP never emits it before close(). */
  close: [];
  /** Only emitted when someone listens: a peer's reset must not crash the process. */
  error: [error: Error];
}

const CONNECT_RETRY_MS = 100;

/**
 * One RTP stream's transport. Emits `packet` for every RTP/RTCP packet received (framing
 * removed), `connect` when a TCP peer is there. Closing releases the local port.
 */
export abstract class RtpLink extends EventEmitter<RtpLinkEvents> {
  readonly stats: RtpLinkStats = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, extraConnections: 0, emptyFrames: 0, errors: 0 };
  lastError: Error | undefined;
  protected closed = false;
  private portReleased = false;

  constructor(
    readonly mode: RtpTransportMode,
    /** The local port (for TCP active, the connection's local port once connected, else 0). */
    public localPort: number,
    private readonly ports: PortAllocator | undefined,
  ) {
    super();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether send() can deliver now (UDP: a remote is known; TCP: connected). */
  abstract get ready(): boolean;

  /** Connected UDP: the peer's port answered ICMP port unreachable lately; send() then returns false. */
  get refusing(): boolean {
    return false;
  }

  /**
   * Sends packets (on TCP, framed into one write). Returns false when they could not be sent
   * (not connected, or the peer is more than maxBufferedBytes behind): the caller decides
   * whether the stream is abandoned.
   */
  abstract send(packets: readonly Buffer[]): boolean;

  /** Resolves when a TCP peer is connected (at once for UDP); rejects after `timeoutMs`. */
  abstract waitReady(timeoutMs: number): Promise<void>;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeTransport();
    this.releasePort();
    this.emit('close');
  }

  protected abstract closeTransport(): Promise<void>;

  protected releasePort(): void {
    if (this.portReleased) return;
    this.portReleased = true;
    if (this.ports && this.localPort) this.ports.release(this.localPort);
  }

  protected fail(err: Error): void {
    this.stats.errors++;
    this.lastError = err;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  protected countIn(bytes: number): void {
    this.stats.packetsIn++;
    this.stats.bytesIn += bytes;
  }

  protected countOut(packets: readonly Buffer[]): void {
    this.stats.packetsOut += packets.length;
    for (const p of packets) this.stats.bytesOut += p.length;
  }
}

export async function openRtpLink(opts: RtpLinkOptions): Promise<RtpLink> {
  const host = opts.host ?? '127.0.0.1';
  switch (opts.mode) {
    case 'udp':
      return UdpLink.open(host, opts);
    case 'tcp-passive':
      return TcpPassiveLink.open(host, opts);
    case 'tcp-active':
      return TcpActiveLink.open(opts.host, opts);
    default:
      throw new RangeError(`rtp transport mode must be one of ${RTP_TRANSPORT_MODES.join(', ')}, got ${String(opts.mode)}`);
  }
}

async function bindLocal<T>(opts: RtpLinkOptions, bind: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
  if (opts.ports) return opts.ports.bindFree(bind);
  const value = await bind(opts.localPort ?? 0);
  return { port: opts.localPort ?? 0, value };
}

class UdpLink extends RtpLink {
  private constructor(
    private readonly socket: dgram.Socket,
    port: number,
    ports: PortAllocator | undefined,
    private remote: RtpEndpoint | undefined,
    private readonly connected: boolean,
  ) {
    super('udp', port, ports);
    socket.on('message', (msg, rinfo) => {
      this.countIn(msg.length);
      this.emit('packet', msg, { address: rinfo.address, port: rinfo.port });
    });
    socket.on('error', (err) => this.sendFailed(err));
  }

  private refusedAt: number | undefined;

  private readonly sendFailed = (err: Error | null): void => {
    if (!err) return;
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') this.refusedAt = Date.now();
    this.fail(err);
  };

  override get refusing(): boolean {
    return this.refusedAt !== undefined && Date.now() - this.refusedAt < UDP_REFUSED_WINDOW_MS;
  }

  static async open(host: string, opts: RtpLinkOptions): Promise<UdpLink> {
    const family = net.isIPv6(host) ? 'udp6' : 'udp4';
    const { value: socket } = await bindLocal(opts, (port) => {
      const s = dgram.createSocket({ type: family });
      return new Promise<dgram.Socket>((resolve, reject) => {
        s.once('error', (err) => {
          s.close();
          reject(err);
        });
        s.bind(port, host, () => {
          s.removeAllListeners('error');
          resolve(s);
        });
      });
    });
    // A video stream's bursts (an I-frame is hundreds of packets) overflow the default receive buffer.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // The kernel may cap it (net.core.rmem_max); the default still works at low rates.
    }
    const remote = opts.remote;
    const connect = opts.udpConnect === true && remote !== undefined;
    if (connect) await new Promise<void>((resolve) => socket.connect(remote.port, remote.address, resolve));
    return new UdpLink(socket, socket.address().port, opts.ports, remote, connect);
  }

  get ready(): boolean {
    return this.remote !== undefined && !this.closed;
  }

  /** Sets where send() goes (UDP only; e.g. learnt from the first packet for symmetric RTP). */
  setRemote(remote: RtpEndpoint): void {
    if (this.connected) throw new Error('rtp udp: a connected link keeps the remote it was opened with');
    this.remote = remote;
  }

  send(packets: readonly Buffer[]): boolean {
    const remote = this.remote;
    if (!remote || this.closed) return false;
    // Sent even while refused: the peer may open its port again.
    if (this.connected) for (const p of packets) this.socket.send(p, this.sendFailed);
    else for (const p of packets) this.socket.send(p, remote.port, remote.address);
    this.countOut(packets);
    return !this.refusing;
  }

  waitReady(): Promise<void> {
    return Promise.resolve();
  }

  protected closeTransport(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Shared by both TCP links: one connected socket, RFC 4571 in both directions. */
abstract class TcpLink extends RtpLink {
  protected socket: net.Socket | undefined;
  private readonly deframer = new Rfc4571Deframer();
  private readonly maxBuffered: number;

  constructor(mode: 'tcp-passive' | 'tcp-active', port: number, ports: PortAllocator | undefined, opts: RtpLinkOptions) {
    super(mode, port, ports);
    this.maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  get ready(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && !this.closed;
  }

  send(packets: readonly Buffer[]): boolean {
    const s = this.socket;
    if (!s || s.destroyed || this.closed) return false;
    if (s.writableLength > this.maxBuffered) return false;
    s.write(frameRfc4571All(packets));
    this.countOut(packets);
    return true;
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`rtp ${this.mode}: no peer connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new Error(`rtp ${this.mode}: closed before a peer connected`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('connect', onConnect);
        this.off('close', onClose);
      };
      this.on('connect', onConnect);
      this.on('close', onClose);
    });
  }

  protected adopt(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    const from = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('data', (chunk: Buffer) => {
      const packets = this.deframer.push(chunk);
      this.stats.emptyFrames = this.deframer.emptyFrames;
      for (const p of packets) {
        this.countIn(p.length);
        this.emit('packet', p, from);
      }
    });
    socket.on('error', (err) => this.fail(err));
    // The connection is the stream: when it ends, the link is finished.
    socket.on('close', () => void this.close());
    this.emit('connect', from);
  }

  protected destroySocket(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }
}

class TcpPassiveLink extends TcpLink {
  private constructor(
    private readonly server: net.Server,
    port: number,
    opts: RtpLinkOptions,
  ) {
    super('tcp-passive', port, opts.ports, opts);
    server.on('connection', (socket) => {
      if (this.socket || this.closed) {
        // One stream per port: a second connection (a retry racing the first) is refused.
        this.stats.extraConnections++;
        socket.destroy();
        return;
      }
      this.adopt(socket);
    });
    server.on('error', (err) => this.fail(err));
  }

  static async open(host: string, opts: RtpLinkOptions): Promise<TcpPassiveLink> {
    const { value: server } = await bindLocal(opts, (port) => {
      const srv = net.createServer();
      return new Promise<net.Server>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port, host, exclusive: true }, () => {
          srv.removeListener('error', reject);
          resolve(srv);
        });
      });
    });
    return new TcpPassiveLink(server, (server.address() as net.AddressInfo).port, opts);
  }

  protected async closeTransport(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.destroySocket();
    await closed;
  }
}

class TcpActiveLink extends TcpLink {
  private constructor(opts: RtpLinkOptions) {
    super('tcp-active', 0, undefined, opts);
  }

  static async open(host: string | undefined, opts: RtpLinkOptions): Promise<TcpActiveLink> {
    const remote = opts.remote;
    if (!remote) throw new RangeError('rtp tcp-active: remote address and port are required');
    const link = new TcpActiveLink(opts);
    const deadline = Date.now() + (opts.connectTimeoutMs ?? 3000);
    for (;;) {
      try {
        const socket = await connectOnce(remote, host, Math.max(1, deadline - Date.now()));
        link.localPort = socket.localPort ?? 0;
        link.adopt(socket);
        return link;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED' || Date.now() + CONNECT_RETRY_MS > deadline) {
          throw new Error(`rtp tcp-active: cannot connect to ${remote.address}:${remote.port}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
      }
    }
  }

  protected closeTransport(): Promise<void> {
    return this.destroySocket();
  }
}

/** One connection attempt, abandoned after `timeoutMs` (a peer behind a filter never answers the SYN). */
function connectOnce(remote: RtpEndpoint, localAddress: string | undefined, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: remote.address, port: remote.port, ...(localAddress ? { localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
  });
}
