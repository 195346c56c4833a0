export * from './message.js';
export * from './headers.js';
export * from './digest.js';
export * from './dialog.js';
export * from './endpoint.js';
export { DEFAULT_TIMERS, type SipTimers } from './transaction.js';
export { RateLimiter, type RateLimitOptions } from './rateLimit.js';
export type { Remote, SipLog, SipLogLevel, TransportName } from './transport.js';
