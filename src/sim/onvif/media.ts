// ONVIF Media service (ver10) actions of the simulator.
import { setVideoEncoder } from './encoder.js';
import { encoderOptionsXml, encoderXml, profileXml, VIDEO_SOURCE_TOKEN, videoSourceConfigXml, type OnvifProfile } from './profiles.js';
import { osdAction } from './osd.js';
import { ptzConfigXml } from './ptz.js';
import { SoapFaultError } from './soap.js';
import type { CameraState } from './state.js';
import { childText, escapeXml, type XmlElement } from './xml.js';

function noProfile(token: string | undefined): SoapFaultError {
  return new SoapFaultError({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal', 'ter:NoProfile'], reason: `no profile ${String(token)}` });
}

function noConfig(token: string | undefined): SoapFaultError {
  return new SoapFaultError({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal', 'ter:NoConfig'], reason: `no configuration ${String(token)}` });
}

function byProfile(s: CameraState, token: string | undefined): OnvifProfile {
  const p = s.profiles.find((x) => x.token === token);
  if (!p) throw noProfile(token);
  return p;
}

function byEncoder(s: CameraState, token: string | undefined): OnvifProfile {
  const p = s.profiles.find((x) => x.encoder.token === token);
  if (!p) throw noConfig(token);
  return p;
}

/** The video source is as large as the largest main-stream resolution. */
function sourceSize(s: CameraState): { width: number; height: number } {
  const main = s.profiles[0];
  if (!main) return { width: 1920, height: 1080 };
  return main.limits.resolutions.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), { width: 0, height: 0 });
}

function uriXml(tag: string, uri: string): string {
  return `<${tag}><tt:Uri>${escapeXml(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></${tag}>`;
}

/** Response body for a media-service action (a promise for the ones a camera takes time over), or undefined if the action is unknown. */
export function mediaAction(action: string, req: XmlElement, s: CameraState): string | Promise<string> | undefined {
  const src = sourceSize(s);
  const ptz = s.ptz ? ptzConfigXml('tt:PTZConfiguration') : '';
  switch (action) {
    case 'GetProfiles':
      return `<trt:GetProfilesResponse>${s.profiles.map((p) => profileXml(p, src, ptz)).join('')}</trt:GetProfilesResponse>`;
    case 'GetProfile':
      return `<trt:GetProfileResponse>${profileXml(byProfile(s, childText(req, 'ProfileToken')), src, ptz).replace(/trt:Profiles/g, 'trt:Profile')}</trt:GetProfileResponse>`;
    case 'GetVideoSources':
      return (
        `<trt:GetVideoSourcesResponse><trt:VideoSources token="${VIDEO_SOURCE_TOKEN}"><tt:Framerate>25</tt:Framerate>` +
        `<tt:Resolution><tt:Width>${src.width}</tt:Width><tt:Height>${src.height}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`
      );
    case 'GetVideoSourceConfigurations':
      return `<trt:GetVideoSourceConfigurationsResponse>${videoSourceConfigXml('trt:Configurations', src.width, src.height)}</trt:GetVideoSourceConfigurationsResponse>`;
    case 'GetStreamUri': {
      const p = byProfile(s, childText(req, 'ProfileToken'));
      const uri = (p.stream === 'main' ? undefined : s.rtsp[p.stream]) ?? s.rtsp.main;
      return `<trt:GetStreamUriResponse>${uriXml('trt:MediaUri', uri)}</trt:GetStreamUriResponse>`;
    }
    case 'GetSnapshotUri': {
      const p = byProfile(s, childText(req, 'ProfileToken'));
      return `<trt:GetSnapshotUriResponse>${uriXml('trt:MediaUri', `${s.snapshotBase}?channel=${encodeURIComponent(p.token)}`)}</trt:GetSnapshotUriResponse>`;
    }
    case 'GetVideoEncoderConfigurations':
      return `<trt:GetVideoEncoderConfigurationsResponse>${s.profiles.map((p) => encoderXml('trt:Configurations', p.encoder)).join('')}</trt:GetVideoEncoderConfigurationsResponse>`;
    case 'GetVideoEncoderConfiguration': {
      const p = byEncoder(s, childText(req, 'ConfigurationToken'));
      return `<trt:GetVideoEncoderConfigurationResponse>${encoderXml('trt:Configuration', p.encoder)}</trt:GetVideoEncoderConfigurationResponse>`;
    }
    case 'GetVideoEncoderConfigurationOptions': {
      const ct = childText(req, 'ConfigurationToken');
      const pt = childText(req, 'ProfileToken');
      const p = ct ? byEncoder(s, ct) : pt ? byProfile(s, pt) : s.profiles[0];
      if (!p) throw noConfig(ct);
      return `<trt:GetVideoEncoderConfigurationOptionsResponse>${encoderOptionsXml(p.limits)}</trt:GetVideoEncoderConfigurationOptionsResponse>`;
    }
    case 'SetVideoEncoderConfiguration':
      return setVideoEncoder(s, req, (token) => byEncoder(s, token)).then(() => `<trt:SetVideoEncoderConfigurationResponse/>`);
    default:
      return osdAction(action, req, s.osd);
  }
}
