// Raw SIP peers for tests: a UDP socket or a TCP connection that sends exactly the bytes a test
// writes (as a quirky device would) and hands back what the endpoint answers, parsed.
import dgram from 'node:dgram';
import net from 'node:net';
import { StreamFramer } from '../../src/protocols/sip/framing.js';
import { parseMessage, type SipMessage } from '../../src/protocols/sip/message.js';

export interface RawPeer {
  readonly port: number;
  send(bytes: string | Buffer): void;
  /** The next message received (in order), or a rejection after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SipMessage>;
  /** Skips messages until one satisfies `pred` (those skipped are gone). */
  until(pred: (m: SipMessage) => boolean, timeoutMs?: number): Promise<SipMessage>;
  /** Messages received so far and not yet taken by next(). */
  readonly queued: SipMessage[];
  close(): Promise<void>;
}

class Inbox {
  readonly queued: SipMessage[] = [];
  private waiters: ((m: SipMessage) => void)[] = [];

  push(m: SipMessage): void {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.queued.push(m);
  }

  next(timeoutMs: number): Promise<SipMessage> {
    const m = this.queued.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no SIP message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (msg: SipMessage): void => {
        clearTimeout(timer);
        resolve(msg);
      };
      this.waiters.push(waiter);
    });
  }
}

async function until(peer: Pick<RawPeer, 'next'>, pred: (m: SipMessage) => boolean, timeoutMs = 3000): Promise<SipMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await peer.next(Math.max(1, deadline - Date.now()));
    if (pred(m)) return m;
  }
}

export async function rawUdp(serverPort: number, bindAddress = '127.0.0.1'): Promise<RawPeer> {
  const sock = dgram.createSocket('udp4');
  const inbox = new Inbox();
  sock.on('message', (buf) => {
    const p = parseMessage(buf, true);
    if (p.ok) inbox.push(p.message);
  });
  await new Promise<void>((r) => sock.bind(0, bindAddress, () => r()));
  const peer: RawPeer = {
    port: sock.address().port,
    queued: inbox.queued,
    send: (bytes) => sock.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, serverPort, '127.0.0.1'),
    next: (timeoutMs = 3000) => inbox.next(timeoutMs),
    until: (pred, timeoutMs) => until(peer, pred, timeoutMs),
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
  return peer;
}

export interface RawTcpPeer extends RawPeer {
  /** Resolves when the server closes the connection. */
  readonly ended: Promise<void>;
}

export async function rawTcp(serverPort: number): Promise<RawTcpPeer> {
  const sock = net.connect({ host: '127.0.0.1', port: serverPort });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const inbox = new Inbox();
  const framer = new StreamFramer(1 << 20);
  sock.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) {
      if (f.kind !== 'message') continue;
      const p = parseMessage(f.bytes, false);
      if (p.ok) inbox.push(p.message);
    }
  });
  sock.on('error', () => undefined);
  const ended = new Promise<void>((r) => sock.once('close', () => r()));
  const peer: RawTcpPeer = {
    port: sock.localPort ?? 0,
    queued: inbox.queued,
    ended,
    send: (bytes) => sock.write(bytes),
    next: (timeoutMs = 3000) => inbox.next(timeoutMs),
    until: (pred, timeoutMs) => until(peer, pred, timeoutMs),
    close: async () => {
      sock.destroy();
      await ended;
    },
  };
  return peer;
}

/** A request as devices write it, CRLF line ends; `body` is appended with its Content-Length unless `noLength`. */
export function sipText(lines: string[], body: Buffer | string = '', opts: { noLength?: boolean } = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = [...lines, ...(opts.noLength ? [] : [`Content-Length: ${b.length}`])].join('\r\n') + '\r\n\r\n';
  return Buffer.concat([Buffer.from(head), b]);
}

let seq = 0;
/** A well-formed OPTIONS from a raw peer at `port`, unique branch each call. */
export function options(port: number, transport = 'UDP'): Buffer {
  seq++;
  return sipText([
    'OPTIONS sip:34020000002000000001@3402000000 SIP/2.0',
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bKopt${seq}`,
    'From: <sip:34020000001320000001@3402000000>;tag=f' + seq,
    'To: <sip:34020000002000000001@3402000000>',
    `Call-ID: opt${seq}@127.0.0.1`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
  ]);
}

/** One random mutation of a SIP message (byte flips, truncation, duplicated lines, huge Content-Length, junk, cut headers, inserted separators). */
export function mutateSip(src: Buffer, rnd: () => number): Buffer {
  const pick = Math.floor(rnd() * 7);
  const b = Buffer.from(src);
  switch (pick) {
    case 0: {
      for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return b;
    }
    case 1:
      return b.subarray(0, Math.floor(rnd() * b.length));
    case 2: {
      const lines = b.toString('latin1').split('\r\n');
      const i = 1 + Math.floor(rnd() * Math.max(1, lines.length - 3));
      lines.splice(i, 0, lines[i] ?? '', lines[i] ?? '');
      return Buffer.from(lines.join('\r\n'), 'latin1');
    }
    case 3:
      return Buffer.from(b.toString('latin1').replace(/Content-Length: \d+/, `Content-Length: ${Math.floor(rnd() * 1e9)}`), 'latin1');
    case 4: {
      const junk = Buffer.alloc(1 + Math.floor(rnd() * 1500));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
      return junk;
    }
    case 5: {
      // A header line cut in the middle of its name or value, or its colon removed.
      return Buffer.from(b.toString('latin1').replace(/\r\n([A-Za-z-]+): /, (_m, n: string) => `\r\n${n.slice(0, Math.floor(rnd() * n.length))} `), 'latin1');
    }
    default: {
      const at = Math.floor(rnd() * b.length);
      const ins = Buffer.from(['\r\n', ';', '<', '"', '\0', ',', ':', ' SIP/2.0 '][Math.floor(rnd() * 8)]!);
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
  }
}
