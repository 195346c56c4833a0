// The media engine in the benchmark's own process: a throw-away SQLite camera registry, the real
// runtime (FFmpeg located and probed) and FfmpegMediaEngine, as the daemon wires them.
import { cameraStreamsOf } from '../../src/modules/cameraEncoding/cameraStreams.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src/config/schema/index.js';
import { silentLogger } from '../../src/log.js';
import { GatewayBus } from '../../src/modules/events.js';
import { FfmpegMediaEngine } from '../../src/modules/media/ffmpegEngine.js';
import { createMediaRuntime, type MediaConfig, type MediaRuntime } from '../../src/modules/media/runtime.js';
import { cameraRecordSchema } from '../../src/protocols/province/messages.js';
import { CameraStore, type StoredCamera } from '../../src/store/cameras.js';
import { openDb } from '../../src/store/db.js';
import { CameraEncodingStore } from '../../src/store/cameraEncoding.js';
import { CameraOnvifStore } from '../../src/store/cameraOnvif.js';
import { EncodingKeeper } from '../../src/modules/cameraEncoding/encodingKeeper.js';
import { onCleanup } from './children.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';

export interface EngineRig {
  engine: FfmpegMediaEngine;
  runtime: MediaRuntime;
  /** Registers a camera reading the given RTSP URLs (an absent `sub` makes a main-only camera). */
  addCamera(id: string, urls: { main?: string; sub?: string }, pushType?: 1 | 2): StoredCamera;
  /** A camera set to encode the 128 kbps output itself over ONVIF (user admin / admin123), configured and verified as the daemon does. */
  addCameraEncoded(id: string, onvifUrl: string): Promise<{ camera: StoredCamera; detail: string }>;
  close(): Promise<void>;
}

/** The schema's defaults (what a field gateway runs with) with `over` applied. */
export function mediaConfig(over: Partial<MediaConfig> = {}): MediaConfig {
  return { ...configSchema.shape.media.parse(undefined), ...over };
}

let pile = 100;

export async function startEngineRig(over: Partial<MediaConfig>): Promise<EngineRig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-'));
  const db = openDb(dir);
  const store = new CameraStore(db);
  const log = silentLogger();
  const config = mediaConfig(over);
  const runtime = await createMediaRuntime(config, log);
  const streams = cameraStreamsOf(db, 'gateway');
  const events = new GatewayBus();
  const engine = new FfmpegMediaEngine({ runtime, config, cameras: store, streams, events, log });
  const keeper = new EncodingKeeper({
    cameras: store,
    streams,
    onvif: new CameraOnvifStore(db),
    encoding: new CameraEncodingStore(db),
    intervalMs: 3_600_000,
    ffprobe: runtime.ffprobe,
    events,
    log,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await engine.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  onCleanup(close);
  return {
    engine,
    runtime,
    addCamera(id, urls, pushType = 2) {
      const record = cameraRecordSchema.parse({ ...sampleCameraRecordFields(pile++, { pushType }), cameraNum: crypto.randomUUID() });
      store.put({ id, record, access: { ip: '127.0.0.1', rtspMain: urls.main, rtspSub: urls.sub }, source: 'cli' });
      return store.byId(id)!;
    },
    async addCameraEncoded(id, onvifUrl) {
      const record = cameraRecordSchema.parse({ ...sampleCameraRecordFields(pile++, { pushType: 2 }), cameraNum: crypto.randomUUID() });
      store.put({ id, record, access: { ip: '127.0.0.1', onvifUrl, onvifUser: 'admin', onvifPassword: 'admin123', encoder: 'camera' }, source: 'cli' });
      const r = await keeper.checkOne(store.byId(id)!);
      if (!r?.ok) throw new Error(`camera-side encoding of ${id} failed: ${r?.detail ?? 'not eligible'}`);
      return { camera: store.byId(id)!, detail: r.detail };
    },
    close,
  };
}
