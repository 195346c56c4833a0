import type { OnvifInfo, OnvifProfileInfo } from '../protocols/onvif/index.js';
import type { StreamRole } from '../domain/camera.js';
import type { Db } from './db.js';

/** One media profile as the camera describes it, with the role the gateway gave it. */
export interface OnvifStreamFacts extends OnvifProfileInfo {
  /** undefined: a further profile the gateway does not use (e.g. a fourth stream or MJPEG). */
  role: StreamRole | undefined;
  streamUri: string | undefined;
  snapshotUri: string | undefined;
}

/** What a camera told the gateway over ONVIF at registration or at the last periodic read. */
export interface OnvifFacts extends OnvifInfo {
  mac: string | undefined;
  ptz: boolean;
  imaging: boolean;
  profiles: OnvifStreamFacts[];
}

export interface StoredOnvifFacts {
  facts: OnvifFacts;
  readAt: number;
}

/** Written at `cameras add --onvif` and by the daemon; read by the media engine and `cameras show`. */
export class CameraOnvifStore {
  constructor(private readonly db: Db) {}

  put(cameraNum: string, facts: OnvifFacts, at: number): void {
    this.db
      .prepare(
        `INSERT INTO camera_onvif (camera_num, facts, read_at) VALUES (?, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET facts = excluded.facts, read_at = excluded.read_at`,
      )
      .run(cameraNum, JSON.stringify(facts), at);
  }

  get(cameraNum: string): StoredOnvifFacts | undefined {
    const r = this.db.prepare('SELECT facts, read_at FROM camera_onvif WHERE camera_num = ?').get(cameraNum) as
      | { facts: string; read_at: number }
      | undefined;
    return r && { facts: JSON.parse(r.facts) as OnvifFacts, readAt: r.read_at };
  }

  remove(cameraNum: string): void {
    this.db.prepare('DELETE FROM camera_onvif WHERE camera_num = ?').run(cameraNum);
  }
}
