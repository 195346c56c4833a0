// PTZ of GB/T 28181 cameras from the CLI: such a camera is reachable only through the running
// daemon's SIP registration, so each command is a request row the daemon carries out with its
// GbPtzDriver (modules/gb28181/requests.ts). The hold and the PTZ log are written by the caller's
// PtzService, as for ONVIF cameras.
import type { Preset } from '../../protocols/gb28181/index.js';
import type { PtzAction } from '../../domain/ptz.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { GbStore } from '../../store/gb.js';
import { askDaemon, type GbPtzParams } from '../gb28181/requests.js';
import { PtzUnsupportedError, type PresetOp, type PtzDriver } from './controller.js';
import { hasGb } from './gbDriver.js';

export interface DaemonWait {
  /** How long the daemon has to take a command before it is withdrawn (never carried out late). */
  takeWithinMs: number;
  /** How long the daemon has, once it took it, to get the device's answer. */
  answerWithinMs: number;
  pollMs?: number;
}

export class GbViaDaemonPtzDriver implements PtzDriver {
  constructor(
    private readonly store: GbStore,
    private readonly wait: DaemonWait,
  ) {}

  /** For PtzService.driverFor: this driver for GB cameras. */
  readonly driverFor = (camera: StoredCamera): PtzDriver | undefined => (hasGb(camera) ? this : undefined);

  /** The longest a command can take here: PtzService's own bound must not cut it shorter. */
  get boundMs(): number {
    return this.wait.takeWithinMs + this.wait.answerWithinMs;
  }

  async move(camera: StoredCamera, action: PtzAction, step: number): Promise<void> {
    await this.ask(camera, (channelId) => ({ channelId, move: { action, step } }));
  }

  async preset(camera: StoredCamera, op: PresetOp, id: number): Promise<void> {
    await this.ask(camera, (channelId) => ({ channelId, preset: { op, id } }));
  }

  /** The presets the channel lists (PresetQuery). */
  async presets(camera: StoredCamera): Promise<Preset[]> {
    const [device, channelId] = this.channelOf(camera);
    const result = await askDaemon(this.store, device, 'presets', { ...this.wait, params: { channelId } });
    return result['presets'] as Preset[];
  }

  private channelOf(camera: StoredCamera): [device: string, channel: string] {
    const { gbDeviceId, gbChannelId } = camera.access;
    if (!gbDeviceId || !gbChannelId) throw new PtzUnsupportedError('camera has no GB/T 28181 channel');
    return [gbDeviceId, gbChannelId];
  }

  private async ask(camera: StoredCamera, params: (channelId: string) => GbPtzParams): Promise<void> {
    const [device, channelId] = this.channelOf(camera);
    await askDaemon(this.store, device, 'ptz', { ...this.wait, params: params(channelId) });
  }
}
