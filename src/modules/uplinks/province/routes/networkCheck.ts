// E-5.4: probe cameras for real, now (CONTRACT §4).
import { CODE, networkCheckSchema } from '../../../../protocols/province/messages.js';
import type { StoredCamera } from '../../../../store/cameras.js';
import { probeCameras } from '../../../health/netcheck.js';
import { fail, ok } from '../../../api/reply.js';
import type { ApiRoute } from '../../../api/routes/route.js';
import type { ProvinceRouteDeps } from './deps.js';
import { validate } from '../../../api/validate.js';

export function networkCheckRoute(deps: Pick<ProvinceRouteDeps, 'cameras' | 'config' | 'stateOf'>): ApiRoute {
  return {
    method: 'POST',
    url: '/service/video.NetworkCheck',
    async handle({ body, log }) {
      // E-5.4: an empty list (or none at all) means every camera of the gateway.
      const parsed = validate(networkCheckSchema, body ?? {});
      if (!parsed.ok) return fail(CODE.badRequest, parsed.msg);
      let cameras: StoredCamera[];
      if (parsed.data.cameras.length === 0) {
        cameras = deps.cameras.all();
      } else {
        cameras = [];
        const seen = new Set<string>();
        for (const [i, num] of parsed.data.cameras.entries()) {
          if (seen.has(num)) continue;
          seen.add(num);
          const camera = deps.cameras.byNum(num);
          if (!camera) return fail(CODE.notFound, `cameras.${i}: 摄像机不存在 (${num} is not registered on this gateway)`);
          cameras.push(camera);
        }
      }
      const results = await probeCameras(cameras, deps.config.health.probe_timeout_ms, undefined, deps.stateOf);
      log.info({ probed: results.length, reachable: results.filter((r) => r.status === 1).length }, 'network check');
      return ok(results.map(({ cameraNum, status }) => ({ cameraNum, status })));
    },
  };
}
