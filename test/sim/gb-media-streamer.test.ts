import t from 'tap';
import { PsDemuxer } from '../../src/protocols/ps/demux.js';
import { decodeRtp } from '../../src/protocols/rtp/packet.js';
import { PortAllocator } from '../../src/protocols/rtp/ports.js';
import { openRtpLink, type RtpLink } from '../../src/protocols/rtp/transport.js';
import { startGbMediaStream } from '../../src/sim/gb28181/mediaStreamer.js';
import { freePort } from '../../src/sim/ports.js';
import { CIF } from '../protocols/ps/helpers.js';

/** Resolves with the first `n` packets received on `link`. */
function firstPackets(link: RtpLink, n: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} packets`)), 10_000);
    link.on('packet', (p) => {
      if (got.length < n) got.push(Buffer.from(p));
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

t.test('UDP: starts at a keyframe with the PSM, carries the y= SSRC, stops on command', async (t) => {
  const rx = await openRtpLink({ mode: 'udp' });
  t.teardown(() => rx.close());
  const packets = firstPackets(rx, 20);
  const stream = await startGbMediaStream({ clip: CIF.h264, dest: { address: '127.0.0.1', port: rx.localPort, ssrc: 100000001, transport: 'udp' } });
  const got = (await packets).map(decodeRtp);
  t.ok(got.every((p) => p.ssrc === 100000001 && p.payloadType === 96));
  const demux = new PsDemuxer();
  const units = got.flatMap((p) => demux.push(p.payload));
  units.push(...demux.flush());
  t.equal(units[0]?.kind === 'video' && units[0].key, true, 'the first frame is a keyframe');
  t.same([...demux.streamTypes], [[0xe0, 0x1b]], 'with a PSM naming H.264');
  await stream.stop();
  await stream.ended;
  t.ok(stream.stats().frames >= 1 && stream.stats().packets >= 20);
});

t.test('TCP passive: waits for the platform to connect, and the platform hanging up ends the stream', async (t) => {
  const base = await freePort();
  const ports = new PortAllocator({ min: base, max: base + 1 });
  const stream = await startGbMediaStream({ clip: CIF.h265, ports, dest: { address: '127.0.0.1', port: 0, ssrc: 7, transport: 'tcp-passive' }, quirks: { streamSsrc: 8 } });
  t.equal(stream.stats().packets, 0, 'nothing sent before a connection');
  t.equal(ports.inUse, 1);
  const rx = await openRtpLink({ mode: 'tcp-active', remote: { address: '127.0.0.1', port: stream.localPort } });
  const got = (await firstPackets(rx, 5)).map(decodeRtp);
  t.ok(got.every((p) => p.ssrc === 8), 'the quirk: the stream SSRC is not the y= one');
  await rx.close();
  await stream.ended;
  t.equal(ports.inUse, 0, 'its port is released when the stream ends');
});

t.test('TCP active to a port nobody listens on fails with the address named', async (t) => {
  const port = await freePort();
  await t.rejects(
    startGbMediaStream({ clip: CIF.h264, connectTimeoutMs: 300, dest: { address: '127.0.0.1', port, ssrc: 1, transport: 'tcp-active' } }),
    new RegExp(`127.0.0.1:${port}`),
  );
});
