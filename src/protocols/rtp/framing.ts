// RFC 4571: RTP and RTCP over a connection-oriented transport, each packet preceded by its
// 16-bit big-endian length. GB/T 28181 uses it for TCP-active and TCP-passive media.

export const RFC4571_MAX_FRAME = 0xffff;

/** One packet with its 2-byte length prefix. */
export function frameRfc4571(packet: Buffer): Buffer {
  if (packet.length > RFC4571_MAX_FRAME) throw new RangeError(`RFC 4571 frame: ${packet.length} bytes exceeds 65535`);
  const out = Buffer.allocUnsafe(2 + packet.length);
  out.writeUInt16BE(packet.length, 0);
  packet.copy(out, 2);
  return out;
}

/** Several packets framed into one buffer, so a TCP sender makes one write per picture. */
export function frameRfc4571All(packets: readonly Buffer[]): Buffer {
  let total = 0;
  for (const p of packets) {
    if (p.length > RFC4571_MAX_FRAME) throw new RangeError(`RFC 4571 frame: ${p.length} bytes exceeds 65535`);
    total += 2 + p.length;
  }
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const p of packets) {
    out.writeUInt16BE(p.length, off);
    p.copy(out, off + 2);
    off += 2 + p.length;
  }
  return out;
}

/**
 * Cuts a TCP byte stream back into packets, whatever the reads' boundaries (a length prefix
 * split over two reads included). Zero-length frames, which RFC 4571 allows, are skipped.
 */
export class Rfc4571Deframer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the frame being assembled, once its 2-byte prefix has been read. */
  private need = -1;
  emptyFrames = 0;

  /** Returns the whole packets completed by `chunk`; each one is its own copy or a slice of `chunk`. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    // Still short of the frame being assembled: keep the chunk, copy nothing yet.
    if (this.need > 0 && this.pendingBytes + chunk.length < this.need) {
      this.pending.push(Buffer.from(chunk));
      this.pendingBytes += chunk.length;
      return out;
    }
    let data = chunk;
    if (this.pendingBytes > 0) {
      data = Buffer.concat([...this.pending, chunk], this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let off = 0;
    for (;;) {
      if (this.need < 0) {
        if (data.length - off < 2) break;
        this.need = data.readUInt16BE(off);
        off += 2;
        if (this.need === 0) {
          this.emptyFrames++;
          this.need = -1;
          continue;
        }
      }
      if (data.length - off < this.need) break;
      out.push(data.subarray(off, off + this.need));
      off += this.need;
      this.need = -1;
    }
    if (off < data.length) {
      // Copy the tail: `data` may be the socket's buffer, and holding a view would pin it.
      const rest = Buffer.from(data.subarray(off));
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return out;
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pendingBytes + (this.need > 0 ? 2 : 0);
  }
}
