import { z } from 'zod';
import { seconds } from './common.js';

export const ptz = z
  .strictObject({
    hold_s: seconds(5, 3600)
      .default(60)
      .describe('After a local PTZ command, province PTZ calls on that camera are refused this long (§6.3 road-section priority)'),
    keep_log_days: z.number().int().min(365).max(3650).default(400).describe('How long the PTZ log is kept (at least a year, §6.3)'),
    pulse_ms: z
      .number()
      .int()
      .min(100)
      .max(5000)
      .default(500)
      .describe('How long one pan/tilt/zoom/focus command moves an ONVIF camera before the gateway sends Stop'),
  })
  .describe('PTZ control');
