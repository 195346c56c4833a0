// The MANSCDP commands other than Catalog: Keepalive, queries, DeviceInfo, DeviceStatus,
// RecordInfo (empty), Alarm and DeviceControl (PTZCmd) — built and read.
import { child, children, encodeManscdp, field, type Charset, type ManscdpMessage } from './manscdp.js';
import { decodePtz, encodePtz, type PtzCommand } from './ptz.js';

type Head = { sn: number; deviceId: string };

export function keepalive(head: Head, charset?: Charset): Buffer {
  return encodeManscdp('Notify', { cmdType: 'Keepalive', ...head }, { Status: 'OK' }, charset);
}

/** A Query for Catalog, DeviceInfo, DeviceStatus, … (RecordInfo has its own builder). */
export function query(cmdType: 'Catalog' | 'DeviceInfo' | 'DeviceStatus' | 'ConfigDownload' | 'PresetQuery', head: Head, charset?: Charset): Buffer {
  return encodeManscdp('Query', { cmdType, ...head }, {}, charset);
}

export interface DeviceInfo {
  deviceName?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  /** Number of video channels (an NVR's cameras). */
  channel?: number;
  result: 'OK' | 'ERROR';
}

export function deviceInfoResponse(head: Head, info: DeviceInfo, charset?: Charset): Buffer {
  const rest: Record<string, string> = {};
  if (info.deviceName !== undefined) rest['DeviceName'] = info.deviceName;
  rest['Result'] = info.result;
  if (info.manufacturer !== undefined) rest['Manufacturer'] = info.manufacturer;
  if (info.model !== undefined) rest['Model'] = info.model;
  if (info.firmware !== undefined) rest['Firmware'] = info.firmware;
  if (info.channel !== undefined) rest['Channel'] = String(info.channel);
  return encodeManscdp('Response', { cmdType: 'DeviceInfo', ...head }, rest, charset);
}

export function parseDeviceInfo(msg: ManscdpMessage): DeviceInfo {
  const channel = Number(field(msg.body, 'Channel'));
  return {
    deviceName: field(msg.body, 'DeviceName'),
    manufacturer: field(msg.body, 'Manufacturer'),
    model: field(msg.body, 'Model'),
    firmware: field(msg.body, 'Firmware'),
    channel: Number.isInteger(channel) ? channel : undefined,
    result: (field(msg.body, 'Result') ?? 'OK').toUpperCase() === 'ERROR' ? 'ERROR' : 'OK',
  };
}

export interface DeviceStatus {
  result: 'OK' | 'ERROR';
  online: boolean;
  /** Device's own view of its health: OK or ERROR. */
  status: 'OK' | 'ERROR';
  encode?: 'ON' | 'OFF';
  record?: 'ON' | 'OFF';
  /** The device's clock as it wrote it (GB/T 28181 time: 2026-12-06T09:30:00, local, no zone). */
  deviceTime?: string;
}

export function deviceStatusResponse(head: Head, s: DeviceStatus, charset?: Charset): Buffer {
  const rest: Record<string, string> = {
    Result: s.result,
    Online: s.online ? 'ONLINE' : 'OFFLINE',
    Status: s.status,
  };
  if (s.encode) rest['Encode'] = s.encode;
  if (s.record) rest['Record'] = s.record;
  if (s.deviceTime) rest['DeviceTime'] = s.deviceTime;
  return encodeManscdp('Response', { cmdType: 'DeviceStatus', ...head }, rest, charset);
}

export function parseDeviceStatus(msg: ManscdpMessage): DeviceStatus {
  const up = (k: string) => field(msg.body, k)?.trim().toUpperCase();
  const onOff = (v: string | undefined) => (v === 'ON' ? 'ON' : v === 'OFF' ? 'OFF' : undefined);
  return {
    result: up('Result') === 'ERROR' ? 'ERROR' : 'OK',
    online: up('Online') !== 'OFFLINE',
    status: up('Status') === 'ERROR' ? 'ERROR' : 'OK',
    encode: onOff(up('Encode')),
    record: onOff(up('Record')),
    deviceTime: field(msg.body, 'DeviceTime'),
  };
}

/**
 * GB/T 28181 local time "YYYY-MM-DDTHH:mm:ss" (the SIP Date header and DeviceTime use it, without
 * zone) for `date` in the zone `offsetMinutes` east of UTC (China: 480).
 */
export function gbTime(date: Date, offsetMinutes = 480): string {
  return new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** The inverse of gbTime; also accepts a fraction of seconds (seen in Date headers). */
export function parseGbTime(text: string, offsetMinutes = 480): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  return Number.isFinite(ms) ? new Date(ms - offsetMinutes * 60_000) : null;
}

/** RecordInfo answered with an empty list: the gateway records nothing. */
export function emptyRecordInfo(head: Head, name: string, charset?: Charset): Buffer {
  return encodeManscdp('Response', { cmdType: 'RecordInfo', ...head }, { Name: name, SumNum: '0', RecordList: { '@_Num': '0' } }, charset);
}

export interface Alarm {
  /** 1 first-level … 4 fourth-level. */
  priority: number;
  /** 1 phone, 2 device, 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other. */
  method: number;
  time: string;
  description?: string;
  longitude?: number;
  latitude?: number;
  alarmType?: number;
}

export function alarmNotify(head: Head, a: Alarm, charset?: Charset): Buffer {
  const rest: Record<string, string | Record<string, string>> = {
    AlarmPriority: String(a.priority),
    AlarmMethod: String(a.method),
    AlarmTime: a.time,
  };
  if (a.description !== undefined) rest['AlarmDescription'] = a.description;
  if (a.longitude !== undefined) rest['Longitude'] = String(a.longitude);
  if (a.latitude !== undefined) rest['Latitude'] = String(a.latitude);
  if (a.alarmType !== undefined) rest['Info'] = { AlarmType: String(a.alarmType) };
  return encodeManscdp('Notify', { cmdType: 'Alarm', ...head }, rest, charset);
}

export function parseAlarm(msg: ManscdpMessage): Alarm {
  const n = (k: string) => {
    const v = Number(field(msg.body, k));
    return Number.isFinite(v) && field(msg.body, k) !== undefined ? v : undefined;
  };
  const type = Number(field(child(msg.body, 'Info'), 'AlarmType'));
  return {
    priority: n('AlarmPriority') ?? 0,
    method: n('AlarmMethod') ?? 0,
    time: field(msg.body, 'AlarmTime') ?? '',
    description: field(msg.body, 'AlarmDescription'),
    longitude: n('Longitude'),
    latitude: n('Latitude'),
    alarmType: Number.isFinite(type) && field(child(msg.body, 'Info'), 'AlarmType') !== undefined ? type : undefined,
  };
}

/** DeviceControl with a PTZCmd; ControlPriority (Info) is the 2016 A.2.3.1 field, 1 highest. */
export function ptzControl(head: Head, cmd: PtzCommand, opts: { address?: number; priority?: number; charset?: Charset } = {}): Buffer {
  return encodeManscdp(
    'Control',
    { cmdType: 'DeviceControl', ...head },
    { PTZCmd: encodePtz(cmd, opts.address ?? 1), Info: { ControlPriority: String(opts.priority ?? 5) } },
    opts.charset,
  );
}

export type DeviceControlRead =
  | { kind: 'ptz'; command: PtzCommand; address: number; priority?: number }
  | { kind: 'other'; elements: string[] }
  | { kind: 'error'; error: string };

export function parseDeviceControl(msg: ManscdpMessage): DeviceControlRead {
  const hex = field(msg.body, 'PTZCmd');
  if (hex === undefined) {
    return { kind: 'other', elements: Object.keys(msg.body).filter((k) => !['CmdType', 'SN', 'DeviceID'].includes(k)) };
  }
  const d = decodePtz(hex);
  if (!d.ok) return { kind: 'error', error: d.error };
  const prio = Number(field(child(msg.body, 'Info'), 'ControlPriority'));
  return { kind: 'ptz', command: d.command, address: d.address, priority: Number.isFinite(prio) && prio > 0 ? prio : undefined };
}

/** The Response a device sends to a DeviceControl (or a platform to a lower platform's). */
export function controlResult(head: Head, ok: boolean, charset?: Charset): Buffer {
  return encodeManscdp('Response', { cmdType: 'DeviceControl', ...head }, { Result: ok ? 'OK' : 'ERROR' }, charset);
}

/** One of a camera's presets as its PresetQuery answer lists it (2016 A.2.6.11: PresetID 1–255, PresetName). */
export interface Preset {
  id: number;
  name?: string;
}

export function presetQueryResponse(head: Head, presets: readonly Preset[], charset?: Charset): Buffer {
  const items = presets.map((p) => ({ PresetID: String(p.id), ...(p.name !== undefined ? { PresetName: p.name } : {}) }));
  return encodeManscdp('Response', { cmdType: 'PresetQuery', ...head }, { PresetList: { '@_Num': String(items.length), Item: items } }, charset);
}

/** The listed presets, in the device's order; items without a usable PresetID are skipped. */
export function parsePresetList(msg: ManscdpMessage): Preset[] {
  const out: Preset[] = [];
  for (const item of children(child(msg.body, 'PresetList'), 'Item')) {
    const idText = field(item, 'PresetID')?.trim();
    const id = Number(idText);
    if (!idText || !Number.isInteger(id) || id < 1 || id > 255) continue;
    const name = field(item, 'PresetName');
    out.push(name === undefined || name === '' ? { id } : { id, name });
  }
  return out;
}
