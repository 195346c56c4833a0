import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** Sent as AppVersion on every province call. */
export const VERSION: string = (require('../package.json') as { version: string }).version;
