import type { StreamRole } from '../domain/camera.js';
import type { Db } from './db.js';

/** The outputs a camera can encode itself. */
export type CameraEncodedTier = 'low' | 'high';

/** What ffprobe saw on a camera stream. */
export interface MeasuredStream {
  codec: string;
  width: number;
  height: number;
  fps: number;
  gopFrames: number;
  kbps: number;
}

/** A camera stream verified to be one output as it must be pushed. */
export interface VerifiedStream {
  stream: StreamRole;
  measured: MeasuredStream;
}

export interface CameraEncodingState {
  /** camera: at least the 128 kbps output comes from the camera's own encoder; fallback: FFmpeg encodes. */
  state: 'camera' | 'fallback';
  streams: Partial<Record<CameraEncodedTier, VerifiedStream>>;
  /** Why the gateway encodes (fallback), or why one output still is (camera with a partial result). */
  reason: string | null;
  checkedAt: number;
}

interface Row {
  state: 'camera' | 'fallback';
  streams: string;
  reason: string | null;
  checked_at: number;
}

/** Written by the daemon's camera-encoding check, read by the media engine and `cameras show`. */
export class CameraEncodingStore {
  constructor(private readonly db: Db) {}

  put(cameraNum: string, s: CameraEncodingState): void {
    this.db
      .prepare(
        `INSERT INTO camera_encoding (camera_num, state, streams, reason, checked_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET state = excluded.state, streams = excluded.streams,
           reason = excluded.reason, checked_at = excluded.checked_at`,
      )
      .run(cameraNum, s.state, JSON.stringify(s.streams), s.reason, s.checkedAt);
  }

  get(cameraNum: string): CameraEncodingState | undefined {
    const r = this.db.prepare('SELECT state, streams, reason, checked_at FROM camera_encoding WHERE camera_num = ?').get(cameraNum) as Row | undefined;
    return r && { state: r.state, streams: JSON.parse(r.streams) as CameraEncodingState['streams'], reason: r.reason, checkedAt: r.checked_at };
  }

  remove(cameraNum: string): void {
    this.db.prepare('DELETE FROM camera_encoding WHERE camera_num = ?').run(cameraNum);
  }
}
