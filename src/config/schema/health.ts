import { z } from 'zod';

export const health = z
  .strictObject({
    probe_interval_s: z.number().int().min(5).max(3600).default(60).describe('How often each camera is probed for reachability'),
    probe_timeout_ms: z.number().int().min(100).max(30000).default(2000).describe('TCP connect timeout of a probe'),
    clock_sync_interval_s: z
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(3600)
      .describe("How often every ONVIF camera's clock is set from the gateway's (UTC, Beijing time zone); new cameras are synced within 30 s"),
  })
  .describe('Camera reachability and clock sync');
