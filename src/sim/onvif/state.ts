import type { OnvifProfile } from './profiles.js';

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
  rtsp: { main: string; sub?: string };
  snapshotBase: string;
  profiles: OnvifProfile[];
  clockOffsetMs: number;
  timeZone: string;
  dateTimeType: 'Manual' | 'NTP';
  /** undefined: a fixed (bullet) camera without a PTZ service. */
  ptz?: PtzState;
  imaging: ImagingState;
}

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
