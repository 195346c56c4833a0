// Shared set-up of the snapshot tests: a real store and snapshot dir in a temp dir, a fake clock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema, type Config } from '../../../src/config/schema/index.js';
import type { Timers } from '../../../src/modules/snapshots/service.js';
import { cameraRecordSchema } from '../../../src/protocols/province/messages.js';
import { sampleCameraRecordFields } from '../../../src/sim/sampleCamera.js';
import type { CameraAccess, CameraStore, StoredCamera } from '../../../src/store/cameras.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export function tempDir(t: Teardown, prefix = 'vcgw-snap-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function snapConfig(dataDir: string, snapshots: Record<string, unknown> = {}, media: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    gateway: { device_code: 'vg-108121', data_dir: dataDir },
    province: { base_url: 'https://127.0.0.1:1', user: 'Jzbgs', token: 'tok-config', sm2_private_key: '1'.repeat(64) },
    api: { listen: '127.0.0.1:0' },
    monitor: { listen: '127.0.0.1:0' },
    media: { hardware: 'off', ...media },
    snapshots,
  });
}

/** A stable UUID v4 per index, so hashed offsets are the same at every run. */
export function fixedCameraNum(i: number): string {
  const h = crypto.createHash('sha256').update(`camera-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function addCamera(store: CameraStore, i: number, access: CameraAccess = {}, cameraNum = fixedCameraNum(i)): StoredCamera {
  const record = cameraRecordSchema.parse({ ...sampleCameraRecordFields(i), cameraNum });
  store.put({ id: `cam-${i}`, record, access, source: 'cli' });
  return store.byNum(cameraNum)!;
}

/** A minimal baseline JPEG header (SOI, SOF0 with the size, EOI), padded to `bytes`: enough for jpegSize and the file store. */
export function fakeJpeg(width: number, height: number, bytes = 1000): Buffer {
  const b = Buffer.alloc(Math.max(bytes, 21));
  Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08]).copy(b, 0);
  b.writeUInt16BE(height, 7);
  b.writeUInt16BE(width, 9);
  b[b.length - 2] = 0xff;
  b[b.length - 1] = 0xd9;
  return b;
}

/** Timers on a clock that only moves when told; `advance` runs due timers in order and lets the work they start finish. */
export class FakeClock implements Timers {
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  /** Awaited after every timer fired (e.g. the service's idle()). */
  settle: () => Promise<void> = async () => undefined;

  constructor(public now: number) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      await this.settle();
    }
    this.now = end;
    await this.settle();
  }
}
