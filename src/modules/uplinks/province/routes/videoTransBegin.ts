// E-5.1: the province orders a camera pushed to its RTMP server.
import { CODE, videoTransBeginSchema } from '../../../../protocols/province/messages.js';
import { fail, withBackResult } from '../../../api/reply.js';
import type { ApiRoute } from '../../../api/routes/route.js';
import type { ProvinceRouteDeps } from './deps.js';
import { validate } from '../../../api/validate.js';

export function videoTransBeginRoute(deps: Pick<ProvinceRouteDeps, 'cameras' | 'push'>): ApiRoute {
  return {
    method: 'POST',
    url: '/service/video.VideoTransBegin',
    backResult: true,
    async handle({ body }) {
      const parsed = validate(videoTransBeginSchema, body);
      if (!parsed.ok) return fail(CODE.badRequest, parsed.msg);
      const camera = deps.cameras.byNum(parsed.data.cameraNum);
      if (!camera) return fail(CODE.notFound, '摄像机不存在');
      const outcome = await deps.push.begin(parsed.data, camera);
      return withBackResult(outcome, camera.record.cameraName);
    },
  };
}
