export { startProvinceSim, BODY_LIMIT } from './server.js';
export { GATEWAY_CALLS, SIM_APP_VERSION, isGatewayCall } from './caller.js';
export { DEFAULT_PUSH_VIDEO, DEFAULT_RTMP_BASE, PUSH_URL_TTL_S } from './registry.js';
export { DEFAULT_TOKEN_GRACE_MS } from './options.js';
export { SimControlClient } from './control-client.js';
export { buildCallBody, CallFieldError, type CallFields } from './call-body.js';
export { certFingerprint256, selfSignedLoopbackCert } from './tls.js';
export type {
  CameraRecord,
  GatewayCall,
  GatewayReply,
  ProvinceSim,
  ProvinceSimOptions,
  ReceivedRequest,
} from './types.js';
