// ONVIF PTZ service (ver20) actions of the simulator: moves are recorded and applied to a position, not animated.
import { invalidArg, SoapFaultError } from './soap.js';
import type { CameraState, PtzState, PtzVector } from './state.js';
import { child, childText, escapeXml, type XmlElement } from './xml.js';

export const PTZ_NODE_TOKEN = 'PTZNode_1';
export const PTZ_CONFIG_TOKEN = 'PTZConfig_1';
const SPACE = 'http://www.onvif.org/ver10/tptz';

export function ptzConfigXml(tag: string): string {
  const range = (uri: string, axes: string): string => `<tt:Range><tt:URI>${SPACE}/${uri}</tt:URI>${axes}</tt:Range>`;
  const r = (tag2: string, min: number, max: number): string => `<tt:${tag2}><tt:Min>${min}</tt:Min><tt:Max>${max}</tt:Max></tt:${tag2}>`;
  return (
    `<${tag} token="${PTZ_CONFIG_TOKEN}"><tt:Name>PTZ</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>${PTZ_NODE_TOKEN}</tt:NodeToken>` +
    `<tt:DefaultContinuousPanTiltVelocitySpace>${SPACE}/PanTiltSpaces/VelocityGenericSpace</tt:DefaultContinuousPanTiltVelocitySpace>` +
    `<tt:DefaultContinuousZoomVelocitySpace>${SPACE}/ZoomSpaces/VelocityGenericSpace</tt:DefaultContinuousZoomVelocitySpace>` +
    `<tt:DefaultPTZSpeed><tt:PanTilt x="0.5" y="0.5"/><tt:Zoom x="0.5"/></tt:DefaultPTZSpeed><tt:DefaultPTZTimeout>PT5S</tt:DefaultPTZTimeout>` +
    `<tt:PanTiltLimits>${range('PanTiltSpaces/PositionGenericSpace', r('XRange', -1, 1) + r('YRange', -1, 1))}</tt:PanTiltLimits>` +
    `<tt:ZoomLimits>${range('ZoomSpaces/PositionGenericSpace', r('XRange', 0, 1))}</tt:ZoomLimits></${tag}>`
  );
}

function nodeXml(p: PtzState): string {
  return (
    `<tptz:PTZNode token="${PTZ_NODE_TOKEN}" FixedHomePosition="false"><tt:Name>PTZ</tt:Name><tt:SupportedPTZSpaces>` +
    `<tt:ContinuousPanTiltVelocitySpace><tt:URI>${SPACE}/PanTiltSpaces/VelocityGenericSpace</tt:URI><tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange><tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:ContinuousPanTiltVelocitySpace>` +
    `<tt:ContinuousZoomVelocitySpace><tt:URI>${SPACE}/ZoomSpaces/VelocityGenericSpace</tt:URI><tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange></tt:ContinuousZoomVelocitySpace>` +
    `</tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>255</tt:MaximumNumberOfPresets><tt:HomeSupported>true</tt:HomeSupported>` +
    p.supportedAux.map((a) => `<tt:AuxiliaryCommands>${escapeXml(a)}</tt:AuxiliaryCommands>`).join('') +
    `</tptz:PTZNode>`
  );
}

/** Pan/tilt and zoom of a PTZVector element; absent parts (or the whole vector) read as `fallback`. */
function vector(el: XmlElement | undefined, fallback: PtzVector): PtzVector {
  const f = (s: string | undefined, d: number, what: string): number => {
    if (s === undefined) return d;
    const n = Number(s);
    if (!Number.isFinite(n)) throw invalidArg(`${what} is not a number: ${s}`, 'ter:InvalidVelocity');
    return n;
  };
  const pt = child(el, 'PanTilt');
  const z = child(el, 'Zoom');
  return { x: f(pt?.attrs['x'], fallback.x, 'x'), y: f(pt?.attrs['y'], fallback.y, 'y'), zoom: f(z?.attrs['x'], fallback.zoom, 'zoom') };
}

function checkRange(v: PtzVector, zoomMin: number, what: string, inner: string): void {
  for (const [k, val, min] of [['x', v.x, -1], ['y', v.y, -1], ['zoom', v.zoom, zoomMin]] as const) {
    if (val < min || val > 1) throw invalidArg(`${what} ${k}=${val} outside ${min}..1`, inner);
  }
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));
const ZERO: PtzVector = { x: 0, y: 0, zoom: 0 };

/** Pending ends of timed continuous moves; outside PtzState, which is cloned for callers. */
const moveTimers = new WeakMap<PtzState, NodeJS.Timeout>();

/** xs:duration of a PTZ Timeout, e.g. PT1.5S or PT1M; minutes and seconds are all cameras take. */
function durationMs(s: string): number {
  const m = /^PT(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(s.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) throw invalidArg(`Timeout ${s} is not a duration such as PT1.5S`);
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
}

/** Response body for a PTZ action, or undefined if unknown (or the camera has no PTZ). */
export function ptzAction(action: string, req: XmlElement, s: CameraState): string | undefined {
  const p = s.ptz;
  if (!p) return undefined;
  const profile = childText(req, 'ProfileToken');
  const needProfile = (): void => {
    if (!s.profiles.some((x) => x.token === profile)) {
      throw new SoapFaultError({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal', 'ter:NoProfile'], reason: `no profile ${String(profile)}` });
    }
  };
  switch (action) {
    case 'GetNodes':
      return `<tptz:GetNodesResponse>${nodeXml(p)}</tptz:GetNodesResponse>`;
    case 'GetConfigurations':
      return `<tptz:GetConfigurationsResponse>${ptzConfigXml('tptz:PTZConfiguration')}</tptz:GetConfigurationsResponse>`;
    case 'ContinuousMove': {
      needProfile();
      const v = vector(child(req, 'Velocity'), ZERO);
      checkRange(v, -1, 'Velocity', 'ter:InvalidVelocity');
      const timeout = childText(req, 'Timeout');
      const timeoutMs = timeout === undefined || timeout === '' ? undefined : durationMs(timeout);
      p.velocity = v;
      // A camera ends a continuous move by itself after Timeout, so a lost Stop cannot leave it turning.
      clearTimeout(moveTimers.get(p));
      if (timeoutMs !== undefined) {
        const timer = setTimeout(() => (p.velocity = { ...ZERO }), timeoutMs);
        timer.unref();
        moveTimers.set(p, timer);
      }
      return `<tptz:ContinuousMoveResponse/>`;
    }
    case 'Stop': {
      needProfile();
      clearTimeout(moveTimers.get(p));
      const panTilt = childText(req, 'PanTilt') !== 'false';
      const zoom = childText(req, 'Zoom') !== 'false';
      p.velocity = { x: panTilt ? 0 : p.velocity.x, y: panTilt ? 0 : p.velocity.y, zoom: zoom ? 0 : p.velocity.zoom };
      return `<tptz:StopResponse/>`;
    }
    case 'RelativeMove': {
      needProfile();
      const d = vector(child(req, 'Translation'), ZERO);
      checkRange(d, -1, 'Translation', 'ter:InvalidTranslation');
      p.position = { x: clamp(p.position.x + d.x, -1, 1), y: clamp(p.position.y + d.y, -1, 1), zoom: clamp(p.position.zoom + d.zoom, 0, 1) };
      return `<tptz:RelativeMoveResponse/>`;
    }
    case 'AbsoluteMove': {
      needProfile();
      const pos = vector(child(req, 'Position'), p.position);
      checkRange(pos, 0, 'Position', 'ter:InvalidPosition');
      p.position = pos;
      return `<tptz:AbsoluteMoveResponse/>`;
    }
    case 'GetStatus': {
      needProfile();
      const moving = p.velocity.x !== 0 || p.velocity.y !== 0 || p.velocity.zoom !== 0;
      return (
        `<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x="${p.position.x}" y="${p.position.y}" space="${SPACE}/PanTiltSpaces/PositionGenericSpace"/>` +
        `<tt:Zoom x="${p.position.zoom}" space="${SPACE}/ZoomSpaces/PositionGenericSpace"/></tt:Position>` +
        `<tt:MoveStatus><tt:PanTilt>${moving ? 'MOVING' : 'IDLE'}</tt:PanTilt><tt:Zoom>${p.velocity.zoom !== 0 ? 'MOVING' : 'IDLE'}</tt:Zoom></tt:MoveStatus>` +
        `<tt:UtcTime>${new Date(Date.now() + s.clockOffsetMs).toISOString()}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>`
      );
    }
    case 'SendAuxiliaryCommand': {
      needProfile();
      const data = childText(req, 'AuxiliaryData') ?? '';
      if (!p.supportedAux.includes(data)) throw invalidArg(`auxiliary command ${data} not supported`, 'ter:AuxiliaryDataNotSupported');
      p.auxCommands.push(data);
      return `<tptz:SendAuxiliaryCommandResponse><tptz:AuxiliaryResponse>${escapeXml(data)}</tptz:AuxiliaryResponse></tptz:SendAuxiliaryCommandResponse>`;
    }
    default:
      return undefined;
  }
}
