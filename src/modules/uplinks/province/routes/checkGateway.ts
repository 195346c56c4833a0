// E-5.5: liveness of the gateway as the province sees it.
import { ok } from '../../../api/reply.js';
import type { ApiRoute } from '../../../api/routes/route.js';
import type { ProvinceRouteDeps } from './deps.js';

export function checkGatewayRoute(deps: Pick<ProvinceRouteDeps, 'cameras' | 'now'>): ApiRoute {
  return {
    method: 'GET',
    url: '/service/status.CheckGateway',
    async handle() {
      // The table types systemTime as a string, the demo sends a number; CONTRACT §4 picks the number.
      return ok({ systemTime: Math.floor(deps.now() / 1000), cameraCount: deps.cameras.count() });
    },
  };
}
