// OSD actions of the simulator's Media service (ver10 GetOSDs, GetOSDOptions, CreateOSD, SetOSD,
// DeleteOSD): text OSDs of the Plain and DateAndTime kinds, checked against the options advertised.
import { VIDEO_SOURCE_CONFIG_TOKEN } from './profiles.js';
import { invalidArg, SoapFaultError } from './soap.js';
import { child, childText, escapeXml, type XmlElement } from './xml.js';

export type SimOsdPosition = 'UpperLeft' | 'UpperRight' | 'LowerLeft' | 'LowerRight' | 'Custom';

export interface SimOsd {
  token: string;
  videoSourceConfigurationToken: string;
  position: SimOsdPosition;
  /** Custom only: ONVIF normalised coordinates, -1..1. */
  pos?: { x: number; y: number };
  textType: 'Plain' | 'DateAndTime';
  plainText?: string;
  dateFormat?: string;
  timeFormat?: string;
  fontSize?: number;
}

export interface OsdState {
  /** false: a camera without OSD support (every OSD action answers ActionNotSupported). */
  supported: boolean;
  osds: SimOsd[];
  nextToken: number;
  maxTotal: number;
  maxPlainText: number;
  maxDateAndTime: number;
}

export interface OsdSimOptions {
  supported?: boolean;
  maxTotal?: number;
  maxPlainText?: number;
  /** Several real cameras allow a single clock OSD. */
  maxDateAndTime?: number;
  /** OSDs present at start, e.g. a factory clock at the lower right. */
  initial?: Array<Omit<SimOsd, 'token' | 'videoSourceConfigurationToken'>>;
}

const POSITIONS: readonly SimOsdPosition[] = ['UpperLeft', 'UpperRight', 'LowerLeft', 'LowerRight', 'Custom'];
export const SIM_DATE_FORMATS = ['yyyy-MM-dd', 'yyyy/MM/dd', 'MM/dd/yyyy', 'dd/MM/yyyy'];
export const SIM_TIME_FORMATS = ['HH:mm:ss', 'hh:mm:ss tt'];
const FONT_SIZE = { min: 16, max: 64 };
const MAX_TEXT = 64;

export function newOsdState(o: OsdSimOptions = {}): OsdState {
  const s: OsdState = {
    supported: o.supported ?? true,
    osds: [],
    nextToken: 1,
    maxTotal: o.maxTotal ?? 8,
    maxPlainText: o.maxPlainText ?? 6,
    maxDateAndTime: o.maxDateAndTime ?? 1,
  };
  for (const init of o.initial ?? []) s.osds.push({ ...init, token: `OSD_${s.nextToken++}`, videoSourceConfigurationToken: VIDEO_SOURCE_CONFIG_TOKEN });
  return s;
}

function noOsd(token: string | undefined): SoapFaultError {
  return new SoapFaultError({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal', 'ter:NoConfig'], reason: `no OSD ${String(token)}` });
}

function osdXml(tag: string, o: SimOsd): string {
  const pos = o.position === 'Custom' && o.pos ? `<tt:Pos x="${o.pos.x}" y="${o.pos.y}"/>` : '';
  const text =
    `<tt:TextString IsPersistentText="false"><tt:Type>${o.textType}</tt:Type>` +
    (o.dateFormat !== undefined ? `<tt:DateFormat>${escapeXml(o.dateFormat)}</tt:DateFormat>` : '') +
    (o.timeFormat !== undefined ? `<tt:TimeFormat>${escapeXml(o.timeFormat)}</tt:TimeFormat>` : '') +
    (o.fontSize !== undefined ? `<tt:FontSize>${o.fontSize}</tt:FontSize>` : '') +
    (o.plainText !== undefined ? `<tt:PlainText>${escapeXml(o.plainText)}</tt:PlainText>` : '') +
    `</tt:TextString>`;
  return (
    `<${tag} token="${escapeXml(o.token)}"><tt:VideoSourceConfigurationToken>${escapeXml(o.videoSourceConfigurationToken)}</tt:VideoSourceConfigurationToken>` +
    `<tt:Type>Text</tt:Type><tt:Position><tt:Type>${o.position}</tt:Type>${pos}</tt:Position>${text}</${tag}>`
  );
}

function optionsXml(s: OsdState): string {
  const range = `<tt:FontSizeRange><tt:Min>${FONT_SIZE.min}</tt:Min><tt:Max>${FONT_SIZE.max}</tt:Max></tt:FontSizeRange>`;
  return (
    `<trt:OSDOptions><tt:MaximumNumberOfOSDs Total="${s.maxTotal}" Image="0" PlainText="${s.maxPlainText}" Date="0" Time="0" DateAndTime="${s.maxDateAndTime}"/>` +
    `<tt:Type>Text</tt:Type>${POSITIONS.map((p) => `<tt:PositionOption>${p}</tt:PositionOption>`).join('')}` +
    `<tt:TextOption><tt:Type>Plain</tt:Type><tt:Type>DateAndTime</tt:Type>${range}` +
    SIM_DATE_FORMATS.map((f) => `<tt:DateFormat>${escapeXml(f)}</tt:DateFormat>`).join('') +
    SIM_TIME_FORMATS.map((f) => `<tt:TimeFormat>${escapeXml(f)}</tt:TimeFormat>`).join('') +
    `</tt:TextOption></trt:OSDOptions>`
  );
}

function number(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || s.trim() === '' || !Number.isFinite(n)) throw invalidArg(`${what} is not a number: ${String(s)}`, 'ter:InvalidOSD');
  return n;
}

/** The OSD an <OSD> element of CreateOSD/SetOSD describes; throws the fault a camera would send. */
function parseOsd(el: XmlElement, token: string): SimOsd {
  const source = childText(el, 'VideoSourceConfigurationToken');
  if (source !== VIDEO_SOURCE_CONFIG_TOKEN) throw invalidArg(`no video source configuration ${String(source)}`, 'ter:NoConfig');
  const type = childText(el, 'Type');
  if (type !== 'Text') throw invalidArg(`OSD Type ${String(type)} not supported (Text only)`, 'ter:InvalidOSD');
  const position = childText(el, 'Position', 'Type') as SimOsdPosition | undefined;
  if (position === undefined || !POSITIONS.includes(position)) throw invalidArg(`Position ${String(position)} not supported`, 'ter:InvalidOSD');
  const osd: SimOsd = { token, videoSourceConfigurationToken: source, position, textType: 'Plain' };
  if (position === 'Custom') {
    const p = child(el, 'Position', 'Pos');
    if (!p) throw invalidArg('Custom position without Pos', 'ter:InvalidOSD');
    const x = number(p.attrs['x'], 'Pos x');
    const y = number(p.attrs['y'], 'Pos y');
    if (Math.abs(x) > 1 || Math.abs(y) > 1) throw invalidArg(`Pos (${x}, ${y}) outside -1..1`, 'ter:InvalidOSD');
    osd.pos = { x, y };
  }
  const ts = child(el, 'TextString');
  const textType = childText(ts, 'Type');
  if (textType === 'Plain') {
    const plain = child(ts, 'PlainText')?.text;
    if (plain === undefined || plain.trim() === '') throw invalidArg('Plain text OSD without PlainText', 'ter:InvalidOSD');
    if ([...plain].length > MAX_TEXT) throw invalidArg(`PlainText longer than ${MAX_TEXT} characters`, 'ter:InvalidOSD');
    osd.plainText = plain;
  } else if (textType === 'DateAndTime') {
    const df = childText(ts, 'DateFormat');
    const tf = childText(ts, 'TimeFormat');
    if (df === undefined || !SIM_DATE_FORMATS.includes(df)) throw invalidArg(`DateFormat ${String(df)} not supported`, 'ter:InvalidOSD');
    if (tf === undefined || !SIM_TIME_FORMATS.includes(tf)) throw invalidArg(`TimeFormat ${String(tf)} not supported`, 'ter:InvalidOSD');
    osd.textType = 'DateAndTime';
    osd.dateFormat = df;
    osd.timeFormat = tf;
  } else {
    throw invalidArg(`TextString Type ${String(textType)} not supported (Plain, DateAndTime)`, 'ter:InvalidOSD');
  }
  const fs = childText(ts, 'FontSize');
  if (fs !== undefined && fs !== '') {
    const size = number(fs, 'FontSize');
    if (size < FONT_SIZE.min || size > FONT_SIZE.max) throw invalidArg(`FontSize ${size} outside ${FONT_SIZE.min}..${FONT_SIZE.max}`, 'ter:InvalidOSD');
    osd.fontSize = size;
  }
  return osd;
}

function checkLimits(s: OsdState, next: SimOsd[]): void {
  const count = (t: SimOsd['textType']) => next.filter((o) => o.textType === t).length;
  const over = (what: string, max: number) =>
    new SoapFaultError({ status: 400, code: 'Receiver', subcodes: ['ter:Action', 'ter:MaxOSDs'], reason: `more than ${max} ${what} OSDs` });
  if (next.length > s.maxTotal) throw over('', s.maxTotal);
  if (count('Plain') > s.maxPlainText) throw over('plain-text', s.maxPlainText);
  if (count('DateAndTime') > s.maxDateAndTime) throw over('date-and-time', s.maxDateAndTime);
}

const OSD_ACTIONS = new Set(['GetOSDs', 'GetOSD', 'GetOSDOptions', 'CreateOSD', 'SetOSD', 'DeleteOSD']);

/** Response body for an OSD action, or undefined when the action is not one (or the camera has no OSD). */
export function osdAction(action: string, req: XmlElement, s: OsdState): string | undefined {
  if (!OSD_ACTIONS.has(action) || !s.supported) return undefined;
  switch (action) {
    case 'GetOSDs': {
      const conf = childText(req, 'ConfigurationToken');
      const list = s.osds.filter((o) => !conf || o.videoSourceConfigurationToken === conf);
      return `<trt:GetOSDsResponse>${list.map((o) => osdXml('trt:OSDs', o)).join('')}</trt:GetOSDsResponse>`;
    }
    case 'GetOSD': {
      const token = childText(req, 'OSDToken');
      const o = s.osds.find((x) => x.token === token);
      if (!o) throw noOsd(token);
      return `<trt:GetOSDResponse>${osdXml('trt:OSD', o)}</trt:GetOSDResponse>`;
    }
    case 'GetOSDOptions': {
      const conf = childText(req, 'ConfigurationToken');
      if (conf !== VIDEO_SOURCE_CONFIG_TOKEN) throw invalidArg(`no video source configuration ${String(conf)}`, 'ter:NoConfig');
      return `<trt:GetOSDOptionsResponse>${optionsXml(s)}</trt:GetOSDOptionsResponse>`;
    }
    case 'CreateOSD': {
      const el = child(req, 'OSD');
      if (!el) throw invalidArg('CreateOSD without OSD', 'ter:InvalidOSD');
      const osd = parseOsd(el, `OSD_${s.nextToken}`);
      checkLimits(s, [...s.osds, osd]);
      s.nextToken++;
      s.osds.push(osd);
      return `<trt:CreateOSDResponse><trt:OSDToken>${osd.token}</trt:OSDToken></trt:CreateOSDResponse>`;
    }
    case 'SetOSD': {
      const el = child(req, 'OSD');
      const token = el?.attrs['token'];
      const i = s.osds.findIndex((x) => x.token === token);
      if (!el || token === undefined || i < 0) throw noOsd(token);
      const osd = parseOsd(el, token);
      const next = s.osds.map((o, j) => (j === i ? osd : o));
      checkLimits(s, next);
      s.osds = next;
      return `<trt:SetOSDResponse/>`;
    }
    default: {
      const token = childText(req, 'OSDToken');
      const i = s.osds.findIndex((x) => x.token === token);
      if (i < 0) throw noOsd(token);
      s.osds.splice(i, 1);
      return `<trt:DeleteOSDResponse/>`;
    }
  }
}
