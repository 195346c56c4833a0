// One MPEG-TS stream in, many consumers out, with the last GOP cached so that a consumer that
// joins late starts at once on a keyframe instead of waiting for the camera's next one
// (issue 3 item 6; ZLMediaKit's GOP cache is the model).
import { EventEmitter } from 'node:events';
import {
  parseHeader,
  parsePat,
  parsePmt,
  pesStartsWithKeyNal,
  SYNC_BYTE,
  TS_PACKET,
  type PmtVideo,
  type TsHeader,
} from './packets.js';
import { readTimestamp, TIMESTAMP_MODULO } from './pes.js';

/** A writable end such as a child process's stdin or fd. */
export interface FanoutSink {
  write(chunk: Buffer): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

interface Subscriber {
  sink: FanoutSink;
  /** false until it has been given the tables and a keyframe start. */
  live: boolean;
  dropped: number;
}

export interface FanoutStats {
  codec?: PmtVideo['codec'];
  ready: boolean;
  videoKbps: number;
  /** Time between the last two keyframes, ms: by their timestamps when they carry them, else by their arrival. */
  keyIntervalMs?: number;
  /** Video rate over the last whole GOP (its bytes over its duration): steadier than the window rate, which a keyframe skews. */
  gopKbps?: number;
  lastKeyAt?: number;
  cachedBytes: number;
  subscribers: number;
  bytesIn: number;
}

export interface TsFanoutOptions {
  /** A GOP larger than this is not cached (consumers then wait for the next keyframe). */
  maxCacheBytes?: number;
  /** A consumer this far behind is cut off until the next keyframe instead of stalling everyone. */
  maxLagBytes?: number;
  now?: () => number;
}

const RATE_WINDOW_MS = 4000;
/** Keyframe timestamps further apart than this are a jump in the stream's clock, not a GOP. */
const MAX_GOP_MS = 60_000;

export class TsFanout extends EventEmitter {
  private readonly maxCacheBytes: number;
  private readonly maxLagBytes: number;
  private readonly now: () => number;
  private readonly subs = new Set<Subscriber>();
  private carry: Buffer | undefined;
  private pat: Buffer | undefined;
  private pmt: Buffer | undefined;
  private pmtPid: number | undefined;
  private video: PmtVideo | undefined;
  private randomAccessSeen = false;
  private cache: Buffer[] = [];
  private cacheBytes = 0;
  /** false after an over-size GOP, until the next keyframe. */
  private cacheValid = false;
  private lastKeyAt: number | undefined;
  private lastKeyPts: number | undefined;
  private keyIntervalMs: number | undefined;
  private gopVideoBytes = 0;
  private gopKbps: number | undefined;
  private bytesIn = 0;
  private rate: Array<{ at: number; bytes: number }> = [];

  constructor(opts: TsFanoutOptions = {}) {
    super();
    this.maxCacheBytes = opts.maxCacheBytes ?? 32 * 1024 * 1024;
    this.maxLagBytes = opts.maxLagBytes ?? 8 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  get ready(): boolean {
    return this.cacheValid && this.pat !== undefined && this.pmt !== undefined;
  }

  get codec(): PmtVideo['codec'] | undefined {
    return this.video?.codec;
  }

  /** Feeds bytes from the source; chunks may split packets anywhere. */
  push(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    let o = 0;
    let segStart = 0;
    let videoBytes = 0;
    while (o + TS_PACKET <= data.length) {
      if (data[o] !== SYNC_BYTE) {
        // Lost sync (should not happen on a pipe): flush what we have and find the next packet.
        this.emitSegment(data.subarray(segStart, o));
        o = this.resync(data, o + 1);
        segStart = o;
        continue;
      }
      const h = parseHeader(data, o);
      if (h.pid === 0) {
        const pmtPid = parsePat(data, o);
        if (pmtPid !== undefined) {
          this.pmtPid = pmtPid;
          this.pat = Buffer.from(data.subarray(o, o + TS_PACKET));
        }
      } else if (h.pid === this.pmtPid) {
        const video = parsePmt(data, o);
        if (video) {
          this.video = video;
          this.pmt = Buffer.from(data.subarray(o, o + TS_PACKET));
        }
      } else if (this.video && h.pid === this.video.pid) {
        if (h.randomAccess) this.randomAccessSeen = true;
        const key = h.unitStart && (h.randomAccess || (!this.randomAccessSeen && pesStartsWithKeyNal(data, o, h, this.video.codec)));
        if (key) {
          this.emitSegment(data.subarray(segStart, o));
          segStart = o;
          this.keyStart(pesPts(data, o, h));
        }
        const es = esBytes(data, o, h);
        videoBytes += es;
        this.gopVideoBytes += es;
      }
      o += TS_PACKET;
    }
    this.emitSegment(data.subarray(segStart, o));
    if (o < data.length) this.carry = Buffer.from(data.subarray(o));
    this.countRate(videoBytes);
  }

  /** The source restarted: its tables, timestamps and GOP no longer apply. */
  reset(): void {
    this.carry = undefined;
    this.pat = this.pmt = undefined;
    this.pmtPid = undefined;
    this.video = undefined;
    this.randomAccessSeen = false;
    this.dropCache();
    this.lastKeyAt = this.lastKeyPts = this.keyIntervalMs = this.gopKbps = undefined;
    this.gopVideoBytes = 0;
    this.rate = [];
    for (const s of this.subs) s.live = false;
  }

  /**
   * Adds a consumer. It is given the programme tables and the cached GOP at once when there is
   * one, else it starts at the next keyframe. Returns the function that removes it.
   */
  subscribe(sink: FanoutSink): () => void {
    const sub: Subscriber = { sink, live: false, dropped: 0 };
    this.subs.add(sub);
    if (this.ready) {
      this.goLive(sub);
      for (const b of this.cache) this.send(sub, b);
    }
    return () => {
      this.subs.delete(sub);
    };
  }

  stats(): FanoutStats {
    this.countRate(0);
    const bytes = this.rate.reduce((n, r) => n + r.bytes, 0);
    const span = this.rate.length > 0 ? Math.max(1000, this.now() - this.rate[0]!.at) : RATE_WINDOW_MS;
    return {
      codec: this.video?.codec,
      ready: this.ready,
      videoKbps: Math.round((bytes * 8) / span),
      keyIntervalMs: this.keyIntervalMs,
      gopKbps: this.gopKbps,
      lastKeyAt: this.lastKeyAt,
      cachedBytes: this.cacheBytes,
      subscribers: this.subs.size,
      bytesIn: this.bytesIn,
    };
  }

  private keyStart(pts: number | undefined): void {
    const now = this.now();
    // The stream's own clock times the GOP: arrival times stretch and squeeze with the load on the
    // box and the network, and would call a steady camera encode off its tier.
    const byPts = pts !== undefined && this.lastKeyPts !== undefined ? (((pts - this.lastKeyPts) % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO / 90 : undefined;
    const byArrival = this.lastKeyAt !== undefined && now > this.lastKeyAt ? now - this.lastKeyAt : undefined;
    const interval = byPts !== undefined && byPts > 0 && byPts < MAX_GOP_MS ? byPts : byArrival;
    if (interval !== undefined) {
      this.keyIntervalMs = Math.round(interval);
      this.gopKbps = Math.round((this.gopVideoBytes * 8) / interval);
    }
    this.gopVideoBytes = 0;
    this.lastKeyAt = now;
    this.lastKeyPts = pts;
    const wasReady = this.ready;
    this.cache = [];
    this.cacheBytes = 0;
    this.cacheValid = true;
    // Waiting consumers (new, lagging, or after a reset) join here, on the keyframe.
    if (this.pat && this.pmt) for (const s of this.subs) if (!s.live) this.goLive(s);
    if (!wasReady && this.ready) this.emit('ready', this.video?.codec);
    this.emit('keyframe', now);
  }

  private emitSegment(seg: Buffer): void {
    if (seg.length === 0) return;
    if (this.cacheValid) {
      this.cache.push(seg);
      this.cacheBytes += seg.length;
      if (this.cacheBytes > this.maxCacheBytes) this.dropCache();
    }
    for (const s of this.subs) if (s.live) this.send(s, seg);
  }

  private goLive(sub: Subscriber): void {
    sub.live = true;
    this.send(sub, this.pat!);
    this.send(sub, this.pmt!);
  }

  private send(sub: Subscriber, buf: Buffer): void {
    if (sub.sink.destroyed) {
      this.subs.delete(sub);
      return;
    }
    if (sub.sink.writableLength > this.maxLagBytes) {
      // Too far behind: skip to the next keyframe rather than buffer without bound.
      sub.live = false;
      sub.dropped++;
      this.emit('lagging', sub.dropped);
      return;
    }
    sub.sink.write(buf);
  }

  private dropCache(): void {
    this.cache = [];
    this.cacheBytes = 0;
    this.cacheValid = false;
  }

  private resync(data: Buffer, from: number): number {
    for (let i = from; i < data.length; i++) {
      if (data[i] === SYNC_BYTE && (i + TS_PACKET >= data.length || data[i + TS_PACKET] === SYNC_BYTE)) return i;
    }
    return data.length;
  }

  private countRate(bytes: number): void {
    const now = this.now();
    if (bytes > 0) this.rate.push({ at: now, bytes });
    while (this.rate.length > 0 && now - this.rate[0]!.at > RATE_WINDOW_MS) this.rate.shift();
  }
}

/**
 * Video elementary-stream bytes of one packet: without the TS header, the adaptation field's
 * stuffing and the PES header. A CIF stream at 128 kb/s has 4–5 packets per frame, the last one
 * mostly stuffing: counting whole packets overstates its rate by about a fifth.
 */
/** The PTS of the PES that starts in this packet, when its header carries one. */
function pesPts(data: Buffer, at: number, h: TsHeader): number | undefined {
  if (!h.unitStart || h.payloadOffset < 0) return undefined;
  const p = at + h.payloadOffset;
  if (p + 14 > at + TS_PACKET || data[p] !== 0 || data[p + 1] !== 0 || data[p + 2] !== 1 || !(data[p + 7]! & 0x80)) return undefined;
  return readTimestamp(data, p + 9);
}

function esBytes(data: Buffer, at: number, h: TsHeader): number {
  if (h.payloadOffset < 0) return 0;
  let bytes = TS_PACKET - h.payloadOffset;
  const p = at + h.payloadOffset;
  if (h.unitStart && bytes >= 9 && data[p] === 0 && data[p + 1] === 0 && data[p + 2] === 1) bytes -= Math.min(bytes, 9 + data[p + 8]!);
  return bytes;
}
