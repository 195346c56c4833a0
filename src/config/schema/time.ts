import { z } from 'zod';
import { cidr } from './common.js';

// A host name or address chrony can poll, with an optional :PORT (IPv6 in brackets): no spaces or
// quotes, which would break its config file.
const ntpServer = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be a host name or IP address with an optional :PORT, e.g. 10.1.1.10 or 10.1.1.10:123');

export const time = z
  .strictObject({
    servers: z
      .array(ntpServer)
      .default([])
      .describe("NTP servers this box's clock follows: the province's time service, or the section's Beidou server (seed 003 §5.4.3); written to chrony by `vcgw setup chrony`; `vcgw doctor` measures this box's offset from the first (default: the province's host, port 123)"),
    serve: z
      .array(cidr)
      .default([])
      .describe('Networks that may take their time from this gateway over NTP, usually the camera network (§5.4.3)'),
  })
  .describe("This box's clock (chrony): its time source and who may sync from it");
