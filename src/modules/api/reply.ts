// The reply envelope of every call (E-1.3 and E-1.4, CONTRACT §5): HTTP 200, outcome in `code`.
import { CODE } from '../../protocols/province/messages.js';

export interface BackResult {
  cameraName: string;
  /** A string in E-5.1/E-5.2's table and demo. */
  code: string;
  msg: string;
}

export interface ApiReply {
  code: number;
  msg: string;
  data?: unknown;
  backResult?: BackResult;
}

export const ok = (data?: unknown, msg = '成功'): ApiReply => (data === undefined ? { code: CODE.ok, msg } : { code: CODE.ok, msg, data });

export const fail = (code: number, msg: string): ApiReply => ({ code, msg });

/** VideoTransBegin/Finish carry the outcome twice: top level and `backResult` (CONTRACT §4). */
export function withBackResult(reply: ApiReply, cameraName = ''): ApiReply {
  if (reply.backResult) return reply;
  return { ...reply, backResult: { cameraName, code: String(reply.code), msg: reply.msg } };
}
