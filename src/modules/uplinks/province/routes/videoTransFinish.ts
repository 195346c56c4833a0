// E-5.2: the province stops a push it ordered.
import { CODE, videoTransFinishSchema } from '../../../../protocols/province/messages.js';
import { fail, withBackResult } from '../../../api/reply.js';
import type { ApiRoute } from '../../../api/routes/route.js';
import type { ProvinceRouteDeps } from './deps.js';
import { validate } from '../../../api/validate.js';

export function videoTransFinishRoute(deps: Pick<ProvinceRouteDeps, 'cameras' | 'push'>): ApiRoute {
  return {
    method: 'POST',
    url: '/service/video.VideoTransFinish',
    backResult: true,
    async handle({ body }) {
      const parsed = validate(videoTransFinishSchema, body);
      if (!parsed.ok) return fail(CODE.badRequest, parsed.msg);
      const camera = deps.cameras.byNum(parsed.data.cameraNum);
      if (!camera) return fail(CODE.notFound, '摄像机不存在');
      const outcome = await deps.push.finish(parsed.data.cameraNum, parsed.data.videoType);
      return withBackResult(outcome, camera.record.cameraName);
    },
  };
}
