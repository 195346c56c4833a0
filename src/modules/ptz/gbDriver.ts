// The PTZ driver for GB/T 28181 cameras: CONTRACT §4's twelve actions as DeviceControl PTZCmd
// (Annex A.3) sent to the channel through its device's registration. A move is a pulse: the
// command, then Stop after `pulseMs`, as for ONVIF cameras. The light is auxiliary switch 2
// (switch 1 is the wiper by the standard; the light's number is the vendor's — 2 on the common
// Hikvision/Dahua domes).
import type { Logger } from '../../log.js';
import { ptzControl, type PtzCommand } from '../../protocols/gb28181/index.js';
import type { PtzAction } from '../../domain/ptz.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { GbRegistrar } from '../gb28181/registrar.js';
import { PtzUnsupportedError, type PresetOp, type PtzDriver } from './controller.js';

export const LIGHT_SWITCH = 2;

/** Step 1–8 as PTZCmd speeds: pan/tilt 0–255, zoom 0–15. */
function speeds(step: number): { pt: number; zoom: number } {
  const s = Math.max(1, Math.min(8, step));
  return { pt: Math.round((s * 255) / 8), zoom: Math.round((s * 15) / 8) };
}

export function gbCommandOf(action: PtzAction, step: number): PtzCommand {
  const { pt, zoom } = speeds(step);
  const ptz = (pan: -1 | 0 | 1, tilt: -1 | 0 | 1, z: -1 | 0 | 1): PtzCommand => ({ kind: 'ptz', pan, tilt, zoom: z, panSpeed: pan ? pt : 0, tiltSpeed: tilt ? pt : 0, zoomSpeed: z ? zoom : 0 });
  const fi = (focus: -1 | 0 | 1, iris: -1 | 0 | 1): PtzCommand => ({ kind: 'fi', focus, iris, focusSpeed: focus ? pt : 0, irisSpeed: iris ? pt : 0 });
  switch (action) {
    case 'left':
      return ptz(-1, 0, 0);
    case 'right':
      return ptz(1, 0, 0);
    case 'up':
      return ptz(0, 1, 0);
    case 'down':
      return ptz(0, -1, 0);
    case 'zoom-wide':
      return ptz(0, 0, -1);
    case 'zoom-tele':
      return ptz(0, 0, 1);
    case 'focus-near':
      return fi(-1, 0);
    case 'focus-far':
      return fi(1, 0);
    case 'iris-close':
      return fi(0, -1);
    case 'iris-open':
      return fi(0, 1);
    case 'light-off':
      return { kind: 'aux', on: false, switchNo: LIGHT_SWITCH };
    case 'light-on':
      return { kind: 'aux', on: true, switchNo: LIGHT_SWITCH };
  }
}

export const hasGb = (camera: StoredCamera): boolean => camera.access.gbDeviceId !== undefined && camera.access.gbChannelId !== undefined;

export class GbPtzDriver implements PtzDriver {
  private readonly stops = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: { registrar: GbRegistrar; pulseMs: number; log: Logger }) {}

  /** For PtzService.driverFor: this driver for GB cameras. */
  readonly driverFor = (camera: StoredCamera): PtzDriver | undefined => (hasGb(camera) ? this : undefined);

  async move(camera: StoredCamera, action: PtzAction, step: number): Promise<void> {
    const { gbDeviceId: device, gbChannelId: channel } = camera.access;
    if (!device || !channel) throw new PtzUnsupportedError('camera has no GB/T 28181 channel');
    await this.moveChannel(device, channel, action, step);
  }

  /** One action on a channel: the command, then Stop after the pulse (the light switch stays as set). */
  async moveChannel(device: string, channel: string, action: PtzAction, step: number): Promise<void> {
    const cmd = gbCommandOf(action, step);
    await this.send(device, channel, cmd);
    if (cmd.kind === 'aux') return;
    const key = `${device}/${channel}`;
    clearTimeout(this.stops.get(key));
    const timer = setTimeout(() => {
      this.stops.delete(key);
      this.send(device, channel, { kind: 'stop' }).catch((err: Error) => this.o.log.warn({ device, channel, err: err.message }, 'GB PTZ stop failed'));
    }, this.o.pulseMs);
    this.stops.set(key, timer);
  }

  /** Preset set / call / delete (PTZCmd 0x81 / 0x82 / 0x83), preset 1–255. */
  async presetChannel(device: string, channel: string, op: PresetOp, id: number): Promise<void> {
    await this.send(device, channel, { kind: 'preset', action: op, preset: id });
  }

  private async send(device: string, channel: string, cmd: PtzCommand): Promise<void> {
    const status = await this.o.registrar.send(device, ptzControl({ sn: this.o.registrar.nextSn(), deviceId: channel }, cmd), channel);
    if (status >= 300) throw new Error(`GB device ${device} answered DeviceControl with ${status}`);
  }

  /** Sends the pending Stops now, so no camera keeps turning after a shutdown. */
  async close(): Promise<void> {
    const pending = [...this.stops.entries()];
    this.stops.clear();
    await Promise.all(
      pending.map(([key, timer]) => {
        clearTimeout(timer);
        const [device, channel] = key.split('/') as [string, string];
        return this.send(device, channel, { kind: 'stop' }).catch(() => undefined);
      }),
    );
  }
}
