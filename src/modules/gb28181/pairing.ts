// A camera reached over GB/T 28181 names its channel (gbChannelId); the device it hangs off
// (gbDeviceId) is taken from the catalogues when not given, and a lone device id stands for an IP
// camera that is its own channel. A stream transport of its own only makes sense on a GB camera.
import type { CameraAccess } from '../../store/cameras.js';
import { GbStore } from '../../store/gb.js';
import type { Db } from '../../store/db.js';
import { CameraInputError } from '../cameras/input.js';

export function completeGbAccess(db: Db, access: CameraAccess): CameraAccess {
  const { gbDeviceId, gbChannelId } = access;
  if (access.gbTransport !== undefined && gbDeviceId === undefined && gbChannelId === undefined) {
    throw new CameraInputError('gbTransport', 'only for a GB/T 28181 camera: give gbChannelId (or gbDeviceId) too');
  }
  if (gbChannelId === undefined) return gbDeviceId === undefined ? access : { ...access, gbChannelId: gbDeviceId };
  if (gbDeviceId !== undefined) return access;
  const holders = new GbStore(db).channelById(gbChannelId);
  if (holders.length === 1) return { ...access, gbDeviceId: holders[0]!.deviceId };
  if (holders.length === 0) {
    throw new CameraInputError('gbDeviceId', `required with gbChannelId ${gbChannelId}: no registered device lists that channel (see \`vcgw gb channels DEVICE\`)`);
  }
  throw new CameraInputError('gbDeviceId', `required: channel ${gbChannelId} is listed by ${holders.map((h) => h.deviceId).join(' and ')}`);
}
