import dgram from 'node:dgram';
import t from 'tap';
import { PortAllocator, PortsExhaustedError } from '../../../src/protocols/rtp/ports.js';
import { formatGbSsrc, parseGbSsrc, SsrcFilter } from '../../../src/protocols/rtp/ssrc.js';
import { openRtpLink } from '../../../src/protocols/rtp/transport.js';
import { freePort } from '../../../src/sim/ports.js';

t.test('SSRC policy accept: a stream with another SSRC than y= is taken, counted, reported once', async (t) => {
  const reported: number[] = [];
  const f = new SsrcFilter({ expected: 100 }, (ssrc) => reported.push(ssrc));
  t.same([f.check(200), f.check(200), f.check(200)], ['new-source', 'take', 'take']);
  t.equal(f.stats.mismatched, 3);
  t.same(reported, [200], 'one report for that SSRC');
  t.equal(f.check(100), 'new-source', 'the negotiated SSRC showing up later is a new source');
  t.equal(f.stats.changes, 1);
});

t.test('SSRC policy drop: only the negotiated SSRC is taken', async (t) => {
  const f = new SsrcFilter({ expected: 100, onMismatch: 'drop' });
  t.same([f.check(200), f.check(100), f.check(100)], ['drop', 'new-source', 'take']);
  t.equal(f.stats.dropped, 1);
  t.throws(() => new SsrcFilter({ expected: -1 }), /ssrc expected/);
});

t.test('GB y= values map to 32-bit SSRCs and back', async (t) => {
  t.equal(parseGbSsrc('0100000001'), 100000001);
  t.equal(formatGbSsrc(100000001), '0100000001');
  t.throws(() => parseGbSsrc('01000000x1'), /y=/);
  t.throws(() => parseGbSsrc('9999999999'), /32-bit/);
});

t.test('PortAllocator hands out ports round-robin, refuses when exhausted, takes them back', async (t) => {
  const a = new PortAllocator({ min: 30000, max: 30002 });
  t.same([a.acquire(), a.acquire(), a.acquire()], [30000, 30001, 30002]);
  t.throws(() => a.acquire(), PortsExhaustedError);
  a.release(30001);
  t.equal(a.acquire(), 30001);
  t.equal(a.inUse, 3);
  t.throws(() => new PortAllocator({ min: 10, max: 5 }), /max/);
});

t.test('links take their port from the range, skip a port held elsewhere, and release it on close', async (t) => {
  // A range of three free loopback ports with the middle one held by another socket.
  const base = await freePort();
  const range = { min: base, max: base + 2 };
  const squatter = dgram.createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(base, '127.0.0.1', () => r()));
  t.teardown(() => squatter.close());
  const ports = new PortAllocator(range);
  const udp = await openRtpLink({ mode: 'udp', ports });
  t.not(udp.localPort, base, 'the port another process holds is skipped');
  t.ok(udp.localPort > base && udp.localPort <= base + 2, 'inside the range');
  const tcp = await openRtpLink({ mode: 'tcp-passive', ports });
  t.ok(tcp.localPort >= base && tcp.localPort <= base + 2, 'TCP passive listens inside the range');
  t.equal(ports.inUse, 2);
  await udp.close();
  await tcp.close();
  t.equal(ports.inUse, 0, 'both ports released on close');
  const again = await openRtpLink({ mode: 'tcp-passive', ports });
  t.ok(again.localPort >= base && again.localPort <= base + 2, 'a released port can be listened on again');
  await again.close();
  const onlyHeld = new PortAllocator({ min: base, max: base });
  await t.rejects(openRtpLink({ mode: 'udp', ports: onlyHeld }), /held by other processes/, 'a range whose ports others hold is refused, named');
  t.equal(onlyHeld.inUse, 0);
});
