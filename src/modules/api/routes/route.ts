import type { StateProbe } from '../../health/netcheck.js';
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import type { CameraStore } from '../../../store/cameras.js';
import type { TokenStore } from '../../../store/tokens.js';
import type { PushRegistry } from '../../uplinks/province/pushOrders.js';
import type { PtzService } from '../../ptz/controller.js';
import type { ApiReply } from '../reply.js';
import type { ServerTls } from '../tls.js';

export interface ApiDeps {
  config: Config;
  cameras: CameraStore;
  tokens: TokenStore;
  push: PushRegistry;
  ptz: PtzService;
  log: Logger;
  /** The certificate to serve; made or loaded by ensureServerTls when absent. */
  tls?: ServerTls;
  now?: () => number;
  /** NetworkCheck of cameras reached without a TCP port (GB/T 28181). */
  stateOf?: StateProbe;
}

export interface RouteContext {
  /** The parsed JSON body; undefined for GET or an empty POST. */
  body: unknown;
  log: Logger;
}

/** One province call (E-5.x): parsing and auth happen before `handle`, sending after it. */
export interface ApiRoute {
  method: 'GET' | 'POST';
  url: string;
  /** E-5.1/E-5.2 replies carry `backResult` as well, errors included. */
  backResult?: boolean;
  handle(ctx: RouteContext): Promise<ApiReply>;
}
