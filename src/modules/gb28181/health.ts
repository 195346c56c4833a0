// NetworkCheck and camera state of GB/T 28181 cameras: they register and keep alive towards us and
// may open no port at all, so their reachability is the device's keep-alive state and the channel's
// last reported status (catalogue, status NOTIFY), never a TCP connect.
import type { StoredCamera } from '../../store/cameras.js';
import type { GbStore } from '../../store/gb.js';
import type { ProbeResult, StateProbe } from '../health/netcheck.js';
import type { GbRegistrar } from './registrar.js';

export function gbStateProbe(registrar: GbRegistrar, store: GbStore): StateProbe {
  return (camera: StoredCamera): ProbeResult | undefined => {
    const { gbDeviceId: device, gbChannelId: channel } = camera.access;
    // A camera with an RTSP URL is probed over TCP as any other (GB used for signalling only).
    if (!device || !channel || camera.access.rtspMain) return undefined;
    const cameraNum = camera.record.cameraNum;
    if (!registrar.device(device)) return { cameraNum, status: 0, reason: `GB device ${device} is not registered` };
    if (!registrar.isOnline(device)) return { cameraNum, status: 0, reason: `GB device ${device} is offline: keep-alives missed` };
    const status = store.channels(device).find((c) => c.channelId === channel)?.status;
    if (status === 'OFF') return { cameraNum, status: 0, reason: `GB channel ${channel} reported OFF by its device` };
    return { cameraNum, status: 1, reason: `GB device ${device} keeping alive` };
  };
}
