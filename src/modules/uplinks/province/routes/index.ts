// The province's calls into the gateway (E-5.1 … E-5.5), handed to the API server at
// construction: the server authenticates them (TAuth, DeviceCode) and sends the replies.
import type { ApiRoute } from '../../../api/routes/route.js';
import { checkGatewayRoute } from './checkGateway.js';
import type { ProvinceRouteDeps } from './deps.js';
import { networkCheckRoute } from './networkCheck.js';
import { ptzControlRoute } from './ptzControl.js';
import { videoTransBeginRoute } from './videoTransBegin.js';
import { videoTransFinishRoute } from './videoTransFinish.js';

export type { ProvinceRouteDeps } from './deps.js';

export function provinceRoutes(deps: ProvinceRouteDeps): ApiRoute[] {
  return [videoTransBeginRoute(deps), videoTransFinishRoute(deps), ptzControlRoute(deps), networkCheckRoute(deps), checkGatewayRoute(deps)];
}
