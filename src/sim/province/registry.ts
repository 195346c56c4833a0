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
  /** Signs push URLs the way CDN ingest auth does (t = expiry, k = md5 of secret+stream+t). */
  private readonly pushSecret = crypto.randomBytes(16).toString('hex');

  constructor(opts: { rejectCameraNums?: readonly string[]; rtmpBase?: string }) {
    this.rejected = new Set(opts.rejectCameraNums ?? []);
    this.rtmpBase = (opts.rtmpBase ?? DEFAULT_RTMP_BASE).replace(/\/+$/, '');
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
    const t = (Math.floor(nowMs / 1000) + PUSH_URL_TTL_S).toString(16);
    return {
      ok: true,
      cameras: nums.map((cameraNum) => {
        const k = crypto.createHash('md5').update(`${this.pushSecret}/${cameraNum}${t}`).digest('hex');
        return { cameraNum, pushUrl: `${this.rtmpBase}/${cameraNum}?t=${t}&k=${k}` };
      }),
    };
  }
}
