import { z } from 'zod';
import { seconds } from './common.js';

export const outbox = z
  .strictObject({
    backoff_s: z
      .array(z.number().min(0.1).max(86400))
      .min(1)
      .default([1, 5, 10, 30, 60, 300])
      .describe('Retry delays in steps; the last one repeats (the outbox never drops a report)'),
    batch_max: z.number().int().min(1).max(100).default(100).describe('Items per report call'),
    probe_s: seconds(1, 600)
      .default(5)
      .describe(
        'While the province is unreachable, the oldest pending report is tried this often whatever its back-off; once any call gets through, everything pending is sent at once, oldest first',
      ),
    keep_delivered_days: z.number().int().min(1).max(3650).default(7).describe('How long delivered reports stay queryable'),
  })
  .describe('Durable outbox of reports to the province');
