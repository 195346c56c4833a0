export { startProvinceSim, BODY_LIMIT, PUBLISH_CHECK_PATH } from './server.js';
export { GATEWAY_CALLS, SIM_APP_VERSION, isGatewayCall } from './caller.js';
export { DEFAULT_PUSH_VIDEO, DEFAULT_RTMP_BASE, PUSH_URL_TTL_S, CameraRegistry, type PushCheck } from './registry.js';
export type { PublishDecision } from './service.js';
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
