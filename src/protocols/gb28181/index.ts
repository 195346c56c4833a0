export * from './code.js';
export * from './ptz.js';
export * from './manscdp.js';
export * from './catalog.js';
export * from './messages.js';
export * from './sdp.js';
export * from './edition.js';
