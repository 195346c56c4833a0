export { connectOnvif, type OnvifCapabilities, type OnvifClock, type OnvifConnectOptions, type OnvifDevice, type OnvifEncoderSettings, type OnvifExposure, type OnvifInfo, type OnvifOsd, type OnvifOsdOptions, type OnvifProfileInfo, type OsdPosition, type OsdText, type PtzVelocity, type TextOsdSettings } from './device.js';
export { probe, WS_DISCOVERY_GROUP, WS_DISCOVERY_PORT, type DiscoveredCamera, type ProbeOptions } from './discovery.js';
export { OnvifError, parseSoapFault, type OnvifErrorKind, type SoapFaultInfo } from './errors.js';
