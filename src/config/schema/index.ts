// The ONE config schema: TypeScript types, defaults, bounds, validation and the commented
// gateway.example.toml (scripts/gen-example-config.ts) all come from here. One file per
// [section] beside this one; this file composes them into the whole config.
import { z } from 'zod';
import { api } from './api.js';
import { cameraConfigSchema } from './cameras.js';
import { cascadeShape } from './cascade.js';
import { gateway } from './gateway.js';
import { gb28181 } from './gb28181.js';
import { health } from './health.js';
import { media } from './media.js';
import { metrics } from './metrics.js';
import { monitor } from './monitor.js';
import { outbox } from './outbox.js';
import { overlay } from './overlay.js';
import { province } from './province.js';
import { ptz } from './ptz.js';
import { quality } from './quality.js';
import { snapshots } from './snapshots.js';
import { time } from './time.js';

export const configSchema = z
  .strictObject({
    gateway,
    province,
    api: api.default(() => api.parse({})),
    monitor: monitor.default(() => monitor.parse({})),
    metrics: metrics.default(() => metrics.parse({})),
    media: media.default(() => media.parse({})),
    ptz: ptz.default(() => ptz.parse({})),
    health: health.default(() => health.parse({})),
    time: time.default(() => time.parse({})),
    outbox: outbox.default(() => outbox.parse({})),
    overlay: overlay.default(() => overlay.parse({})),
    snapshots: snapshots.default(() => snapshots.parse({})),
    quality: quality.default(() => quality.parse({})),
    gb28181: gb28181.default(() => gb28181.parse({})),
    ...cascadeShape,
    cameras: z.array(cameraConfigSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.cameras.forEach((cam, i) => {
      const first = seen.get(cam.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicates cameras.${first}.id` });
      }
      seen.set(cam.id, i);
    });
  });

export type Config = z.output<typeof configSchema>;
