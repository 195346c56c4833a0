// The four output profiles the gateway delivers (docs/tiers.md): 128 kbps CIF, 1 Mbps 720p,
// 4 Mbps 1080p and the camera's own rate. An uplink asks for a tier; the province's videoType
// maps to one in src/modules/uplinks/province/wire.ts.

export type Tier = 'low' | 'high' | 'fourM' | 'source';
