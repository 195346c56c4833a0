// PS over RTP end to end on real sockets: the simulated GB device streams a clip; our receiver
// (receivePsStream: RTP link + RtpReceiver + PsToMpegTs) turns it into MPEG-TS, which ffprobe must decode.
import t from 'tap';
import { receivePsStream } from '../../../src/protocols/ps/receiveStream.js';
import type { PsToMpegTsStats } from '../../../src/protocols/ps/toMpegTs.js';
import { PortAllocator } from '../../../src/protocols/rtp/ports.js';
import type { RtpReceiverStats } from '../../../src/protocols/rtp/receiver.js';
import type { RtpEndpoint, RtpTransportMode } from '../../../src/protocols/rtp/transport.js';
import type { ClipSpec } from '../../../src/sim/camera/clips.js';
import { startGbMediaStream, type GbMediaQuirks, type GbMediaStream } from '../../../src/sim/gb28181/mediaStreamer.js';
import { startUdpImpairment } from '../../../src/sim/udpImpairment.js';
import { freePort } from '../../../src/sim/ports.js';
import { CIF, probeBytes, type Probe } from './helpers.js';

const Y_SSRC = 100000001;

interface Received {
  ts: Probe;
  /** The raw PS payloads, probed with FFmpeg's PS demuxer. */
  ps: Buffer;
  rtp: RtpReceiverStats;
  convert: PsToMpegTsStats;
  /** RTP timestamps of the packets that start a frame (the one after a marker). */
  frameTimestamps: number[];
  portsInUse: number;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

interface ReceiveOptions {
  clip: ClipSpec;
  /** The device's role. */
  device: RtpTransportMode;
  frames: number;
  quirks?: GbMediaQuirks;
  loss?: { lossRate: number; reorderRate: number };
}

/** Streams `frames` frames from the simulated device to our receiver and probes what came out. */
async function receive(t: Teardown, o: ReceiveOptions): Promise<Received> {
  const base = await freePort();
  const ports = new PortAllocator({ min: base, max: base + 3 });
  // Our role is the other side of the device's.
  const ourMode: RtpTransportMode = o.device === 'udp' ? 'udp' : o.device === 'tcp-active' ? 'tcp-passive' : 'tcp-active';
  let device: GbMediaStream | undefined;
  let remote: RtpEndpoint | undefined;
  if (ourMode === 'tcp-active') {
    // The device listens (TCP passive): start it first, then connect to it.
    device = await startGbMediaStream({ clip: o.clip, dest: { address: '127.0.0.1', port: 0, ssrc: Y_SSRC, transport: o.device }, quirks: o.quirks ?? {} });
    remote = { address: '127.0.0.1', port: device.localPort };
  }
  const chunks: Buffer[] = [];
  let resolveDone: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stream = await receivePsStream({
    link: { mode: ourMode, ports, ...(remote ? { remote } : {}) },
    ssrc: { expected: Y_SSRC },
    jitter: { windowPackets: 64, windowMs: 200 },
    onTs: (ts) => {
      if (chunks.length < o.frames) chunks.push(ts);
      if (chunks.length === o.frames) resolveDone();
    },
  });
  t.teardown(() => stream.close());
  const ps: Buffer[] = [];
  const frameTimestamps: number[] = [];
  let afterMarker = true;
  stream.receiver.on('rtp', (p) => {
    if (afterMarker) frameTimestamps.push(p.timestamp);
    afterMarker = p.marker;
    ps.push(Buffer.from(p.payload));
  });
  if (!device) {
    let port = stream.link.localPort;
    if (o.loss) {
      const impair = await startUdpImpairment({ target: { address: '127.0.0.1', port }, ...o.loss, seed: 42 });
      t.teardown(() => impair.close());
      port = impair.port;
    }
    device = await startGbMediaStream({ clip: o.clip, dest: { address: '127.0.0.1', port, ssrc: Y_SSRC, transport: o.device }, quirks: o.quirks ?? {} });
  }
  const started = device;
  t.teardown(() => started.stop());
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`only ${chunks.length} of ${o.frames} frames within the time limit`)), (o.frames / o.clip.fps) * 1000 + 10_000).unref(),
  );
  await Promise.race([done, timeout]);
  await started.stop();
  await stream.close();
  const stats = stream.stats();
  return { ts: await probeBytes(Buffer.concat(chunks), 'mpegts'), ps: Buffer.concat(ps), rtp: stats.rtp, convert: stats.ps, frameTimestamps, portsInUse: ports.inUse };
}

const FRAMES = 50;


t.test('H.264 over UDP: decodes to the right codec, size and rate; RTP timestamps are the 90 kHz source clock', async (t) => {
  const r = await receive(t, { clip: CIF.h264, device: 'udp', frames: FRAMES });
  t.same([r.ts.measure.codec, r.ts.measure.width, r.ts.measure.height, r.ts.measure.fps], ['h264', 352, 288, 25]);
  t.equal(r.ts.decoded, FRAMES, 'every frame decodes');
  t.equal(r.ts.measure.keyframeFirst, true, 'the stream starts at a keyframe');
  const steps = new Set(r.frameTimestamps.slice(1, FRAMES).map((ts, i) => ts - r.frameTimestamps[i]!));
  t.same([...steps], [3600], 'consecutive frames are 3600 ticks apart (25 fps at 90 kHz)');
  const ps = await probeBytes(r.ps, 'mpeg');
  t.same([ps.measure.codec, ps.measure.width], ['h264', 352], "the same bytes read by FFmpeg's PS demuxer agree");
  t.equal(r.portsInUse, 0, 'the media port is released on stop');
});

t.test('H.264, device TCP active → our TCP passive (RFC 4571)', async (t) => {
  const r = await receive(t, { clip: CIF.h264, device: 'tcp-active', frames: FRAMES });
  t.same([r.ts.measure.codec, r.ts.measure.width, r.ts.measure.height, r.ts.measure.fps], ['h264', 352, 288, 25]);
  t.equal(r.ts.decoded, FRAMES);
  t.equal(r.rtp.jitter.lost, 0);
  t.equal(r.portsInUse, 0, 'the listening port is released on stop');
});

t.test('H.264, device TCP passive → our TCP active (RFC 4571)', async (t) => {
  const r = await receive(t, { clip: CIF.h264, device: 'tcp-passive', frames: FRAMES });
  t.same([r.ts.measure.codec, r.ts.measure.width, r.ts.measure.height, r.ts.measure.fps], ['h264', 352, 288, 25]);
  t.equal(r.ts.decoded, FRAMES);
});

t.test('H.265 over UDP and over TCP', async (t) => {
  for (const device of ['udp', 'tcp-active'] as const) {
    const r = await receive(t, { clip: CIF.h265, device, frames: FRAMES });
    t.same([r.ts.measure.codec, r.ts.measure.width, r.ts.measure.height, r.ts.measure.fps], ['hevc', 352, 288, 25], device);
    t.equal(r.ts.decoded, FRAMES, `${device}: every frame decodes`);
  }
});

t.test('1 % loss and 1 % reordering on UDP: the stream still decodes', async (t) => {
  // D1 at 1.5 Mb/s: several hundred packets in 4 s, so 1 % is a handful of losses, not one.
  const clip: ClipSpec = { codec: 'h264', width: 704, height: 576, fps: 25, bitrateKbps: 1500, gopFrames: 25, seconds: 4 };
  const frames = 100;
  const r = await receive(t, { clip, device: 'udp', frames, loss: { lossRate: 0.01, reorderRate: 0.01 } });
  const s = r.rtp;
  t.ok(s.jitter.reordered > 0, `packets were reordered (${s.jitter.reordered}) and put back in order`);
  t.ok(s.jitter.lost >= 3, `packets were lost (${s.jitter.lost})`);
  t.same([r.ts.measure.codec, r.ts.measure.width, r.ts.measure.height], ['h264', 704, 576]);
  t.ok(r.ts.decoded >= frames - 5, `${r.ts.decoded} of ${frames} frames decode`);
});

t.test('device quirk: G.711 audio inside the PS is dropped cleanly', async (t) => {
  const r = await receive(t, { clip: CIF.h264, device: 'udp', frames: FRAMES, quirks: { g711Audio: true } });
  t.equal(r.ts.measure.audio, undefined, 'no audio stream in the TS');
  t.equal(r.ts.decoded, FRAMES, 'the video decodes');
  t.ok(r.convert.audioDropped > 0, `${r.convert.audioDropped} audio PES dropped`);
  // FFmpeg 5.1's PS demuxer does not know stream type 0x90 and calls it MP2: it still shows an audio stream was sent.
  const ps = await probeBytes(r.ps, 'mpeg');
  t.not(ps.measure.audio, undefined, 'the device really sent audio in the PS');
});

t.test('device quirk: an SSRC other than the y= one is taken and counted', async (t) => {
  const r = await receive(t, { clip: CIF.h264, device: 'udp', frames: FRAMES, quirks: { streamSsrc: 200000002 } });
  const s = r.rtp;
  t.equal(s.ssrc.current, 200000002);
  t.ok(s.ssrc.mismatched > 0 && s.ssrc.dropped === 0, `${s.ssrc.mismatched} packets taken, none dropped`);
  t.equal(r.ts.decoded, FRAMES);
});

t.test('device quirk: a 4-second GOP', async (t) => {
  const clip: ClipSpec = { ...CIF.h264, seconds: 5 };
  const r = await receive(t, { clip, device: 'tcp-active', frames: 105, quirks: { longGop: true } });
  t.equal(r.ts.measure.gopFrames, 100, 'keyframes 100 frames (4 s) apart');
  t.equal(r.ts.decoded, 105);
});
