import type { OsdState } from './osd.js';
import type { OnvifProfile, VideoEncoderConfig } from './profiles.js';

export interface DeviceIdentity {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
  mac: string;
  hostname: string;
}

/** Everything a service handler may read or change about the simulated camera. */
export interface CameraState {
  identity: DeviceIdentity;
  /** http://host:port — service XAddrs hang off it. */
  base: string;
  rtsp: { main: string; sub?: string; third?: string };
  snapshotBase: string;
  profiles: OnvifProfile[];
  clockOffsetMs: number;
  timeZone: string;
  dateTimeType: 'Manual' | 'NTP';
  /** undefined: a fixed (bullet) camera without a PTZ service. */
  ptz?: PtzState;
  imaging: ImagingState;
  encoder: EncoderBehaviour;
  /** Text OSDs (osd.ts). */
  osd: OsdState;
}

/** How the camera's encoder reacts to SetVideoEncoderConfiguration (see encoder.ts). */
export interface EncoderBehaviour {
  /** Every change answers a ConfigModify fault, as on cameras whose encoder is locked. */
  refuse: boolean;
  drift: EncoderDrift;
  onChange?: (profile: OnvifProfile, produced: ProducedEncoding) => Promise<void> | void;
  /** The tail of the change queue: a camera applies one encoder change at a time. */
  queue: Promise<void>;
}

/** Factors between what the camera reports and what its encoder really produces (1 = faithful). */
export interface EncoderDrift {
  bitrateFactor?: number;
  gopFactor?: number;
}

/** What the camera's encoder emits for a configuration, drift applied. */
export type ProducedEncoding = Pick<VideoEncoderConfig, 'width' | 'height' | 'frameRateLimit' | 'bitrateLimit' | 'govLength'>;

export interface PtzVector {
  x: number;
  y: number;
  zoom: number;
}

export interface PtzState {
  /** Normalised generic space: pan/tilt -1..1, zoom 0..1. */
  position: PtzVector;
  /** Last ContinuousMove velocity; zeroed by Stop. */
  velocity: PtzVector;
  /** AuxiliaryData of every SendAuxiliaryCommand, e.g. 'tt:IRLamp|On'. */
  auxCommands: string[];
  /** Auxiliary commands the node advertises (and accepts). */
  supportedAux: string[];
}

export interface ImagingState {
  /** Last focus Move as sent ('continuous' speed, 'relative' distance, 'absolute' position), undefined when stopped. */
  focusMove?: { mode: 'continuous' | 'relative' | 'absolute'; value: number };
  focusPosition: number;
  brightness: number;
  irCutFilter: 'ON' | 'OFF' | 'AUTO';
  exposureMode: 'AUTO' | 'MANUAL';
  /** dB attenuation; 0 = fully open. */
  iris: number;
}

export const SERVICE_PATHS = {
  device: '/onvif/device_service',
  media: '/onvif/media_service',
  ptz: '/onvif/ptz_service',
  imaging: '/onvif/imaging_service',
} as const;
