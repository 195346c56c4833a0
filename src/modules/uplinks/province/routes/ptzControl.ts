// E-5.3: PTZ from the province; priority, hasControl and the audit log live in PtzService.
import { CODE, ptzControlSchema } from '../../../../protocols/province/messages.js';
import { fail } from '../../../api/reply.js';
import type { ApiRoute } from '../../../api/routes/route.js';
import type { ProvinceRouteDeps } from './deps.js';
import { validate } from '../../../api/validate.js';
import { ptzActionOf } from '../wire.js';

export function ptzControlRoute(deps: Pick<ProvinceRouteDeps, 'ptz'>): ApiRoute {
  return {
    method: 'POST',
    url: '/service/video.PTZControl',
    async handle({ body }) {
      const parsed = validate(ptzControlSchema, body);
      if (!parsed.ok) return fail(CODE.badRequest, parsed.msg);
      const { cameraNum, action, step } = parsed.data;
      // The schema holds the code to 1–12; the check keeps the mapping total.
      const move = ptzActionOf(action);
      if (!move) return fail(CODE.badRequest, 'action: must be 1–12');
      const outcome = await deps.ptz.control({ kind: 'province' }, cameraNum, move, step);
      return { code: outcome.code, msg: outcome.msg };
    },
  };
}
