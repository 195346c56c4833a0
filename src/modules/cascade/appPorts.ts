// The cascade's camera-list, camera-state and PTZ ports over the gateway's own parts (the media
// port is enginePort.ts). Each is a few lines; together they keep the daemon's wiring to one call.
import { ONLINE, type OnlineState } from '../../domain/online.js';
import type { CameraStore } from '../../store/cameras.js';
import type { PtzService } from '../ptz/controller.js';
import type { CameraListPort, CameraStatePort, PtzPort } from './ports.js';

export function cameraListPort(store: Pick<CameraStore, 'all'>): CameraListPort {
  return { cameras: () => store.all().map((c) => ({ id: c.id, record: c.record })) };
}

export function cameraStatePort(tracker: {
  get(cameraNum: string): { online: OnlineState } | undefined;
  onChange(listener: (cameraNum: string, online: OnlineState) => void): () => void;
}): CameraStatePort {
  const known = (s: OnlineState | undefined) => (s === undefined ? undefined : s === ONLINE.online);
  return {
    isOnline: (cameraNum) => known(tracker.get(cameraNum)?.online),
    onChange: (listener) => tracker.onChange((cameraNum, online) => listener(cameraNum, online === ONLINE.online)),
  };
}

/** PTZ from an upper platform: it ranks with the province (below local operators) and is logged as upper:<name>. */
export function ptzPort(ptz: Pick<PtzService, 'control'>): PtzPort {
  return {
    control: async (platform, cameraNum, action, step) => {
      const outcome = await ptz.control({ kind: 'upper', platform }, cameraNum, action, step);
      return { ok: outcome.code === 200, message: outcome.msg };
    },
  };
}
