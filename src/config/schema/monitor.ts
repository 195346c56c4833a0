import { z } from 'zod';
import { cidr, hostPort } from './common.js';
import { cameraNumSchema } from '../../protocols/province/messages.js';
import { listenerLimits } from './listener.js';

export const monitor = z
  .strictObject({
    listen: hostPort.default('0.0.0.0:8090').describe('Listener for local incident detectors (E-5.6), camera-network side'),
    tls: z.boolean().default(true).describe("HTTPS with the gateway's certificate; false for plain HTTP"),
    allow: z.array(cidr).default(['127.0.0.1/32']).describe('Addresses allowed to post events'),
    device_map: z
      .record(z.string().min(1), cameraNumSchema)
      .default({})
      .describe('Detector device ids to cameraNum, e.g. { "det-07" = "aef89ecc-…" }'),
    ...listenerLimits,
  })
  .describe('/monitor/video.ReportAnalyse for local incident-detection systems');
