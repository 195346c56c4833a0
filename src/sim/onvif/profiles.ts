// Media profiles of the simulated camera: defaults, ONVIF ver10 XML rendering and the limits
// SetVideoEncoderConfiguration is checked against.
import type { StreamRole } from '../../domain/camera.js';
import { invalidArg } from './soap.js';
import { child, childText, escapeXml, type XmlElement } from './xml.js';

export type H264Profile = 'Baseline' | 'Main' | 'High';


export interface VideoEncoderConfig {
  token: string;
  name: string;
  encoding: 'H264';
  width: number;
  height: number;
  quality: number;
  frameRateLimit: number;
  encodingInterval: number;
  /** kbit/s, as ONVIF BitrateLimit. */
  bitrateLimit: number;
  govLength: number;
  h264Profile: H264Profile;
}

export interface EncoderLimits {
  resolutions: Array<{ width: number; height: number }>;
  frameRate: { min: number; max: number };
  bitrate: { min: number; max: number };
  govLength: { min: number; max: number };
  encodingInterval: { min: number; max: number };
  h264Profiles: H264Profile[];
}

export interface OnvifProfile {
  token: string;
  name: string;
  /** Which advertised RTSP URI GetStreamUri returns for this profile. */
  stream: StreamRole;
  encoder: VideoEncoderConfig;
  limits: EncoderLimits;
}

export const VIDEO_SOURCE_TOKEN = 'VideoSource_1';
export const VIDEO_SOURCE_CONFIG_TOKEN = 'VideoSourceConfig_1';

const MAIN_LIMITS: EncoderLimits = {
  resolutions: [
    { width: 1920, height: 1080 },
    { width: 1280, height: 720 },
  ],
  frameRate: { min: 1, max: 25 },
  bitrate: { min: 256, max: 16384 },
  govLength: { min: 1, max: 400 },
  encodingInterval: { min: 1, max: 1 },
  h264Profiles: ['Baseline', 'Main', 'High'],
};

const SUB_LIMITS: EncoderLimits = {
  resolutions: [
    { width: 352, height: 288 },
    { width: 640, height: 360 },
    { width: 704, height: 576 },
  ],
  frameRate: { min: 1, max: 25 },
  bitrate: { min: 32, max: 2048 },
  govLength: { min: 1, max: 400 },
  encodingInterval: { min: 1, max: 1 },
  h264Profiles: ['Baseline', 'Main', 'High'],
};

const THIRD_LIMITS: EncoderLimits = {
  resolutions: [
    { width: 1280, height: 720 },
    { width: 704, height: 576 },
    { width: 640, height: 360 },
  ],
  frameRate: { min: 1, max: 25 },
  bitrate: { min: 256, max: 4096 },
  govLength: { min: 1, max: 400 },
  encodingInterval: { min: 1, max: 1 },
  h264Profiles: ['Baseline', 'Main', 'High'],
};

/** Profile_3 "thirdStream": 1280x720 H264 25 fps 2048k GOP 50. */
export function defaultThirdProfile(): OnvifProfile {
  return {
    token: 'Profile_3',
    name: 'thirdStream',
    stream: 'third',
    encoder: {
      token: 'VideoEncoder_3',
      name: 'VideoEncoder_3',
      encoding: 'H264',
      width: 1280,
      height: 720,
      quality: 4,
      frameRateLimit: 25,
      encodingInterval: 1,
      bitrateLimit: 2048,
      govLength: 50,
      h264Profile: 'Main',
    },
    limits: THIRD_LIMITS,
  };
}

/** Main (Profile_1) and sub (Profile_2); with `thirdStream`, also Profile_3. */
export function defaultProfiles(opts: { thirdStream?: boolean } = {}): OnvifProfile[] {
  return [
    {
      token: 'Profile_1',
      name: 'mainStream',
      stream: 'main',
      encoder: {
        token: 'VideoEncoder_1',
        name: 'VideoEncoder_1',
        encoding: 'H264',
        width: 1920,
        height: 1080,
        quality: 5,
        frameRateLimit: 25,
        encodingInterval: 1,
        bitrateLimit: 4096,
        govLength: 50,
        h264Profile: 'Main',
      },
      limits: MAIN_LIMITS,
    },
    {
      token: 'Profile_2',
      name: 'subStream',
      stream: 'sub',
      encoder: {
        token: 'VideoEncoder_2',
        name: 'VideoEncoder_2',
        encoding: 'H264',
        width: 352,
        height: 288,
        quality: 3,
        frameRateLimit: 25,
        encodingInterval: 1,
        bitrateLimit: 256,
        govLength: 50,
        h264Profile: 'Main',
      },
      limits: SUB_LIMITS,
    },
    ...(opts.thirdStream ? [defaultThirdProfile()] : []),
  ];
}

export function encoderXml(tag: string, e: VideoEncoderConfig): string {
  return (
    `<${tag} token="${escapeXml(e.token)}">` +
    `<tt:Name>${escapeXml(e.name)}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>${e.encoding}</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${e.width}</tt:Width><tt:Height>${e.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>${e.quality}</tt:Quality>` +
    `<tt:RateControl><tt:FrameRateLimit>${e.frameRateLimit}</tt:FrameRateLimit>` +
    `<tt:EncodingInterval>${e.encodingInterval}</tt:EncodingInterval><tt:BitrateLimit>${e.bitrateLimit}</tt:BitrateLimit></tt:RateControl>` +
    `<tt:H264><tt:GovLength>${e.govLength}</tt:GovLength><tt:H264Profile>${e.h264Profile}</tt:H264Profile></tt:H264>` +
    `<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>` +
    `<tt:Port>0</tt:Port><tt:TTL>0</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>` +
    `<tt:SessionTimeout>PT60S</tt:SessionTimeout></${tag}>`
  );
}

export function videoSourceConfigXml(tag: string, width: number, height: number): string {
  return (
    `<${tag} token="${VIDEO_SOURCE_CONFIG_TOKEN}"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount>` +
    `<tt:SourceToken>${VIDEO_SOURCE_TOKEN}</tt:SourceToken><tt:Bounds x="0" y="0" width="${width}" height="${height}"/></${tag}>`
  );
}

/** `ptzConfig`: the profile's <tt:PTZConfiguration> element, when the camera has PTZ. */
export function profileXml(p: OnvifProfile, source: { width: number; height: number }, ptzConfig = ''): string {
  return (
    `<trt:Profiles token="${escapeXml(p.token)}" fixed="true"><tt:Name>${escapeXml(p.name)}</tt:Name>` +
    videoSourceConfigXml('tt:VideoSourceConfiguration', source.width, source.height) +
    encoderXml('tt:VideoEncoderConfiguration', p.encoder) +
    ptzConfig +
    `</trt:Profiles>`
  );
}

export function encoderOptionsXml(l: EncoderLimits): string {
  const res = l.resolutions.map((r) => `<tt:ResolutionsAvailable><tt:Width>${r.width}</tt:Width><tt:Height>${r.height}</tt:Height></tt:ResolutionsAvailable>`).join('');
  const range = (tag: string, r: { min: number; max: number }): string => `<tt:${tag}><tt:Min>${r.min}</tt:Min><tt:Max>${r.max}</tt:Max></tt:${tag}>`;
  const h264 =
    res +
    range('GovLengthRange', l.govLength) +
    range('FrameRateRange', l.frameRate) +
    range('EncodingIntervalRange', l.encodingInterval) +
    l.h264Profiles.map((p) => `<tt:H264ProfilesSupported>${p}</tt:H264ProfilesSupported>`).join('');
  return (
    `<trt:Options>${range('QualityRange', { min: 1, max: 6 })}<tt:H264>${h264}</tt:H264>` +
    `<tt:Extension><tt:H264>${h264}${range('BitrateRange', l.bitrate)}</tt:H264></tt:Extension></trt:Options>`
  );
}

function num(el: XmlElement | undefined, ...path: string[]): number | undefined {
  const s = childText(el, ...path);
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n)) throw invalidArg(`${path.join('/')} is not an integer: ${s}`);
  return n;
}

function inRange(what: string, v: number, r: { min: number; max: number }): void {
  if (v < r.min || v > r.max) throw invalidArg(`${what} ${v} outside ${r.min}..${r.max}`);
}

/** The encoder configuration a SetVideoEncoderConfiguration <Configuration> asks for, merged onto the current one; throws a SOAP fault when out of range. */
export function applyEncoderUpdate(cur: VideoEncoderConfig, limits: EncoderLimits, conf: XmlElement): VideoEncoderConfig {
  const next: VideoEncoderConfig = { ...cur };
  const encoding = childText(conf, 'Encoding');
  if (encoding !== undefined && encoding !== 'H264') throw invalidArg(`Encoding ${encoding} not supported`);
  next.name = childText(conf, 'Name') || next.name;
  next.width = num(conf, 'Resolution', 'Width') ?? next.width;
  next.height = num(conf, 'Resolution', 'Height') ?? next.height;
  next.quality = num(conf, 'Quality') ?? next.quality;
  const rc = child(conf, 'RateControl');
  next.frameRateLimit = num(rc, 'FrameRateLimit') ?? next.frameRateLimit;
  next.encodingInterval = num(rc, 'EncodingInterval') ?? next.encodingInterval;
  next.bitrateLimit = num(rc, 'BitrateLimit') ?? next.bitrateLimit;
  next.govLength = num(conf, 'H264', 'GovLength') ?? next.govLength;
  const prof = childText(conf, 'H264', 'H264Profile');
  if (prof !== undefined && prof !== '') {
    if (!(limits.h264Profiles as string[]).includes(prof)) throw invalidArg(`H264Profile ${prof} not supported`);
    next.h264Profile = prof as H264Profile;
  }
  if (!limits.resolutions.some((r) => r.width === next.width && r.height === next.height)) {
    throw invalidArg(`Resolution ${next.width}x${next.height} not available`);
  }
  inRange('FrameRateLimit', next.frameRateLimit, limits.frameRate);
  inRange('BitrateLimit', next.bitrateLimit, limits.bitrate);
  inRange('GovLength', next.govLength, limits.govLength);
  inRange('EncodingInterval', next.encodingInterval, limits.encodingInterval);
  inRange('Quality', next.quality, { min: 1, max: 6 });
  return next;
}
