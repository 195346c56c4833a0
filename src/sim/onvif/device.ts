// ONVIF Device service (ver10) actions of the simulator.
import { invalidArg, NS } from './soap.js';
import { SERVICE_PATHS, type CameraState } from './state.js';
import { child, childText, escapeXml, type XmlElement } from './xml.js';

function dateTimeXml(tag: string, d: Date): string {
  return (
    `<tt:${tag}><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:${tag}>`
  );
}

/** Offset in ms of a POSIX TZ string like CST-8 (8 hours east of UTC); 0 when unparsable. */
export function posixTzOffsetMs(tz: string): number {
  const m = /^[A-Za-z]{3,}([+-]?)(\d{1,2})(?::(\d{2}))?/.exec(tz);
  if (!m) return 0;
  const sign = m[1] === '-' ? 1 : -1; // POSIX counts hours *west* of UTC
  return sign * (Number(m[2]) * 3600_000 + Number(m[3] ?? 0) * 60_000);
}

function readDateTime(el: XmlElement): number {
  const n = (...p: string[]): number => Number(childText(el, ...p));
  const ms = Date.UTC(n('Date', 'Year'), n('Date', 'Month') - 1, n('Date', 'Day'), n('Time', 'Hour'), n('Time', 'Minute'), n('Time', 'Second'));
  if (!Number.isFinite(ms)) throw invalidArg('UTCDateTime is not a valid date', 'ter:InvalidDateTime');
  return ms;
}

function serviceXml(ns: string, xaddr: string, major: number, minor: number): string {
  return `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${xaddr}</tds:XAddr><tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${minor}</tt:Minor></tds:Version></tds:Service>`;
}

/** Response body for a device-service action, or undefined if the action is unknown. */
export function deviceAction(action: string, req: XmlElement, s: CameraState, now: number): string | undefined {
  const id = s.identity;
  const device = s.base + SERVICE_PATHS.device;
  const media = s.base + SERVICE_PATHS.media;
  const ptz = s.base + SERVICE_PATHS.ptz;
  const imaging = s.base + SERVICE_PATHS.imaging;
  switch (action) {
    case 'GetSystemDateAndTime': {
      const utc = new Date(now + s.clockOffsetMs);
      const local = new Date(utc.getTime() + posixTzOffsetMs(s.timeZone));
      return (
        `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>${s.dateTimeType}</tt:DateTimeType>` +
        `<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>${escapeXml(s.timeZone)}</tt:TZ></tt:TimeZone>` +
        dateTimeXml('UTCDateTime', utc) +
        dateTimeXml('LocalDateTime', local) +
        `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
      );
    }
    case 'SetSystemDateAndTime': {
      const type = childText(req, 'DateTimeType');
      if (type !== 'Manual' && type !== 'NTP') throw invalidArg(`DateTimeType ${String(type)}`, 'ter:InvalidDateTime');
      const tz = childText(req, 'TimeZone', 'TZ');
      if (tz !== undefined && !/^[A-Za-z]{3,}[+-]?\d{1,2}/.test(tz)) throw invalidArg(`TZ ${tz}`, 'ter:InvalidTimeZone');
      const utc = child(req, 'UTCDateTime');
      if (type === 'Manual' && utc) s.clockOffsetMs = readDateTime(utc) - now;
      if (tz !== undefined) s.timeZone = tz;
      s.dateTimeType = type;
      return `<tds:SetSystemDateAndTimeResponse/>`;
    }
    case 'GetDeviceInformation':
      return (
        `<tds:GetDeviceInformationResponse><tds:Manufacturer>${escapeXml(id.manufacturer)}</tds:Manufacturer>` +
        `<tds:Model>${escapeXml(id.model)}</tds:Model><tds:FirmwareVersion>${escapeXml(id.firmware)}</tds:FirmwareVersion>` +
        `<tds:SerialNumber>${escapeXml(id.serial)}</tds:SerialNumber><tds:HardwareId>${escapeXml(id.hardwareId)}</tds:HardwareId>` +
        `</tds:GetDeviceInformationResponse>`
      );
    case 'GetCapabilities':
      return (
        `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
        `<tt:Device><tt:XAddr>${device}</tt:XAddr><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>false</tt:DiscoveryBye>` +
        `<tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>` +
        `<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System></tt:Device>` +
        `<tt:Media><tt:XAddr>${media}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
        `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
        `<tt:Imaging><tt:XAddr>${imaging}</tt:XAddr></tt:Imaging>` +
        (s.ptz ? `<tt:PTZ><tt:XAddr>${ptz}</tt:XAddr></tt:PTZ>` : '') +
        `</tds:Capabilities></tds:GetCapabilitiesResponse>`
      );
    case 'GetServices':
      return (
        `<tds:GetServicesResponse>${serviceXml(NS.tds, device, 2, 60)}${serviceXml(NS.trt, media, 2, 60)}` +
        `${serviceXml(NS.timg, imaging, 2, 60)}${s.ptz ? serviceXml(NS.tptz, ptz, 2, 60) : ''}</tds:GetServicesResponse>`
      );
    case 'GetHostname':
      return `<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>${escapeXml(id.hostname)}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`;
    case 'GetNetworkInterfaces': {
      const host = new URL(s.base).hostname;
      return (
        `<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>` +
        `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${escapeXml(id.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
        `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>${escapeXml(host)}</tt:Address>` +
        `<tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>` +
        `</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`
      );
    }
    default:
      return undefined;
  }
}

