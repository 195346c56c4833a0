import { z } from 'zod';
import { seconds } from './common.js';

/**
 * Timeouts and a cap of a listener, so that a client that opens connections and sends nothing,
 * or a byte at a time, cannot hold the daemon's file descriptors (issue 15).
 */
export const listenerLimits = {
  handshake_timeout_s: seconds(1, 120).default(5).describe('A connection whose TLS handshake is not done this long after it opened is dropped'),
  header_timeout_s: seconds(1, 300).default(10).describe('A request whose headers have not all arrived this long after it began is dropped (slow senders)'),
  request_timeout_s: seconds(1, 600).default(30).describe('A request whose body has not all arrived this long after it began is dropped'),
  idle_timeout_s: seconds(1, 3600).default(30).describe('A connection with no traffic for this long is closed, keep-alive included'),
  max_connections: z
    .number()
    .int()
    .min(16)
    .max(65536)
    .default(1000)
    .describe('Connections open at once; further ones are closed at once until some end'),
};
export type ListenerLimitsConfig = { [K in keyof typeof listenerLimits]: z.output<(typeof listenerLimits)[K]> };
