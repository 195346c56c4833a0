// Request bodies for the platform's calls to the gateway, built from a technician's few fields
// (`vcgw sim province call VideoTransBegin --camera … --video-type 1`).
import { cameraNumSchema } from '../../protocols/province/messages.js';
import type { GatewayCall } from './types.js';

export interface CallFields {
  cameras: string[];
  videoType?: string;
  serverIp?: string;
  serverPort?: string;
  pubName?: string;
  authInfo?: string;
  action?: string;
  step?: string;
}

/** A problem with one field; `field` is the CallFields key so the CLI can name its flag. */
export class CallFieldError extends Error {
  constructor(
    readonly field: keyof CallFields,
    message: string,
  ) {
    super(message);
    this.name = 'CallFieldError';
  }
}

function intField(fields: CallFields, field: keyof CallFields, min: number, max: number, fallback?: number): number {
  const raw = fields[field];
  if (raw === undefined) {
    if (fallback === undefined) throw new CallFieldError(field, 'required for this call');
    return fallback;
  }
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new CallFieldError(field, `must be an integer ${min}–${max}, got ${String(raw)}`);
  }
  return n;
}

function cameraList(fields: CallFields): string[] {
  for (const c of fields.cameras) {
    if (!cameraNumSchema.safeParse(c).success) throw new CallFieldError('cameras', `${c} is not a lower-case UUID v4`);
  }
  return fields.cameras;
}

function oneCamera(fields: CallFields): string {
  const list = cameraList(fields);
  if (list.length !== 1) throw new CallFieldError('cameras', 'give exactly one camera for this call');
  return list[0]!;
}

export function buildCallBody(call: GatewayCall, fields: CallFields): unknown {
  switch (call) {
    case 'VideoTransBegin': {
      const cameraNum = oneCamera(fields);
      return {
        cameraNum,
        videoType: intField(fields, 'videoType', 0, 3, 0),
        serverIp: fields.serverIp ?? '127.0.0.1',
        serverPort: intField(fields, 'serverPort', 1, 65535, 1935),
        // CONTRACT §4: a pubName without "/" is published under the gateway's default app.
        pubName: fields.pubName ?? cameraNum,
        authInfo: fields.authInfo ?? '',
      };
    }
    case 'VideoTransFinish':
      return { cameraNum: oneCamera(fields), videoType: intField(fields, 'videoType', 0, 3, 0) };
    case 'PTZControl':
      return {
        cameraNum: oneCamera(fields),
        action: intField(fields, 'action', 1, 12),
        step: intField(fields, 'step', 1, 8, 4),
      };
    case 'NetworkCheck':
      return { cameras: cameraList(fields) };
    case 'CheckGateway':
      return undefined;
  }
}
