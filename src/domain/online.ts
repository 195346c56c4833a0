// A camera's state as the gateway decides it from probes and pictures (docs/camera-record.md).
// The codes are what the database keeps; src/modules/province/wire.ts checks they are the
// province's (E-4.2 online).

export const ONLINE = { offline: 0, online: 1, fault: 2 } as const;
export type OnlineState = (typeof ONLINE)[keyof typeof ONLINE];
