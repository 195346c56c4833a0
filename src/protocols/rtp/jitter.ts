// A small reorder buffer for RTP: packets out in sequence order, duplicates dropped, a gap
// given up as lost once the buffer holds more than a window of packets or waits longer than a
// window of time. Sized for PS over UDP on a LAN or a province network (tens of packets, ~100 ms),
// not for smoothing playout: the decoder downstream buffers on its own.
import { sequenceDelta } from './packet.js';

export interface JitterBufferOptions {
  /** Give up on a gap when this many later packets are waiting. */
  windowPackets?: number;
  /** Give up on a gap when the oldest waiting packet has waited this long (checked on push and poll). */
  windowMs?: number;
  /** A sequence jump larger than this restarts the buffer (the sender restarted) instead of counting a huge loss. */
  maxJump?: number;
  now?: () => number;
}

export interface JitterStats {
  /** Packets pushed. */
  received: number;
  /** Packets handed out in order. */
  released: number;
  /** Same sequence number seen again (still waiting, or already released). */
  duplicates: number;
  /** Arrived after a later packet. */
  reordered: number;
  /** Sequence numbers given up on. */
  lost: number;
  /** Arrived after their gap had been given up on (counted in lost too). */
  late: number;
  /** Sequence jumps that restarted the buffer. */
  restarts: number;
}

export interface Released<T> {
  packet: T;
  /** Sequence numbers skipped just before this packet (0 when it follows the previous one). */
  lostBefore: number;
}

interface Held<T> {
  packet: T;
  at: number;
}

const RECENT_LOST = 256;

export class JitterBuffer<T extends { sequence: number }> {
  private readonly windowPackets: number;
  private readonly windowMs: number;
  private readonly maxJump: number;
  private readonly now: () => number;
  private readonly held = new Map<number, Held<T>>();
  /** Extended sequence number expected next; undefined before the first packet. */
  private next: number | undefined;
  private highest = -1;
  private pendingLoss = 0;
  /** Extended numbers recently given up on, to tell a late packet from a duplicate. */
  private readonly recentLost: number[] = [];
  readonly stats: JitterStats = { received: 0, released: 0, duplicates: 0, reordered: 0, lost: 0, late: 0, restarts: 0 };

  constructor(opts: JitterBufferOptions = {}) {
    this.windowPackets = opts.windowPackets ?? 32;
    this.windowMs = opts.windowMs ?? 100;
    this.maxJump = opts.maxJump ?? 3000;
    this.now = opts.now ?? Date.now;
    if (!(this.windowPackets >= 1)) throw new RangeError(`jitter windowPackets must be >= 1, got ${this.windowPackets}`);
    if (!(this.windowMs >= 0)) throw new RangeError(`jitter windowMs must be >= 0, got ${this.windowMs}`);
  }

  /** Packets waiting for a gap before them to fill. */
  get waiting(): number {
    return this.held.size;
  }

  push(packet: T): Released<T>[] {
    this.stats.received++;
    const out: Released<T>[] = [];
    if (this.next === undefined) this.start(packet.sequence);
    let delta = sequenceDelta(this.next! & 0xffff, packet.sequence);
    if (delta > this.maxJump || delta < -this.maxJump) {
      // The sender restarted its sequence (or a new source took the SSRC): start over from here.
      this.stats.restarts++;
      this.drain(out);
      this.start(packet.sequence);
      delta = 0;
    }
    const ext = this.next! + delta;
    if (delta < 0) {
      const i = this.recentLost.indexOf(ext);
      if (i >= 0) {
        this.recentLost.splice(i, 1);
        this.stats.late++;
      } else this.stats.duplicates++;
      return out;
    }
    if (this.held.has(ext)) {
      this.stats.duplicates++;
      return out;
    }
    if (ext < this.highest) this.stats.reordered++;
    this.highest = Math.max(this.highest, ext);
    this.held.set(ext, { packet, at: this.now() });
    this.release(out);
    return out;
  }

  /** Gives up on gaps that have waited longer than the time window; call it on a timer. */
  poll(): Released<T>[] {
    const out: Released<T>[] = [];
    this.release(out);
    return out;
  }

  /** Hands out everything held, gaps or not (end of stream). */
  flush(): Released<T>[] {
    const out: Released<T>[] = [];
    this.drain(out);
    return out;
  }

  /** Forgets all state (a new source): the next packet starts the sequence again. */
  reset(): void {
    this.held.clear();
    this.next = undefined;
    this.highest = -1;
    this.pendingLoss = 0;
    this.recentLost.length = 0;
  }

  private start(sequence: number): void {
    this.held.clear();
    // Extended numbers start high enough that a reordered first packet stays positive.
    this.next = 0x10000 + sequence;
    this.highest = this.next - 1;
  }

  private release(out: Released<T>[]): void {
    for (;;) {
      this.releaseInOrder(out);
      if (this.held.size === 0) return;
      const oldest = this.oldestHeld();
      const overfull = this.highest - this.next! + 1 > this.windowPackets;
      const tooOld = this.now() - oldest.at >= this.windowMs;
      if (!overfull && !tooOld) return;
      this.skipTo(oldest.ext);
    }
  }

  private drain(out: Released<T>[]): void {
    while (this.held.size > 0) {
      this.releaseInOrder(out);
      if (this.held.size > 0) this.skipTo(this.oldestHeld().ext);
    }
  }

  private releaseInOrder(out: Released<T>[]): void {
    let h = this.held.get(this.next!);
    while (h) {
      this.held.delete(this.next!);
      out.push({ packet: h.packet, lostBefore: this.pendingLoss });
      this.pendingLoss = 0;
      this.stats.released++;
      this.next!++;
      h = this.held.get(this.next!);
    }
  }

  private skipTo(ext: number): void {
    for (let s = this.next!; s < ext; s++) {
      this.recentLost.push(s);
      if (this.recentLost.length > RECENT_LOST) this.recentLost.shift();
    }
    const lost = ext - this.next!;
    this.stats.lost += lost;
    this.pendingLoss += lost;
    this.next = ext;
  }

  private oldestHeld(): { ext: number; at: number } {
    let ext = Infinity;
    let at = Infinity;
    for (const [e, h] of this.held) {
      if (e < ext) ext = e;
      if (h.at < at) at = h.at;
    }
    return { ext, at };
  }
}
