export { startOnvifCamera, DEFAULT_AUX_COMMANDS, type OnvifCall, type OnvifCamera, type OnvifCameraOptions } from './server.js';
export { defaultProfiles, type EncoderLimits, type H264Profile, type OnvifProfile, type VideoEncoderConfig } from './profiles.js';
export { posixTzOffsetMs } from './device.js';
export {
  startDiscoveryResponder,
  WS_DISCOVERY_GROUP,
  WS_DISCOVERY_PORT,
  type DiscoveryProbe,
  type DiscoveryResponder,
  type DiscoveryResponderOptions,
  type DiscoveryScopes,
} from './discovery.js';
export type { ImagingState, PtzState, PtzVector } from './state.js';
