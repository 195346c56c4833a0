import net from 'node:net';
import t from 'tap';
import { frameRfc4571 } from '../../../src/protocols/rtp/framing.js';
import { encodeRtp, senderReport } from '../../../src/protocols/rtp/packet.js';
import { RtpReceiver } from '../../../src/protocols/rtp/receiver.js';
import { openRtpLink, setupAttributeFor, tcpModeForPeerSetup, type RtpLink } from '../../../src/protocols/rtp/transport.js';
import { freePort } from '../../../src/sim/ports.js';

const rtp = (sequence: number, ssrc = 7, marker = false) =>
  encodeRtp({ payloadType: 96, marker, sequence, timestamp: sequence * 3600, ssrc, payload: Buffer.from([sequence & 0xff]) });

function collect(link: RtpLink, n: number, timeoutMs = 5000): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} packets within ${timeoutMs} ms`)), timeoutMs);
    link.on('packet', (p) => {
      got.push(Buffer.from(p));
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

t.test('RFC 4145 setup: our mode from the peer\'s a=setup', async (t) => {
  t.equal(tcpModeForPeerSetup('active'), 'tcp-passive');
  t.equal(tcpModeForPeerSetup('Passive'), 'tcp-active');
  t.equal(tcpModeForPeerSetup('actpass'), 'tcp-passive');
  t.equal(setupAttributeFor('tcp-active'), 'active');
  t.throws(() => tcpModeForPeerSetup('holdconn'), /a=setup/);
});

t.test('UDP: packets sent on one link arrive on the other', async (t) => {
  const rx = await openRtpLink({ mode: 'udp' });
  const tx = await openRtpLink({ mode: 'udp', remote: { address: '127.0.0.1', port: rx.localPort } });
  t.teardown(() => Promise.all([rx.close(), tx.close()]));
  const got = collect(rx, 3);
  t.equal(tx.send([rtp(1), rtp(2), rtp(3)]), true);
  t.same((await got).map((b) => b.readUInt16BE(2)), [1, 2, 3]);
  t.equal(tx.stats.packetsOut, 3);
});

t.test('connected UDP: delivers while the port is open; an ICMP port unreachable makes it refuse', async (t) => {
  const rx = await openRtpLink({ mode: 'udp' });
  const tx = await openRtpLink({ mode: 'udp', remote: { address: '127.0.0.1', port: rx.localPort }, udpConnect: true });
  t.teardown(() => tx.close());
  const got = collect(rx, 2);
  t.equal(tx.send([rtp(1), rtp(2)]), true, 'sent while the peer listens');
  t.equal((await got).length, 2, 'both arrived');
  await rx.close();
  // Each send to the closed port draws an ICMP port unreachable; the next send reports it.
  const refused = new Promise<Error>((resolve) => tx.once('error', resolve));
  const pump = setInterval(() => tx.send([rtp(3)]), 20);
  const err = await Promise.race([refused, new Promise<Error>((_, reject) => setTimeout(() => reject(new Error('no ECONNREFUSED within 3 s')), 3000))]).finally(() => clearInterval(pump));
  t.match(err, { code: 'ECONNREFUSED' }, 'the send error is ECONNREFUSED');
  t.equal(tx.refusing, true, 'the link counts as refused');
  t.equal(tx.send([rtp(4)]), false, 'send() reports the refusal');
});

t.test('TCP passive receiver, TCP active sender: RFC 4571 framing both ways', async (t) => {
  const rx = await openRtpLink({ mode: 'tcp-passive' });
  t.equal(rx.ready, false, 'not ready before a peer connects');
  const tx = await openRtpLink({ mode: 'tcp-active', remote: { address: '127.0.0.1', port: rx.localPort } });
  t.teardown(() => Promise.all([rx.close(), tx.close()]));
  await rx.waitReady(5000);
  const got = collect(rx, 3);
  tx.send([rtp(1), rtp(2)]);
  tx.send([rtp(3)]);
  t.same((await got).map((b) => b.readUInt16BE(2)), [1, 2, 3]);
  const back = collect(tx, 1);
  rx.send([rtp(9)]);
  t.same((await back).map((b) => b.readUInt16BE(2)), [9], 'the passive side can send too');
});

t.test('TCP passive takes one connection and refuses the next; the peer closing ends the link', async (t) => {
  const rx = await openRtpLink({ mode: 'tcp-passive' });
  t.teardown(() => rx.close());
  const first = net.connect(rx.localPort, '127.0.0.1');
  await rx.waitReady(5000);
  const second = net.connect(rx.localPort, '127.0.0.1');
  await new Promise<void>((resolve) => second.on('close', () => resolve()));
  t.equal(rx.stats.extraConnections, 1);
  const got = collect(rx, 1);
  // A length prefix and packet split over two writes.
  const framed = frameRfc4571(rtp(5));
  first.write(framed.subarray(0, 1));
  first.write(framed.subarray(1));
  t.equal((await got)[0]!.readUInt16BE(2), 5);
  const closed = new Promise<void>((resolve) => rx.once('close', () => resolve()));
  first.end();
  await closed;
  t.equal(rx.isClosed, true);
});

t.test('TCP active keeps trying until the peer listens, and gives up with the address named', async (t) => {
  const port = await freePort();
  const server = net.createServer();
  const opening = openRtpLink({ mode: 'tcp-active', remote: { address: '127.0.0.1', port }, connectTimeoutMs: 5000 });
  // Listen only after the first attempt has been refused.
  setTimeout(() => server.listen(port, '127.0.0.1'), 250);
  const link = await opening;
  t.equal(link.ready, true);
  await link.close();
  await new Promise<void>((r) => server.close(() => r()));
  const dead = await freePort();
  await t.rejects(openRtpLink({ mode: 'tcp-active', remote: { address: '127.0.0.1', port: dead }, connectTimeoutMs: 300 }), new RegExp(`127.0.0.1:${dead}`));
  await t.rejects(openRtpLink({ mode: 'tcp-active' }), /remote/);
});

t.test('RtpReceiver over UDP: reorders, drops duplicates, counts loss, skips RTCP and junk, tolerates another SSRC', async (t) => {
  const link = await openRtpLink({ mode: 'udp' });
  const rx = new RtpReceiver(link, { ssrc: { expected: 1234 }, jitter: { windowPackets: 4, windowMs: 5000 } });
  t.teardown(() => rx.close());
  const tx = await openRtpLink({ mode: 'udp', remote: { address: '127.0.0.1', port: link.localPort } });
  t.teardown(() => tx.close());
  const mismatch = new Promise<number>((resolve) => rx.once('ssrc-mismatch', (ssrc) => resolve(ssrc)));
  const out: Array<[number, number]> = [];
  const done = new Promise<void>((resolve) =>
    rx.on('rtp', (p, lost) => {
      out.push([p.sequence, lost]);
      if (p.sequence === 12) resolve();
    }),
  );
  // 3 is lost; 2/1 swapped; 4 duplicated; an RTCP SR and a non-RTP datagram in between.
  const order = [0, 2, 1, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  order.forEach((s, i) => {
    tx.send([rtp(s, 999)]);
    if (i === 5) tx.send([senderReport(999, Date.now(), 0, 0, 0), Buffer.from('junk')]);
  });
  t.equal(await mismatch, 999);
  await done;
  t.same(out.slice(0, 5), [
    [0, 0],
    [1, 0],
    [2, 0],
    [4, 1],
    [5, 0],
  ]);
  const s = rx.stats();
  t.equal(s.jitter.lost, 1);
  t.equal(s.jitter.duplicates, 1);
  t.equal(s.rtcp, 1);
  t.equal(s.malformed, 1);
  t.equal(s.ssrc.mismatched, order.length, 'every packet taken although its SSRC is not the y= one');
});

t.test('a peer resetting the TCP connection ends the link without an unhandled error', async (t) => {
  const rx = await openRtpLink({ mode: 'tcp-passive' });
  const receiver = new RtpReceiver(rx);
  const closed = new Promise<void>((resolve) => receiver.once('close', () => resolve()));
  const peer = net.connect(rx.localPort, '127.0.0.1');
  await rx.waitReady(5000);
  peer.write(Buffer.from([0, 40, 1, 2, 3])); // half a frame, then a reset
  peer.resetAndDestroy();
  await closed;
  t.equal(rx.isClosed, true);
  t.equal(rx.send([rtp(1)]), false, 'nothing can be sent on a finished link');
});
