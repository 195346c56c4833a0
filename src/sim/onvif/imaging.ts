// ONVIF Imaging service (ver20) actions of the simulator: focus moves, iris/exposure/IR-cut settings.
import { invalidArg } from './soap.js';
import { VIDEO_SOURCE_TOKEN } from './profiles.js';
import type { CameraState, ImagingState } from './state.js';
import { child, childText, type XmlElement } from './xml.js';

function settingsXml(tag: string, m: ImagingState): string {
  return (
    `<${tag}><tt:Brightness>${m.brightness}</tt:Brightness>` +
    `<tt:Exposure><tt:Mode>${m.exposureMode}</tt:Mode><tt:MinIris>-22</tt:MinIris><tt:MaxIris>0</tt:MaxIris><tt:Iris>${m.iris}</tt:Iris></tt:Exposure>` +
    `<tt:Focus><tt:AutoFocusMode>MANUAL</tt:AutoFocusMode><tt:DefaultSpeed>1</tt:DefaultSpeed></tt:Focus>` +
    `<tt:IrCutFilter>${m.irCutFilter}</tt:IrCutFilter></${tag}>`
  );
}

function number(s: string | undefined, what: string): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw invalidArg(`${what} is not a number: ${s}`, 'ter:SettingsInvalid');
  return n;
}

/** Response body for an imaging action, or undefined if the action is unknown. */
export function imagingAction(action: string, req: XmlElement, s: CameraState): string | undefined {
  const m = s.imaging;
  if (action !== 'GetImagingSettings' && action !== 'SetImagingSettings' && action !== 'Move' && action !== 'Stop' && action !== 'GetStatus') return undefined;
  const source = childText(req, 'VideoSourceToken');
  if (source !== VIDEO_SOURCE_TOKEN) throw invalidArg(`no video source ${String(source)}`, 'ter:NoSource');
  switch (action) {
    case 'GetImagingSettings':
      return `<timg:GetImagingSettingsResponse>${settingsXml('timg:ImagingSettings', m)}</timg:GetImagingSettingsResponse>`;
    case 'SetImagingSettings': {
      const set = child(req, 'ImagingSettings');
      const brightness = number(childText(set, 'Brightness'), 'Brightness');
      const iris = number(childText(set, 'Exposure', 'Iris'), 'Iris');
      const mode = childText(set, 'Exposure', 'Mode');
      const ir = childText(set, 'IrCutFilter');
      if (brightness !== undefined && (brightness < 0 || brightness > 100)) throw invalidArg(`Brightness ${brightness} outside 0..100`, 'ter:SettingsInvalid');
      if (iris !== undefined && (iris < -22 || iris > 0)) throw invalidArg(`Iris ${iris} outside -22..0`, 'ter:SettingsInvalid');
      if (mode !== undefined && mode !== 'AUTO' && mode !== 'MANUAL') throw invalidArg(`Exposure Mode ${mode}`, 'ter:SettingsInvalid');
      if (ir !== undefined && ir !== 'ON' && ir !== 'OFF' && ir !== 'AUTO') throw invalidArg(`IrCutFilter ${ir}`, 'ter:SettingsInvalid');
      if (brightness !== undefined) m.brightness = brightness;
      if (iris !== undefined) m.iris = iris;
      if (mode !== undefined) m.exposureMode = mode;
      if (ir !== undefined) m.irCutFilter = ir;
      return `<timg:SetImagingSettingsResponse/>`;
    }
    case 'Move': {
      const focus = child(req, 'Focus');
      const abs = child(focus, 'Absolute');
      const rel = child(focus, 'Relative');
      const cont = child(focus, 'Continuous');
      if (abs) {
        const pos = number(childText(abs, 'Position'), 'Position') ?? m.focusPosition;
        if (pos < 0 || pos > 1) throw invalidArg(`focus Position ${pos} outside 0..1`, 'ter:SettingsInvalid');
        m.focusPosition = pos;
        m.focusMove = { mode: 'absolute', value: pos };
      } else if (rel) {
        const d = number(childText(rel, 'Distance'), 'Distance') ?? 0;
        m.focusPosition = Math.min(1, Math.max(0, m.focusPosition + d));
        m.focusMove = { mode: 'relative', value: d };
      } else if (cont) {
        const speed = number(childText(cont, 'Speed'), 'Speed') ?? 0;
        if (speed < -1 || speed > 1) throw invalidArg(`focus Speed ${speed} outside -1..1`, 'ter:SettingsInvalid');
        m.focusMove = { mode: 'continuous', value: speed };
      } else {
        throw invalidArg('Move without Absolute, Relative or Continuous focus', 'ter:SettingsInvalid');
      }
      return `<timg:MoveResponse/>`;
    }
    case 'Stop':
      m.focusMove = undefined;
      return `<timg:StopResponse/>`;
    default:
      return (
        `<timg:GetStatusResponse><timg:Status><tt:FocusStatus20><tt:Position>${m.focusPosition}</tt:Position>` +
        `<tt:MoveStatus>${m.focusMove?.mode === 'continuous' ? 'MOVING' : 'IDLE'}</tt:MoveStatus></tt:FocusStatus20></timg:Status></timg:GetStatusResponse>`
      );
  }
}
