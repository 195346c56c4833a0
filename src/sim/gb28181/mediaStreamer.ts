// The media half of the simulated GB/T 28181 device: a pre-encoded clip sent as PS over RTP on a
// wall-clock schedule, from a keyframe, to the address/port/SSRC an INVITE asked for, over UDP,
// TCP active (we connect) or TCP passive (we listen; the platform connects). Real devices'
// quirks can be switched on: G.711 audio inside the PS, a 4 s GOP, an SSRC other than the `y=` one.
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseClip, type AccessUnit } from '../../protocols/h26x/annexb.js';
import { annexB, PsMuxer } from '../../protocols/ps/mux.js';
import { PsRtpPacketizer } from '../../protocols/ps/rtpPacketizer.js';
import { RTP_CLOCK_RATE } from '../../protocols/rtp/packet.js';
import type { PortAllocator } from '../../protocols/rtp/ports.js';
import { openRtpLink, type RtpLink, type RtpTransportMode } from '../../protocols/rtp/transport.js';
import { ensureClip, type ClipOptions, type ClipSpec } from '../camera/clips.js';

export interface GbMediaDestination {
  /** Where to send (UDP) or connect to (TCP active); unused for TCP passive. */
  address: string;
  port: number;
  /** The SSRC of the INVITE's `y=` line. */
  ssrc: number;
  /** Our side's role: `tcp-active` connects to address:port, `tcp-passive` listens for the platform. */
  transport: RtpTransportMode;
}

export interface GbMediaQuirks {
  /** G.711 A-law audio (8 kHz, 40 ms frames) muxed into the PS alongside the video. */
  g711Audio?: boolean;
  /** A 4-second GOP instead of the clip's (the clip is encoded again with it). */
  longGop?: boolean;
  /** Stream with this SSRC instead of the negotiated one. */
  streamSsrc?: number;
}

export interface GbMediaStreamOptions {
  clip: ClipSpec;
  dest: GbMediaDestination;
  quirks?: GbMediaQuirks;
  clipOptions?: ClipOptions;
  /** Local address to bind or listen on. */
  host?: string;
  /** Local ports for UDP and TCP passive (a device's media range); ephemeral without. */
  ports?: PortAllocator;
  /** Most ES bytes per PES (devices differ); the PS muxer's default otherwise. */
  maxPesPayload?: number;
  /** TCP active: how long to keep trying to connect. */
  connectTimeoutMs?: number;
}

export interface GbMediaStreamStats {
  frames: number;
  audioFrames: number;
  packets: number;
  bytes: number;
  /** Sends refused (TCP peer gone or too far behind). */
  refused: number;
}

export interface GbMediaStream {
  /** The local port: for TCP passive, the one the platform must connect to (the SDP answer's). */
  readonly localPort: number;
  readonly ssrc: number;
  stats(): GbMediaStreamStats;
  /** Resolves when the stream ends: stop(), or the TCP peer closed the connection. */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
}

/** After an event-loop stall longer than this, skip ahead instead of bursting the backlog. */
const MAX_CATCH_UP_S = 2;
const AUDIO_FRAME_MS = 40;
const G711_SAMPLES_PER_MS = 8;
/** A-law encodes digital silence as 0xD5. */
const G711A_SILENCE = 0xd5;

export async function startGbMediaStream(opts: GbMediaStreamOptions): Promise<GbMediaStream> {
  const quirks = opts.quirks ?? {};
  const spec: ClipSpec = quirks.longGop ? { ...opts.clip, gopFrames: Math.round(opts.clip.fps * 4) } : opts.clip;
  const aus = await loadClip(spec, opts.clipOptions);
  const link = await openLink(opts);
  const ssrc = quirks.streamSsrc ?? opts.dest.ssrc;
  const streamer = new Streamer(link, aus, spec.fps, ssrc, {
    video: spec.codec,
    ...(quirks.g711Audio ? { audio: 'g711a' as const } : {}),
    ...(opts.maxPesPayload !== undefined ? { maxPesPayload: opts.maxPesPayload } : {}),
  });
  if (opts.dest.transport === 'tcp-passive') link.once('connect', () => streamer.start());
  else streamer.start();
  return {
    localPort: link.localPort,
    ssrc,
    stats: () => ({ ...streamer.counts }),
    ended: streamer.ended,
    stop: () => streamer.stop(),
  };
}

/** Parsed clips by file: a simulated NVR streams the same clip on many channels. */
const clips = new Map<string, Promise<AccessUnit[]>>();

async function loadClip(spec: ClipSpec, opts: ClipOptions = {}): Promise<AccessUnit[]> {
  const file = await ensureClip(spec, opts);
  let pending = clips.get(file);
  if (!pending) {
    pending = fs.readFile(file).then((buf) => parseClip(spec.codec, buf).aus);
    clips.set(file, pending);
    pending.catch(() => clips.delete(file));
  }
  return pending;
}

function openLink(opts: GbMediaStreamOptions): Promise<RtpLink> {
  const { dest } = opts;
  return openRtpLink({
    mode: dest.transport,
    host: opts.host ?? '127.0.0.1',
    ...(opts.ports ? { ports: opts.ports } : {}),
    ...(dest.transport !== 'tcp-passive' ? { remote: { address: dest.address, port: dest.port } } : {}),
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
  });
}

class Streamer {
  readonly counts: GbMediaStreamStats = { frames: 0, audioFrames: 0, packets: 0, bytes: 0, refused: 0 };
  readonly ended: Promise<void>;
  private readonly muxer: PsMuxer;
  private readonly packetizer: PsRtpPacketizer;
  private readonly frameMs: number;
  private readonly audioFrame: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private next = 0;
  private nextAudioMs = 0;
  private stopped = false;

  constructor(
    private readonly link: RtpLink,
    private readonly aus: readonly AccessUnit[],
    private readonly fps: number,
    ssrc: number,
    mux: ConstructorParameters<typeof PsMuxer>[0],
  ) {
    this.muxer = new PsMuxer(mux);
    this.packetizer = new PsRtpPacketizer({ ssrc });
    this.frameMs = 1000 / fps;
    this.audioFrame = mux.audio ? Buffer.alloc(AUDIO_FRAME_MS * G711_SAMPLES_PER_MS, G711A_SILENCE) : undefined;
    this.ended = new Promise((resolve) => link.once('close', () => resolve()));
    // The platform hanging up (TCP) ends the stream, as on a device.
    link.once('close', () => this.halt());
  }

  start(): void {
    if (this.stopped) return;
    this.t0 = performance.now();
    this.tick();
  }

  async stop(): Promise<void> {
    this.halt();
    await this.link.close();
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const due = Math.floor((performance.now() - this.t0) / this.frameMs);
    if (due - this.next > MAX_CATCH_UP_S * this.fps) {
      // A stall: skip to the next keyframe on the schedule, as an encoder that lost time would.
      let i = due;
      while (!this.aus[i % this.aus.length]!.key) i++;
      this.next = i;
    }
    while (this.next <= due && !this.stopped) this.sendFrame(this.next++);
    if (!this.stopped) this.timer = setTimeout(() => this.tick(), Math.max(0, this.t0 + this.next * this.frameMs - performance.now()));
  }

  private sendFrame(index: number): void {
    const au = this.aus[index % this.aus.length]!;
    const pts = Math.round((index * RTP_CLOCK_RATE) / this.fps);
    // Audio up to this frame's time goes first, each frame in its own pack and RTP packet(s).
    const frameAtMs = index * this.frameMs;
    while (this.audioFrame && this.nextAudioMs <= frameAtMs) {
      const apts = Math.round(this.nextAudioMs * (RTP_CLOCK_RATE / 1000));
      this.send(this.muxer.muxAudio({ data: this.audioFrame, pts: apts }), apts);
      this.nextAudioMs += AUDIO_FRAME_MS;
      this.counts.audioFrames++;
    }
    this.send(this.muxer.muxVideo({ data: annexB(au.nals), pts, key: au.key }), pts);
    this.counts.frames++;
  }

  private send(ps: Buffer, pts: number): void {
    const packets = this.packetizer.packetize(ps, pts);
    if (!this.link.send(packets)) {
      this.counts.refused++;
      return;
    }
    this.counts.packets += packets.length;
    for (const p of packets) this.counts.bytes += p.length;
  }
}
