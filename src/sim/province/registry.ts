// The platform's camera registry (E-3.1/E-3.2) and its push addresses (E-4.1).
import crypto from 'node:crypto';
import type { CameraRecord } from './types.js';

export const DEFAULT_RTMP_BASE = 'rtmp://127.0.0.1:1935/rtmp';
export const DEFAULT_PUSH_VIDEO: Readonly<Record<string, string>> = {
  framerate: '25',
  width: '352',
  height: '288',
  iframe: '25',
  bitrate: '128',
};
/** E-4.1: a push address is valid for 5 minutes. */
export const PUSH_URL_TTL_S = 300;

export type PushCheck = { ok: true } | { ok: false; reason: string };

export interface PerRecordResult {
  cameraNum: string;
  status: 0 | 1;
  msg: string;
}

export type PushAddressResult =
  | { ok: true; cameras: Array<{ cameraNum: string; pushUrl: string }> }
  | { ok: false; unknown: string };

export class CameraRegistry {
  private readonly byNum = new Map<string, CameraRecord>();
  private readonly rejected: ReadonlySet<string>;
  private readonly rtmpBase: string;
  private readonly pushUrlTtlS: number;
  /** Signs push URLs the way CDN ingest auth does (t = expiry, k = md5 of secret+stream+t). */
  private readonly pushSecret = crypto.randomBytes(16).toString('hex');

  constructor(opts: { rejectCameraNums?: readonly string[]; rtmpBase?: string; pushUrlTtlS?: number }) {
    this.rejected = new Set(opts.rejectCameraNums ?? []);
    this.rtmpBase = (opts.rtmpBase ?? DEFAULT_RTMP_BASE).replace(/\/+$/, '');
    this.pushUrlTtlS = opts.pushUrlTtlS ?? PUSH_URL_TTL_S;
  }

  snapshot(): Map<string, CameraRecord> {
    return new Map([...this.byNum].map(([k, v]) => [k, { ...v }]));
  }

  upsert(records: readonly CameraRecord[]): PerRecordResult[] {
    return records.map((r) => {
      if (this.rejected.has(r.cameraNum)) {
        return { cameraNum: r.cameraNum, status: 1, msg: '失败: 平台拒绝该摄像机 (rejectCameraNums)' };
      }
      const existed = this.byNum.has(r.cameraNum);
      this.byNum.set(r.cameraNum, { ...r });
      return { cameraNum: r.cameraNum, status: 0, msg: existed ? '修改成功' : '成功' };
    });
  }

  remove(cameraNums: readonly string[]): PerRecordResult[] {
    return cameraNums.map((cameraNum) =>
      this.byNum.delete(cameraNum)
        ? { cameraNum, status: 0, msg: '删除成功' }
        : { cameraNum, status: 1, msg: '删除失败: 摄像机不存在' },
    );
  }

  /** Empty list = every registered constant-push camera (E-4.1). */
  pushAddresses(cameraNums: readonly string[], nowMs: number): PushAddressResult {
    let nums: string[];
    if (cameraNums.length === 0) {
      nums = [...this.byNum.values()].filter((c) => c.pushType === 1).map((c) => c.cameraNum);
    } else {
      const unknown = cameraNums.find((n) => !this.byNum.has(n));
      if (unknown !== undefined) return { ok: false, unknown };
      nums = [...new Set(cameraNums)];
    }
    const t = (Math.floor(nowMs / 1000) + this.pushUrlTtlS).toString(16);
    return {
      ok: true,
      cameras: nums.map((cameraNum) => ({ cameraNum, pushUrl: `${this.rtmpBase}/${cameraNum}?t=${t}&k=${this.pushSign(cameraNum, t)}` })),
    };
  }

  /**
   * Whether the ingest accepts a publish of `stream` signed with `t`/`k` (both required here; the
   * caller decides about unsigned names). Valid until the instant `t` (Unix seconds, hex); the
   * stream must still be a registered camera.
   */
  checkPush(stream: string, query: { t?: string; k?: string }, nowMs: number): PushCheck {
    const { t, k } = query;
    if (!t || !k) return { ok: false, reason: `${!t ? 't' : 'k'}: missing from the push URL` };
    if (!/^[0-9a-f]{1,12}$/i.test(t)) return { ok: false, reason: `t: ${t} is not a hex expiry time` };
    const expected = this.pushSign(stream, t.toLowerCase());
    const given = Buffer.from(k.toLowerCase());
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) {
      return { ok: false, reason: 'k: signature does not match the stream name and t' };
    }
    const expiresMs = parseInt(t, 16) * 1000;
    if (nowMs > expiresMs) {
      return { ok: false, reason: `expired: valid until ${new Date(expiresMs).toISOString()}, ${Math.ceil((nowMs - expiresMs) / 1000)} s ago` };
    }
    if (!this.byNum.has(stream)) return { ok: false, reason: `stream: ${stream} is not a registered camera` };
    return { ok: true };
  }

  private pushSign(cameraNum: string, t: string): string {
    return crypto.createHash('md5').update(`${this.pushSecret}/${cameraNum}${t}`).digest('hex');
  }
}
