// What the API server serves: routes handed to it by the uplinks whose calls come in on it (the
// province's, src/modules/uplinks/province/routes); the server authenticates each call before the
// route and sends the route's reply.
import type { Logger } from '../../../log.js';
import type { ApiReply } from '../reply.js';

export interface RouteContext {
  /** The parsed JSON body; undefined for GET or an empty POST. */
  body: unknown;
  log: Logger;
}

/** One call (E-5.x): parsing and auth happen before `handle`, sending after it. */
export interface ApiRoute {
  method: 'GET' | 'POST';
  url: string;
  /** E-5.1/E-5.2 replies carry `backResult` as well, errors included. */
  backResult?: boolean;
  handle(ctx: RouteContext): Promise<ApiReply>;
}
