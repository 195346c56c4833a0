// JPEG facts read from the bytes themselves: a camera's snapshot URI may answer an HTML error page
// with 200, or a thumbnail; both must be refused before they are kept.

/** CIF, 352×288: the smallest picture §6.4 allows. */
export const CIF = { width: 352, height: 288 } as const;

/** Width and height from the first SOFn marker, or undefined when `buf` is not a baseline/progressive JPEG. */
export function jpegSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return undefined;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Stand-alone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    const len = buf.readUInt16BE(i + 2);
    // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > buf.length) return undefined;
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    if (marker === 0xda) return undefined; // scan data before any frame header
    i += 2 + len;
  }
  return undefined;
}

/** At least as many pixels as CIF, so a 16:9 640×360 passes and a 320×240 QVGA does not. */
export function isAtLeastCif(size: { width: number; height: number }): boolean {
  return size.width * size.height >= CIF.width * CIF.height && Math.min(size.width, size.height) >= 240;
}
