// A media test rig: real simulated RTSP cameras, a real RTMP server (nginx-rtmp), a real
// camera registry in SQLite and the real engine with FFmpeg.
import { cameraStreamsOf } from '../../src/modules/cameraEncoding/cameraStreams.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src/config/schema/index.js';
import type { OverlayConfig } from '../../src/config/schema/overlay.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { GatewayBus } from '../../src/modules/events.js';
import { FfmpegMediaEngine } from '../../src/modules/media/ffmpegEngine.js';
import type { SourceKind } from '../../src/modules/media/source.js';
import { createMediaRuntime, type MediaConfig, type MediaRuntime } from '../../src/modules/media/runtime.js';
import { cameraRecordSchema } from '../../src/protocols/province/messages.js';
import { startRtspCamera, type ClipSpec, type RtspCamera } from '../../src/sim/camera/index.js';
import { startRtmpServer, type RtmpServer } from '../../src/sim/rtmp/index.js';
import { CameraStore, type StoredCamera } from '../../src/store/cameras.js';
import { openDb, type Db } from '../../src/store/db.js';
import { sampleCameraRecordFields } from '../../src/sim/sampleCamera.js';

/** Short steps so recovery tests finish in seconds; the schema's minimums are for the field. */
export const FAST_MEDIA: Partial<MediaConfig> = {
  hardware: 'off',
  x264_preset: 'ultrafast',
  backoff_s: [0.2, 0.5, 1],
  stall_s: 4,
  first_frame_s: 8,
  source_linger_s: 1,
};

export function mediaConfig(over: Partial<MediaConfig> = {}): MediaConfig {
  return { ...configSchema.shape.media.parse(undefined), ...FAST_MEDIA, ...over };
}

export interface CameraSpec {
  id: string;
  main?: ClipSpec;
  sub?: ClipSpec;
  pushType?: 1 | 2;
  port?: number;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface MediaRig {
  db: Db;
  rtmp: RtmpServer;
  cams: Map<string, RtspCamera>;
  store: CameraStore;
  runtime: MediaRuntime;
  engine: FfmpegMediaEngine;
  /** The engine's bus (outputGone, encodingDrift, cameraStreamsChecked …). */
  events: GatewayBus;
  camera(id: string): StoredCamera;
  /** Starts (or restarts on its old port) the simulated camera of `spec`. */
  startCamera(spec: CameraSpec): Promise<RtspCamera>;
}

export async function startMediaRig(
  t: Teardown,
  o: { cameras: CameraSpec[]; media?: Partial<MediaConfig>; rtmp?: RtmpServer; log?: Logger; overlay?: OverlayConfig; sourceKinds?: SourceKind[] },
): Promise<MediaRig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-media-'));
  const db = openDb(dir);
  const store = new CameraStore(db);
  const log = o.log ?? silentLogger();
  const rtmp = o.rtmp ?? (await startRtmpServer());
  const cams = new Map<string, RtspCamera>();
  const config = mediaConfig(o.media);
  const runtime = await createMediaRuntime(config, log);
  const events = new GatewayBus();
  const engine = new FfmpegMediaEngine({ runtime, config, cameras: store, streams: cameraStreamsOf(db, 'gateway'), events, sourceKinds: o.sourceKinds, overlay: o.overlay, log });
  t.teardown(async () => {
    await engine.close();
    for (const c of cams.values()) await c.close();
    if (!o.rtmp) await rtmp.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const startCamera = async (spec: CameraSpec): Promise<RtspCamera> => {
    await cams.get(spec.id)?.close();
    const streams = [
      ...(spec.main ? [{ path: 'main', clip: spec.main }] : []),
      ...(spec.sub ? [{ path: 'sub', clip: spec.sub }] : []),
    ];
    const cam = await startRtspCamera({ streams, port: spec.port ?? cams.get(spec.id)?.port ?? 0 });
    cams.set(spec.id, cam);
    return cam;
  };
  for (const spec of o.cameras) {
    const cam = await startCamera(spec);
    store.put({
      id: spec.id,
      record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(store.count(), { pushType: spec.pushType ?? 2 }), cameraNum: crypto.randomUUID() }),
      access: { ip: '127.0.0.1', rtspMain: spec.main ? cam.url('main') : undefined, rtspSub: spec.sub ? cam.url('sub') : undefined },
      source: 'cli',
    });
  }
  return {
    db,
    rtmp,
    cams,
    store,
    runtime,
    engine,
    events,
    camera: (id) => store.byId(id)!,
    startCamera,
  };
}

/** Resolves when `check` holds, polling every 100 ms; rejects with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
