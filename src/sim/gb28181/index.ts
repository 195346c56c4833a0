export { GbDeviceSim, type GbDeviceOptions, type GbDeviceQuirks, type InviteCall, type RecordedPtz, type RegisterOutcome } from './device.js';
export { MiniPlatform, type MiniPlatformOptions, type PlatformRegistration } from './platform.js';
export { GbCameraSim, type GbCameraSimOptions } from './camera.js';
