// E-5.6 events from local detectors → the province's E-4.4 form (CONTRACT §3, §4 last bullet).
import { randomUUID } from 'node:crypto';
import { analyseEventSchema, monitorEventSchema, type AnalyseEvent } from '../../protocols/province/messages.js';
import type { CameraStore } from '../../store/cameras.js';
import { parseJson } from './json.js';
import { validate } from './validate.js';

export interface ConvertOptions {
  cameras: Pick<CameraStore, 'byNum'>;
  /** Detector device id → cameraNum (config monitor.device_map). */
  deviceMap: Readonly<Record<string, string>>;
  newUuid?: () => string;
}

/** Where a detector's own event id was replaced, for the log. */
export interface Renamed {
  index: number;
  detectorEventId: string;
  eventId: string;
}

export type ConvertResult = { ok: true; events: AnalyseEvent[]; renamed: Renamed[] } | { ok: false; msg: string };

const EVENT_ID = /^\d{8}_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The table says "JSON string", the demo sends JSON values: both are accepted. */
function decodeJsonString(value: unknown, where: string): { ok: true; value: unknown } | { ok: false; msg: string } {
  if (typeof value !== 'string') return { ok: true, value };
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return { ok: true, value };
  return parseJson(text, where, true);
}

function resolveCamera(deviceCode: string, opts: ConvertOptions, where: string): { ok: true; cameraNum: string } | { ok: false; msg: string } {
  const mapped = Object.hasOwn(opts.deviceMap, deviceCode) ? opts.deviceMap[deviceCode] : undefined;
  const cameraNum = mapped ?? deviceCode.toLowerCase();
  if (opts.cameras.byNum(cameraNum)) return { ok: true, cameraNum };
  return {
    ok: false,
    msg: mapped
      ? `${where}: ${deviceCode} maps to ${mapped} in monitor.device_map, which is not a registered camera`
      : `${where}: ${deviceCode} is neither a registered cameraNum nor in monitor.device_map`,
  };
}

export function toProvinceEvents(body: unknown, opts: ConvertOptions): ConvertResult {
  if (!isRecord(body)) return { ok: false, msg: 'body: must be a JSON object {"data":[…]}' };
  if (body['data'] === undefined) return { ok: false, msg: 'data: required' };
  const data = decodeJsonString(body['data'], 'data');
  if (!data.ok) return data;
  if (!Array.isArray(data.value)) return { ok: false, msg: 'data: must be an array of events (or that array JSON-encoded)' };
  if (data.value.length === 0) return { ok: false, msg: 'data: must hold at least one event' };

  const events: AnalyseEvent[] = [];
  const renamed: Renamed[] = [];
  for (const [i, raw] of data.value.entries()) {
    const at = `data.${i}`;
    if (!isRecord(raw)) return { ok: false, msg: `${at}: must be an event object` };
    const mediaUrl = decodeJsonString(raw['mediaUrl'], `${at}.mediaUrl`);
    if (!mediaUrl.ok) return mediaUrl;
    const parsed = validate(monitorEventSchema, { ...raw, mediaUrl: mediaUrl.value }, at);
    if (!parsed.ok) return parsed;
    const ev = parsed.data;
    const camera = resolveCamera(ev.deviceCode, opts, `${at}.deviceCode`);
    if (!camera.ok) return camera;
    const cameraNum = camera.cameraNum;

    const id = ev.eventId.toLowerCase();
    let eventId = id;
    if (EVENT_ID.exec(id)?.[1] !== cameraNum) {
      // The province wants YYYYMMDD_<cameraNum>_<uuid>; a detector's own id keeps living in the log.
      eventId = `${ev.detectTime.slice(0, 10).replaceAll('-', '')}_${cameraNum}_${(opts.newUuid ?? randomUUID)()}`;
      renamed.push({ index: i, detectorEventId: ev.eventId, eventId });
    }
    const event = {
      eventId,
      cameraNum,
      detectTime: ev.detectTime,
      Location: ev.Location,
      ...(ev.latLong !== undefined && { latLong: ev.latLong }),
      ...(ev.mediaUrl !== undefined && { mediaUrl: ev.mediaUrl }),
      eventType: ev.eventType,
      ...(ev.review_status !== undefined && { review_status: ev.review_status }),
    };
    const out = validate(analyseEventSchema, event, at);
    if (!out.ok) return out;
    events.push(out.data);
  }
  return { ok: true, events, renamed };
}
