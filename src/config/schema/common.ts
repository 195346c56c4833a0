// Field types shared by several sections.
import { z } from 'zod';

export const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT, e.g. 0.0.0.0:8443');
export const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL');
export const file = z.string().min(1);
export const cidr = z
  .string()
  .regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'must be an IP address or CIDR, e.g. 10.0.0.0/8');

export const seconds = (min: number, max: number) => z.number().min(min).max(max);

/** CSV cells and CLI flags are text: "true"/"false" are accepted beside TOML/JSON booleans. */
export const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' })
  .transform((v) => v === true || v === 'true');
