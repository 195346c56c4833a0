import { z } from 'zod';
import { seconds } from './common.js';

export const quality = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Diagnose every camera\'s picture and report it (ReportCameraQuality, seed 003 §6.1.2 d)'),
    interval_s: seconds(60, 86400)
      .default(3600)
      .describe('How often every camera is diagnosed (its snapshot plus a burst of frames) and reported; a new anomaly seen on a 5-minute snapshot is diagnosed and reported at once'),
    burst_s: seconds(1, 10).default(2).describe('Seconds of video read for a diagnosis (frozen and flicker need a run of frames); from a running pull when there is one'),
    status_width: z
      .number()
      .int()
      .min(9)
      .max(16)
      .default(9)
      .describe('Length of cameraStatus: 9 flags (CONTRACT §3; the E-4.3 demo shows 10, padded with 0)'),
  })
  .describe('Image-quality diagnosis');

export type QualityConfig = z.output<typeof quality>;
