import { z } from 'zod';
import { cidr, file, hostPort } from './common.js';
import { listenerLimits } from './listener.js';

export const metrics = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Serve /metrics (Prometheus text format) for the operations Prometheus; off unless asked for, so no fixed port is taken by surprise'),
    listen: hostPort.default('0.0.0.0:9464').describe('Listener of /metrics'),
    tls: z.boolean().default(false).describe("HTTPS with the gateway's certificate; false for plain HTTP"),
    allow: z.array(cidr).default(['127.0.0.1/32']).describe('Addresses allowed to scrape without a token'),
    token_file: file
      .optional()
      .describe('File holding a scrape token: a request from any address with `Authorization: Bearer <token>` or `TAuth: <token>` is let in')
      .meta({ example: '/etc/vcgw/metrics.token' }),
    ...listenerLimits,
  })
  .describe('Operations figures for Prometheus (firmware-image/prometheus)');
