import type { Db } from './db.js';

/** What was last written into a camera's OSD: top-left lines and the bottom-left reserved line. */
export interface OsdLines {
  lines: string[];
  reserved?: string;
}

/** Which camera OSD token carries which of our texts, e.g. { line1: 'OSD_3', time: 'OSD_4' }. */
export type OsdTokens = Record<string, string>;

export interface CameraOsdState {
  /** Last successful write (ms since epoch); null if none succeeded yet. */
  writtenAt: number | null;
  text: OsdLines | null;
  tokens: OsdTokens;
  /** Why the last attempt failed (or was skipped); null when it succeeded. */
  error: string | null;
  attemptedAt: number;
}

interface Row {
  written_at: number | null;
  lines: string | null;
  tokens: string;
  error: string | null;
  attempted_at: number;
}

/** Written by the daemon's OsdWriter, read by `vcgw cameras show` (another process). */
export class CameraOsdStore {
  constructor(private readonly db: Db) {}

  record(cameraNum: string, r: { at: number; text: OsdLines; tokens: OsdTokens }): void {
    this.db
      .prepare(
        `INSERT INTO camera_osd (camera_num, written_at, lines, tokens, error, attempted_at) VALUES (@num, @at, @lines, @tokens, NULL, @at)
         ON CONFLICT (camera_num) DO UPDATE SET written_at = excluded.written_at, lines = excluded.lines, tokens = excluded.tokens,
           error = NULL, attempted_at = excluded.attempted_at`,
      )
      .run({ num: cameraNum, at: r.at, lines: JSON.stringify(r.text), tokens: JSON.stringify(r.tokens) });
  }

  /** Keeps the last good write and its tokens: the next attempt updates those OSDs instead of adding more. */
  recordError(cameraNum: string, at: number, message: string, tokens?: OsdTokens): void {
    this.db
      .prepare(
        `INSERT INTO camera_osd (camera_num, written_at, lines, tokens, error, attempted_at) VALUES (@num, NULL, NULL, @tokens, @msg, @at)
         ON CONFLICT (camera_num) DO UPDATE SET error = excluded.error, attempted_at = excluded.attempted_at,
           tokens = CASE WHEN @keep THEN camera_osd.tokens ELSE excluded.tokens END`,
      )
      .run({ num: cameraNum, at, msg: message, tokens: JSON.stringify(tokens ?? {}), keep: tokens === undefined ? 1 : 0 });
  }

  get(cameraNum: string): CameraOsdState | undefined {
    const r = this.db.prepare('SELECT written_at, lines, tokens, error, attempted_at FROM camera_osd WHERE camera_num = ?').get(cameraNum) as Row | undefined;
    if (!r) return undefined;
    return {
      writtenAt: r.written_at,
      text: r.lines === null ? null : (JSON.parse(r.lines) as OsdLines),
      tokens: JSON.parse(r.tokens) as OsdTokens,
      error: r.error,
      attemptedAt: r.attempted_at,
    };
  }
}
