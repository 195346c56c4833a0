export * from './locate.js';
export * from './capabilities.js';
export * from './hwTrial.js';
export * from './progress.js';
export * from './stderrRing.js';
export * from './supervisor.js';
export * from './scheduler.js';
export * from './args.js';
