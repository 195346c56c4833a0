// The part of agsh/onvif 0.8.3's untyped Cam this layer uses; field names are as the library produces them.
import { createRequire } from 'node:module';

export type CamCallback<T> = (err: Error | null, value: T, xml?: string) => void;

export interface RawEncoder {
  $: { token: string };
  name?: string;
  encoding?: string;
  resolution?: { width?: number; height?: number };
  quality?: number;
  rateControl?: { frameRateLimit?: number; encodingInterval?: number; bitrateLimit?: number };
  H264?: { govLength?: number; H264Profile?: string };
  H265?: { govLength?: number };
  MPEG4?: { govLength?: number };
}

export interface RawProfile {
  $: { token: string };
  name?: string;
  videoEncoderConfiguration?: RawEncoder;
}

/** One OSD as linerase leaves it: element names with a lower-case first letter, attributes under '$', numbers parsed. */
export interface RawOsd {
  $?: { token?: string };
  videoSourceConfigurationToken?: unknown;
  type?: unknown;
  position?: { type?: unknown; pos?: { $?: { x?: unknown; y?: unknown } } };
  textString?: {
    type?: unknown;
    plainText?: unknown;
    dateFormat?: unknown;
    timeFormat?: unknown;
    fontSize?: unknown;
  };
}

/** Options of createOSD/setOSD, spelt as the library reads them (two spellings of the source token, see device.ts). */
export interface RawOsdOptions {
  OSDToken?: string;
  videoSourceConfigurationToken?: string;
  videoSourceConfiguationToken?: string;
  position?: string | { x: number; y: number };
  plaintext?: string;
  dateFormat?: string;
  timeFormat?: string;
  fontSize?: number;
}

export interface RawCam {
  connect(cb: CamCallback<unknown>): void;
  on(event: 'error', fn: (e: unknown) => void): void;
  getDeviceInformation(cb: CamCallback<{ manufacturer?: string; model?: string; firmwareVersion?: string; serialNumber?: string; hardwareId?: string }>): void;
  getNetworkInterfaces(cb: CamCallback<Array<{ info?: { hwAddress?: string } }>>): void;
  getSystemDateAndTime(cb: CamCallback<Date>): void;
  setSystemDateAndTime(o: { dateTime?: Date; dateTimeType: 'Manual' | 'NTP'; daylightSavings?: boolean; timezone?: string }, cb: CamCallback<Date>): void;
  getProfiles(cb: CamCallback<RawProfile[]>): void;
  getStreamUri(o: { protocol?: string; profileToken?: string }, cb: CamCallback<{ uri: string }>): void;
  getSnapshotUri(o: { profileToken?: string }, cb: CamCallback<{ uri: string }>): void;
  getVideoEncoderConfiguration(token: string, cb: CamCallback<RawEncoder>): void;
  setVideoEncoderConfiguration(o: Record<string, unknown>, cb: CamCallback<unknown>): void;
  continuousMove(o: { profileToken?: string; x?: number; y?: number; zoom?: number; timeout?: number }, cb: CamCallback<unknown>): void;
  stop(o: { profileToken?: string; panTilt?: boolean; zoom?: boolean }, cb: CamCallback<unknown>): void;
  relativeMove(o: { profileToken?: string; x?: number; y?: number; zoom?: number }, cb: CamCallback<unknown>): void;
  getNodes(cb: CamCallback<Record<string, { auxiliaryCommands?: unknown } | undefined>>): void;
  ptzSendAuxiliaryCommand(o: { profileToken?: string; data: string }, cb: CamCallback<unknown>): void;
  setImagingSettings(o: Record<string, unknown>, cb: CamCallback<unknown>): void;
  getImagingSettings(o: { token?: string }, cb: CamCallback<{ exposure?: { mode?: string; iris?: unknown; minIris?: unknown; maxIris?: unknown } }>): void;
  imagingMove(o: { token?: string; continuous?: { speed: number } }, cb: CamCallback<unknown>): void;
  imagingStop(o: { token?: string }, cb: CamCallback<unknown>): void;
  getOSDs(token: string, cb: CamCallback<{ getOSDsResponse?: { OSDs?: RawOsd | RawOsd[] } | string } | null>): void;
  getOSDOptions(o: { videoSourceConfiguationToken?: string }, cb: CamCallback<{ getOSDOptionsResponse?: unknown } | null>): void;
  createOSD(o: RawOsdOptions, cb: CamCallback<{ createOSDResponse?: { OSDToken?: unknown } } | null>): void;
  setOSD(o: RawOsdOptions, cb: CamCallback<unknown>): void;
  deleteOSD(token: string, cb: CamCallback<unknown>): void;
  activeSource?: { profileToken: string; sourceToken: string; videoSourceConfigurationToken?: string };
  uri?: Record<string, unknown>;
  media2Support?: boolean;
  timeShift?: number;
}

export interface CamOptions {
  hostname: string;
  port: number;
  path?: string;
  username?: string;
  password?: string;
  timeout?: number;
  autoconnect?: boolean;
}

const require = createRequire(import.meta.url);
const { Cam } = require('onvif') as { Cam: new (o: CamOptions) => RawCam };

export function newCam(o: CamOptions): RawCam {
  return new Cam({ ...o, autoconnect: false });
}
