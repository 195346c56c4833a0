export { GbUpperPlatformSim, checkCatalog, probeTs, type CatalogCheck, type LowerRegistration, type Play, type PlayCheck, type UpperPlatformOptions, type UpperStrictness } from './upperPlatform.js';
