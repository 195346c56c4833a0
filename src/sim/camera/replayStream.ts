// The simulated camera's "encoder": a pre-encoded clip replayed on a wall-clock schedule to every
// client of one stream path, as RTP interleaved in each client's RTSP connection.
import { randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { parseClip, type ParameterSets } from '../../protocols/h26x/annexb.js';
import { ensureClip, type ClipOptions, type ClipSpec } from './clips.js';
import { RTP_CLOCK_RATE, senderReport } from '../../protocols/rtp/packet.js';
import { fragmentAccessUnit, RtpSender, type RtpFragment } from './rtp.js';
import { interleavedFrame } from './rtspMessage.js';

/** RFC 3550 §6.2 suggests ~5 s between sender reports for a low-rate control channel. */
const SENDER_REPORT_INTERVAL_S = 5;
/** After an event-loop stall longer than this, skip ahead instead of bursting the backlog. */
const MAX_CATCH_UP_S = 2;

export interface ReplayClip {
  spec: ClipSpec;
  params: ParameterSets;
  /** RTP payloads per access unit, computed once and shared by every client. */
  fragments: RtpFragment[][];
  /** For each AU: how many AUs until the next key AU (0 on a key AU), wrapping round the loop. */
  keyAhead: Int32Array;
}

/** Parsed clips by file, so cameras sharing a clip (tests start many) parse it once. */
const replayClips = new Map<string, Promise<ReplayClip>>();

export async function loadReplayClip(spec: ClipSpec, opts: ClipOptions): Promise<ReplayClip> {
  const file = await ensureClip(spec, opts);
  let pending = replayClips.get(file);
  if (!pending) {
    pending = fs.readFile(file).then((buf) => toReplayClip(spec, buf));
    replayClips.set(file, pending);
    pending.catch(() => replayClips.delete(file));
  }
  return pending;
}

function toReplayClip(spec: ClipSpec, buf: Buffer): ReplayClip {
  const { aus, params } = parseClip(spec.codec, buf);
  const n = aus.length;
  const keyAhead = new Int32Array(n);
  let dist = 0;
  // Two passes from the end: the second fills the tail AUs whose next key is AU 0 after the loop.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = n - 1; i >= 0; i--) {
      dist = aus[i]!.key ? 0 : dist + 1;
      keyAhead[i] = dist;
    }
  }
  return { spec, params, fragments: aus.map((au) => fragmentAccessUnit(spec.codec, au.nals)), keyAhead };
}

export interface ReplayStreamOptions {
  /** A client whose socket holds more unsent bytes than this is dropped, as a camera would. */
  maxBufferedBytes: number;
  log: Logger;
}

/**
 * One "encoder" per stream path: AU i is due at t0 + i/fps and the clip loops (the seam is at
 * AU 0, a key AU). A single timer serves every client; it runs only while someone plays, and
 * the index is derived from the clock, so the stream looks as if it had never stopped.
 */
export class ReplayStream {
  private readonly players = new Set<ReplayClient>();
  private readonly frameMs: number;
  private timer: NodeJS.Timeout | undefined;
  private nextIndex = 0;
  /** performance.now() until which nothing is sent (a camera whose encoder hangs); see mute(). */
  private mutedUntil = 0;
  private resumeOnKey = false;

  constructor(
    readonly clip: ReplayClip,
    private readonly t0: number,
    private readonly wallT0: number,
    readonly opts: ReplayStreamOptions,
  ) {
    this.frameMs = 1000 / clip.spec.fps;
  }

  get playingCount(): number {
    return this.players.size;
  }

  /** 90 kHz ticks of AU `index` from the stream's origin (a client adds its random base). */
  ticks(index: number): number {
    return Math.round((index * RTP_CLOCK_RATE) / this.clip.spec.fps);
  }

  wallClockMs(index: number): number {
    return this.wallT0 + index * this.frameMs;
  }

  /** Starts `client` at the next key AU (its `startIndex`); a client already playing is left as it is. */
  play(client: ReplayClient): void {
    if (this.players.has(client)) return;
    const upcoming = this.timer ? this.nextIndex : this.indexAt(performance.now());
    client.startIndex = this.nextKeyIndex(upcoming);
    this.players.add(client);
    if (!this.timer) {
      this.nextIndex = upcoming;
      this.schedule();
    }
  }

  /**
   * Sends nothing (no RTP, no RTCP) for `ms` while every connection stays open, as a camera whose
   * encoder hangs; afterwards every client resumes at the next key AU.
   */
  mute(ms: number): void {
    this.mutedUntil = performance.now() + ms;
  }

  stop(client: ReplayClient): void {
    this.players.delete(client);
    if (this.players.size === 0) this.halt();
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private indexAt(now: number): number {
    return Math.max(0, Math.ceil((now - this.t0) / this.frameMs));
  }

  private nextKeyIndex(index: number): number {
    const n = this.clip.keyAhead.length;
    return index + this.clip.keyAhead[index % n]!;
  }

  private schedule(): void {
    const delay = this.t0 + this.nextIndex * this.frameMs - performance.now();
    this.timer = setTimeout(() => this.tick(), Math.max(0, delay));
  }

  private tick(): void {
    this.timer = undefined;
    const due = Math.floor((performance.now() - this.t0) / this.frameMs);
    if (due - this.nextIndex > MAX_CATCH_UP_S * this.clip.spec.fps) {
      this.nextIndex = due;
      // The skipped AUs were references of what follows: everyone waits for a key frame again.
      const restart = this.nextKeyIndex(due);
      for (const c of this.players) c.startIndex = Math.max(c.startIndex, restart);
    }
    const n = this.clip.fragments.length;
    while (this.nextIndex <= due && this.players.size > 0) {
      const index = this.nextIndex++;
      if (performance.now() < this.mutedUntil) {
        this.resumeOnKey = true;
        continue;
      }
      if (this.resumeOnKey) {
        this.resumeOnKey = false;
        const key = this.nextKeyIndex(index);
        for (const c of this.players) c.startIndex = Math.max(c.startIndex, key);
      }
      const fragments = this.clip.fragments[index % n]!;
      for (const c of this.players) if (index >= c.startIndex) c.deliver(index, fragments);
    }
    if (this.players.size > 0) this.schedule();
  }
}

/** The connection a client's media is written to, and closed when the client falls behind. */
export interface MediaLink {
  readonly socket: net.Socket;
  readonly closed: boolean;
  close(): void;
}

/** One client's RTP state on an interleaved channel pair: `channel` for RTP, `channel + 1` for RTCP. */
export class ReplayClient {
  readonly sender = new RtpSender();
  /** RFC 3550 §5.1: the initial timestamp is random per session. */
  private readonly tsBase = randomInt(0, 2 ** 32);
  /** The first AU this client gets: a key AU, moved on when the stream has to skip ahead. */
  startIndex = 0;
  private lastReportIndex = Number.NEGATIVE_INFINITY;

  constructor(
    readonly stream: ReplayStream,
    private readonly link: MediaLink,
    readonly channel: number,
  ) {}

  timestamp(index: number): number {
    return (this.tsBase + this.stream.ticks(index)) >>> 0;
  }

  deliver(index: number, fragments: readonly RtpFragment[]): void {
    const ts = this.timestamp(index);
    if (index - this.lastReportIndex >= SENDER_REPORT_INTERVAL_S * this.stream.clip.spec.fps) {
      this.lastReportIndex = index;
      const sr = senderReport(this.sender.ssrc, this.stream.wallClockMs(index), ts, this.sender.packetCount, this.sender.octetCount);
      this.send(interleavedFrame(this.channel + 1, sr));
    }
    this.send(this.sender.interleaved(fragments, ts, this.channel));
  }

  private send(buf: Buffer): void {
    if (this.link.closed) return;
    const { socket } = this.link;
    socket.write(buf);
    if (socket.writableLength > this.stream.opts.maxBufferedBytes) {
      this.stream.opts.log.warn({ remote: socket.remoteAddress, buffered: socket.writableLength }, 'rtsp camera: client too slow, dropped');
      this.link.close();
    }
  }
}
