export { startOnvifCamera, DEFAULT_AUX_COMMANDS, type OnvifCall, type OnvifCamera, type OnvifCameraOptions } from './server.js';
export {
  defaultProfiles,
  defaultThirdProfile,
  type EncoderLimits,
  type H264Profile,
  type OnvifProfile,
  type VideoEncoderConfig,
} from './profiles.js';
export { ENCODER_LOCKED_REASON, producedEncoding, validateDrift } from './encoder.js';
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
export type { EncoderDrift, ImagingState, ProducedEncoding, PtzState, PtzVector } from './state.js';
