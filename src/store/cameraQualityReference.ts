import type { Db } from './db.js';

/** What a camera's picture looks like when it is normal (issue 10): the quality service's memory. */
export interface ReferenceRow<M> {
  regime: 'day' | 'night';
  /** Normal diagnoses folded in. */
  samples: number;
  learnedAt: number;
  updatedAt: number;
  measures: M;
}

interface Row {
  regime: 'day' | 'night';
  samples: number;
  learned_at: number;
  updated_at: number;
  measures: string;
}

/** Kept by the quality service; reset by camera edits (CameraService) and re-aiming. */
export class CameraQualityReferenceStore {
  constructor(private readonly db: Db) {}

  get<M>(cameraNum: string): Array<ReferenceRow<M>> {
    const rows = this.db.prepare('SELECT regime, samples, learned_at, updated_at, measures FROM camera_quality_reference WHERE camera_num = ? ORDER BY regime').all(cameraNum) as Row[];
    return rows.map((r) => ({ regime: r.regime, samples: r.samples, learnedAt: r.learned_at, updatedAt: r.updated_at, measures: JSON.parse(r.measures) as M }));
  }

  put<M>(cameraNum: string, r: ReferenceRow<M>): void {
    this.db
      .prepare(
        `INSERT INTO camera_quality_reference (camera_num, regime, samples, learned_at, updated_at, measures) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (camera_num, regime) DO UPDATE SET samples = excluded.samples, learned_at = excluded.learned_at, updated_at = excluded.updated_at, measures = excluded.measures`,
      )
      .run(cameraNum, r.regime, r.samples, r.learnedAt, r.updatedAt, JSON.stringify(r.measures));
  }

  /** Forgets the camera's reference: its view changed (edited, re-aimed) or it is gone. */
  reset(cameraNum: string): number {
    return this.db.prepare('DELETE FROM camera_quality_reference WHERE camera_num = ?').run(cameraNum).changes;
  }
}
