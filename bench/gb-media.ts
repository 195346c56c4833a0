// GB/T 28181 media benchmark: prints figures, asserts nothing. `npm run bench:gb-media`
// Options: --runs N (first-frame runs per path, default 7), --quick (3 runs, short windows).
//
// 1. First frame: from the first RTP packet of a PS stream (1080p25 H.264 4 Mb/s, starting at a
//    keyframe, over UDP on loopback) to (a) the engine's fan-out being ready (tables and a
//    keyframe in) and (b) a consumer FFmpeg decoding its first picture from the fan-out — for
//    our demuxer (PsToMpegTs, in-process) and for an FFmpeg `-f mpeg` child (engine probe flags,
//    and FFmpeg's default probe).
// 2. CPU of the PS → MPEG-TS step, both paths, on 30 s of that stream fed as fast as it goes.
// 3. CPU of the cascade's remux, the engine's TS → PS over RTP (TsToPs), per output.
// 4. Loss tolerated: 0.1 / 1 / 5 % injected loss (with as much reordering) on UDP.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sourceArgs } from '../src/protocols/ffmpeg/args.js';
import { parseClip } from '../src/protocols/h26x/annexb.js';
import { TsFanout } from '../src/protocols/mpegts/fanout.js';
import { TsToPs } from '../src/protocols/ps/fromMpegTs.js';
import { annexB, PsMuxer } from '../src/protocols/ps/mux.js';
import { PsRtpPacketizer } from '../src/protocols/ps/rtpPacketizer.js';
import { PsToMpegTs } from '../src/protocols/ps/toMpegTs.js';
import { decodeRtp, type RtpPacket } from '../src/protocols/rtp/packet.js';
import { RtpReceiver } from '../src/protocols/rtp/receiver.js';
import { openRtpLink } from '../src/protocols/rtp/transport.js';
import { ensureClip, MAIN_1080P_H264, type ClipSpec } from '../src/sim/camera/clips.js';
import { startGbMediaStream } from '../src/sim/gb28181/mediaStreamer.js';
import { startUdpImpairment } from '../src/sim/udpImpairment.js';
import { installSignalHandlers, onLines, Ring, runBenchmark, spawnChild, type Child } from './lib/children.js';
import { CLK_TCK, machineLine, machineMeta, readProc, rssKb } from './lib/proc.js';
import { max, median, round, table } from './lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FFMPEG = 'ffmpeg';
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 3 : 7;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs needs a whole number ≥ 1');

type Path = 'own' | 'ffmpeg-engine-probe' | 'ffmpeg-default-probe';

/**
 * The FFmpeg alternative: the engine's own RTSP-pull argv (sourceArgs) with `-f mpeg` and PS on
 * stdin; `default` drops its probe limits to show FFmpeg's default probe.
 */
function ffmpegPsArgs(probe: 'engine' | 'default'): string[] {
  const args = sourceArgs({ url: 'pipe:0', rtspTransport: 'tcp', timeoutS: 10, loglevel: 'error' });
  args.splice(args.indexOf('-i'), 0, '-f', 'mpeg');
  if (probe === 'default') {
    for (const flag of ['-analyzeduration', '-probesize']) args.splice(args.indexOf(flag), 2);
  }
  return args;
}

/** sourceArgs writes -progress to fd 3: give it a pipe there (drained by spawnPsFfmpeg). */
const FFMPEG_STDIO: Array<'pipe' | 'ignore'> = ['pipe', 'pipe', 'pipe', 'pipe'];

function spawnPsFfmpeg(probe: 'engine' | 'default'): Child {
  const child = spawnChild(FFMPEG, ffmpegPsArgs(probe), { stdio: FFMPEG_STDIO });
  (child.child.stdio[3] as NodeJS.ReadableStream | null)?.resume();
  return child;
}

/** A consumer of the fan-out that exits once it has decoded one picture. */
const FIRST_PICTURE_ARGS = ['-hide_banner', '-loglevel', 'error', '-probesize', '32768', '-analyzeduration', '0', '-f', 'mpegts', '-i', 'pipe:0', '-frames:v', '1', '-f', 'null', '-'];

interface FirstFrameRun {
  readyMs: number;
  pictureMs: number;
}

async function firstFrameRun(spec: ClipSpec, p: Path): Promise<FirstFrameRun> {
  const link = await openRtpLink({ mode: 'udp' });
  const receiver = new RtpReceiver(link);
  const fanout = new TsFanout();
  let firstPacketAt = 0;
  let readyAt = 0;
  fanout.once('ready', () => (readyAt = performance.now()));
  const consumer = spawnChild(FFMPEG, FIRST_PICTURE_ARGS, { stdio: ['pipe', 'ignore', 'ignore'] });
  const pictureAt = consumer.exited.then(() => performance.now());
  fanout.subscribe(consumer.child.stdin!);
  let ffmpeg: Child | undefined;
  let push: (pkt: RtpPacket, lost: number) => void;
  if (p === 'own') {
    const convert = new PsToMpegTs((ts) => fanout.push(ts));
    push = (pkt, lost) => convert.pushRtp(pkt, lost);
  } else {
    ffmpeg = spawnPsFfmpeg(p === 'ffmpeg-engine-probe' ? 'engine' : 'default');
    const ring = new Ring();
    onLines(ffmpeg.child.stderr, (l) => ring.push(l));
    ffmpeg.child.stdout!.on('data', (b: Buffer) => fanout.push(b));
    void ffmpeg.exited.then(() => {
      if (!readyAt) process.stderr.write(`  ffmpeg (${p}) ended before the first frame: ${ring.tail()}\n`);
    });
    push = (pkt) => ffmpeg!.child.stdin!.write(pkt.payload);
  }
  receiver.on('rtp', (pkt, lost) => {
    if (!firstPacketAt) firstPacketAt = performance.now();
    push(pkt, lost);
  });
  const device = await startGbMediaStream({ clip: spec, dest: { address: '127.0.0.1', port: link.localPort, ssrc: 1, transport: 'udp' } });
  const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(NaN), 20_000));
  const pictureDone = await Promise.race([pictureAt, timeout]);
  await device.stop();
  await receiver.close();
  await consumer.kill(0);
  await ffmpeg?.kill(0);
  return { readyMs: readyAt ? readyAt - firstPacketAt : NaN, pictureMs: pictureDone - firstPacketAt };
}

/** The clip muxed to PS and packetised, `loops` times over, as the RTP packets a device sends. */
function rtpPackets(spec: ClipSpec, loops: number): Buffer[] {
  const { aus } = parseClip(spec.codec, fs.readFileSync(clipFiles.get(spec)!));
  const mux = new PsMuxer({ video: spec.codec });
  const pk = new PsRtpPacketizer({ ssrc: 1 });
  const out: Buffer[] = [];
  for (let l = 0; l < loops; l++) {
    aus.forEach((au, i) => {
      const pts = Math.round(((l * aus.length + i) * 90_000) / spec.fps);
      out.push(...pk.packetize(mux.muxVideo({ data: annexB(au.nals), pts, key: au.key }), pts));
    });
  }
  return out;
}

const clipFiles = new Map<ClipSpec, string>();

interface CpuResult {
  videoS: number;
  cpuMs: number;
  wallMs: number;
  /** FFmpeg path: the child's resident memory as its input ends. */
  rssKb?: number;
}

/** Our path: RTP packets decoded and remuxed to TS, in this thread. */
function ownCpu(packets: readonly Buffer[], videoS: number): CpuResult {
  let tsBytes = 0;
  const convert = new PsToMpegTs((ts) => (tsBytes += ts.length));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (const p of packets) convert.pushRtp(decodeRtp(p));
  convert.flush();
  const c = process.cpuUsage(c0);
  if (tsBytes === 0) throw new Error('own path produced no TS');
  return { videoS, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

/** The FFmpeg path: the same PS payloads piped into `ffmpeg -f mpeg`, its CPU read from /proc as its output ends. */
async function ffmpegCpu(packets: readonly Buffer[], videoS: number): Promise<CpuResult> {
  const child = spawnPsFfmpeg('engine');
  let tsBytes = 0;
  let ticks = 0;
  const ended = new Promise<void>((resolve) =>
    child.child.stdout!.on('end', () => {
      ticks = readProc(child.pid)?.ticks ?? NaN;
      resolve();
    }),
  );
  child.child.stdout!.on('data', (b: Buffer) => (tsBytes += b.length));
  const w0 = performance.now();
  const stdin = child.child.stdin!;
  for (const p of packets) {
    if (!stdin.write(decodeRtp(p).payload)) await new Promise((r) => stdin.once('drain', r));
  }
  const rss = rssKb(child.pid);
  stdin.end();
  await ended;
  const wallMs = performance.now() - w0;
  await child.exited;
  if (tsBytes === 0) throw new Error('ffmpeg path produced no TS');
  return { videoS, cpuMs: (ticks / CLK_TCK) * 1000, wallMs, ...(rss !== undefined ? { rssKb: rss } : {}) };
}

/** The cascade's remux: the engine's TS (64 KiB pipe reads) → TsToPs → RTP packets, in this thread. */
function tsToPsCpu(packets: readonly Buffer[], videoS: number): CpuResult {
  const tsParts: Buffer[] = [];
  const toTs = new PsToMpegTs((b) => tsParts.push(b));
  for (const p of packets) toTs.pushRtp(decodeRtp(p));
  toTs.flush();
  const ts = Buffer.concat(tsParts);
  let sent = 0;
  const sink = new TsToPs((pkts) => ((sent += pkts.length), true), { ssrc: 1 });
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let o = 0; o < ts.length; o += 65536) sink.write(ts.subarray(o, o + 65536));
  const c = process.cpuUsage(c0);
  if (sent === 0) throw new Error('TsToPs sent nothing');
  return { videoS, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

interface LossResult {
  lossRate: number;
  packets: number;
  lost: number;
  reordered: number;
  framesOut: number;
  damagedFrames: number;
  decodeErrors: number;
}

/** A D1 1.5 Mb/s stream through a lossy relay, converted, then fully decoded by FFmpeg (error lines counted). */
async function lossRun(lossRate: number, seconds: number): Promise<LossResult> {
  const spec: ClipSpec = { codec: 'h264', width: 704, height: 576, fps: 25, bitrateKbps: 1500, gopFrames: 50, seconds: 10 };
  await ensureClip(spec);
  const link = await openRtpLink({ mode: 'udp' });
  const receiver = new RtpReceiver(link, { jitter: { windowPackets: 64, windowMs: 200 } });
  const impair = await startUdpImpairment({ target: { address: '127.0.0.1', port: link.localPort }, lossRate, reorderRate: lossRate, seed: 11 });
  const decoder = spawnChild(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-f', 'null', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let decodeErrors = 0;
  onLines(decoder.child.stderr, () => decodeErrors++);
  const frames = seconds * spec.fps;
  const convert = new PsToMpegTs((ts) => {
    if (convert.stats().framesOut <= frames) decoder.child.stdin!.write(ts);
  });
  let resolveDone: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  receiver.on('rtp', (p, lost) => {
    convert.pushRtp(p, lost);
    if (convert.stats().framesOut >= frames) resolveDone();
  });
  const device = await startGbMediaStream({ clip: spec, dest: { address: '127.0.0.1', port: impair.port, ssrc: 1, transport: 'udp' } });
  await Promise.race([done, new Promise((r) => setTimeout(r, seconds * 1000 + 15_000))]);
  await device.stop();
  const rs = receiver.stats();
  await receiver.close();
  await impair.close();
  decoder.child.stdin!.end();
  await Promise.race([decoder.exited, new Promise((r) => setTimeout(r, 15_000))]);
  await decoder.kill(0);
  const cs = convert.stats();
  return {
    lossRate,
    packets: impair.stats.received,
    lost: rs.jitter.lost,
    reordered: rs.jitter.reordered,
    framesOut: Math.min(cs.framesOut, frames),
    damagedFrames: cs.damagedFrames,
    decodeErrors,
  };
}

async function main(): Promise<void> {
  installSignalHandlers();
  const meta = machineMeta();
  console.log(`GB/T 28181 media benchmark — ${machineLine(meta)}`);
  const spec = MAIN_1080P_H264;
  clipFiles.set(spec, await ensureClip(spec));
  const results: Record<string, unknown> = { meta: { ...meta, runs: RUNS, clip: spec } };

  console.log(`\n1. First frame, ${RUNS} runs per path (1080p25 H.264 4 Mb/s PS over UDP, stream starting at a keyframe)`);
  const paths: Path[] = ['own', 'ffmpeg-engine-probe', 'ffmpeg-default-probe'];
  const ff: Record<string, FirstFrameRun[]> = {};
  for (const p of paths) {
    ff[p] = [];
    for (let i = 0; i < (p === 'ffmpeg-default-probe' ? Math.min(RUNS, 3) : RUNS); i++) ff[p].push(await firstFrameRun(spec, p));
    process.stderr.write(`  ${p}: done\n`);
  }
  const rows: Array<Array<string | number>> = [['path', 'runs', 'fan-out ready median ms', 'worst', 'consumer 1st picture median ms', 'worst']];
  for (const p of paths) {
    const r = ff[p]!;
    rows.push([p, r.length, median(r.map((x) => x.readyMs)), max(r.map((x) => x.readyMs)), median(r.map((x) => x.pictureMs)), max(r.map((x) => x.pictureMs))]);
  }
  console.log(table(rows));
  results['firstFrame'] = ff;

  const loops = quick ? 1 : 3;
  const packets = rtpPackets(spec, loops);
  const videoS = loops * spec.seconds;
  console.log(`\n2. CPU of PS → MPEG-TS, ${videoS} s of 1080p25 4 Mb/s (${packets.length} RTP packets) fed as fast as it goes (median of ${quick ? 3 : 5})`);
  // The box is shared: each path runs several times, alternating, and the median is kept.
  const ownRuns: CpuResult[] = [];
  const ffRuns: CpuResult[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    ownRuns.push(ownCpu(packets, videoS));
    ffRuns.push(await ffmpegCpu(packets, videoS));
  }
  const byCpu = (rs: CpuResult[]): CpuResult => [...rs].sort((x, y) => x.cpuMs - y.cpuMs)[Math.floor(rs.length / 2)]!;
  const own = byCpu(ownRuns);
  const ffc = byCpu(ffRuns);
  console.log(
    table([
      ['path', 'CPU ms', 'CPU ms per s of video', '≈ share of a core at real time', 'wall ms', 'extra process RSS'],
      ['own (PsToMpegTs)', own.cpuMs, own.cpuMs / videoS, `${round(own.cpuMs / videoS / 10, 2)} %`, own.wallMs, 'none'],
      ['ffmpeg -f mpeg -c copy', ffc.cpuMs, ffc.cpuMs / videoS, `${round(ffc.cpuMs / videoS / 10, 2)} %`, ffc.wallMs, ffc.rssKb !== undefined ? `${Math.round(ffc.rssKb / 1024)} MB` : '?'],
    ]),
  );
  results['cpu'] = { own: ownRuns, ffmpeg: ffRuns };

  const remux: CpuResult[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) remux.push(tsToPsCpu(packets, videoS));
  const r = byCpu(remux);
  console.log(`\n3. Cascade remux TS → PS over RTP (TsToPs), ${videoS} s of 1080p25 4 Mb/s, median of ${remux.length}: ${round(r.cpuMs, 1)} ms CPU = ${round(r.cpuMs / videoS, 2)} ms per s of video (${round(r.cpuMs / videoS / 10, 2)} % of a core per output)`);
  results['cascadeRemux'] = remux;

  console.log('\n4. Loss tolerated (D1 1.5 Mb/s over UDP, loss and as much reordering injected, jitter window 64 packets / 200 ms)');
  const loss: LossResult[] = [];
  for (const rate of [0.001, 0.01, 0.05]) loss.push(await lossRun(rate, quick ? 4 : 8));
  console.log(
    table([
      ['loss', 'packets', 'lost', 'reordered', 'frames out', 'damaged frames', 'FFmpeg decode error lines'],
      ...loss.map((l) => [`${l.lossRate * 100} %`, l.packets, l.lost, l.reordered, l.framesOut, l.damagedFrames, l.decodeErrors]),
    ]),
  );
  results['loss'] = loss;

  const out = path.join(ROOT, 'bench', 'results', `gb-media-${new Date().toISOString().slice(0, 10)}.json`);
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`\nJSON: ${path.relative(ROOT, out)}`);
}

void runBenchmark(main);
