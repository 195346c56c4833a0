// Typed report calls of Appendix E; `call` is a session that adds TAuth and handles 403.
import crypto from 'node:crypto';
import {
  perRecordResultSchema,
  pushAddressReplyDataSchema,
  type AnalyseEvent,
  type CameraRecord,
  type Envelope,
  type OnlineState,
  type PushAddressReply,
} from './messages.js';

export type ProvinceCall = (path: string, body: unknown) => Promise<Envelope>;

export const PATHS = {
  videoInformation: '/service/video.VideoInformation',
  videoInformationDel: '/service/video.VideoInformationDel',
  getPushAddress: '/service/stream.GetPushAddress',
  reportCameraStatus: '/service/video.ReportCameraStatus',
  reportCameraQuality: '/service/video.ReportCameraQuality',
  reportAnalyse: '/service/video.ReportAnalyse',
  reportSnapshot: '/service/video.ReportSnapshot',
} as const;

export interface RecordResult {
  cameraNum: string;
  status: number;
  msg: string;
}

function perRecord(env: Envelope): RecordResult[] {
  const parsed = perRecordResultSchema.safeParse(env.data);
  return parsed.success ? parsed.data : [];
}

export async function videoInformation(call: ProvinceCall, records: readonly CameraRecord[]): Promise<RecordResult[]> {
  return perRecord(await call(PATHS.videoInformation, records));
}

export async function videoInformationDel(call: ProvinceCall, cameraNums: readonly string[]): Promise<RecordResult[]> {
  if (cameraNums.length > 100) throw new Error('VideoInformationDel takes at most 100 ids per call');
  return perRecord(await call(PATHS.videoInformationDel, { cameras: cameraNums }));
}

export async function getPushAddress(call: ProvinceCall, cameraNums: readonly string[]): Promise<PushAddressReply> {
  const env = await call(PATHS.getPushAddress, { cameras: cameraNums });
  return pushAddressReplyDataSchema.parse(env.data);
}

export async function reportCameraStatus(
  call: ProvinceCall,
  items: ReadonlyArray<{ cameraNum: string; online: OnlineState }>,
): Promise<void> {
  await call(PATHS.reportCameraStatus, items);
}

export interface QualityItem {
  cameraNum: string;
  cameraStatus: string;
  cameraConfidence: string;
  imageUrl: string | null;
}
export async function reportCameraQuality(call: ProvinceCall, items: readonly QualityItem[]): Promise<void> {
  await call(PATHS.reportCameraQuality, items);
}

export interface SnapshotItem {
  cameraNum: string;
  time: number;
  snapshotUrl: string;
}
export async function reportSnapshot(call: ProvinceCall, items: readonly SnapshotItem[]): Promise<void> {
  await call(PATHS.reportSnapshot, items);
}

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8, no daylight saving). */
export function beijingDateTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** E-4.4: sign = lower-case hex MD5 of (key + dateTime). */
export function analyseSign(key: string, dateTime: string): string {
  return crypto.createHash('md5').update(key + dateTime, 'utf8').digest('hex');
}

export async function reportAnalyse(
  call: ProvinceCall,
  events: readonly AnalyseEvent[],
  opts: { key: string; orgId: string; now: number },
): Promise<void> {
  const dateTime = beijingDateTime(opts.now);
  await call(PATHS.reportAnalyse, { dateTime, sign: analyseSign(opts.key, dateTime), orgld: opts.orgId, data: events });
}
