import type { Db } from './db.js';

/** The last image-quality diagnosis of a camera, as reported to the province (CONTRACT §3). */
export interface CameraQualityRow {
  checkedAt: number;
  /** cameraStatus: '0'/'1' flags, offline first. */
  bits: string;
  /** cameraConfidence: 8 values a|b|… */
  confidences: string;
  /** The measure behind each condition, for `vcgw quality` / the log. */
  details: Record<string, string>;
  imageUrl: string | null;
  /** 'burst' (hourly, snapshot + frames) or 'snapshot' (the 5-minute single-picture check). */
  kind: 'burst' | 'snapshot';
}

interface Row {
  checked_at: number;
  bits: string;
  confidences: string;
  details: string;
  image_url: string | null;
  kind: 'burst' | 'snapshot';
}

/** Written by the daemon's quality service, read by it (new anomalies) and by the CLI. */
export class CameraQualityStore {
  constructor(private readonly db: Db) {}

  put(cameraNum: string, q: CameraQualityRow): void {
    this.db
      .prepare(
        `INSERT INTO camera_quality (camera_num, checked_at, bits, confidences, details, image_url, kind) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (camera_num) DO UPDATE SET checked_at = excluded.checked_at, bits = excluded.bits, confidences = excluded.confidences,
           details = excluded.details, image_url = excluded.image_url, kind = excluded.kind`,
      )
      .run(cameraNum, q.checkedAt, q.bits, q.confidences, JSON.stringify(q.details), q.imageUrl, q.kind);
  }

  get(cameraNum: string): CameraQualityRow | undefined {
    const r = this.db.prepare('SELECT * FROM camera_quality WHERE camera_num = ?').get(cameraNum) as Row | undefined;
    return r && { checkedAt: r.checked_at, bits: r.bits, confidences: r.confidences, details: JSON.parse(r.details) as Record<string, string>, imageUrl: r.image_url, kind: r.kind };
  }
}
