import { ONLINE } from '../../domain/online.js';
import type { CameraStateTracker } from './cameraState.js';

/**
 * A camera's state for ReportCameraStatus (CONTRACT §3) from two witnesses: the reachability
 * probe (offline when the camera does not answer) and the media engine (fault when it answers
 * but its stream gives no video), and the image-quality diagnosis (fault when the picture is
 * unusable: signal lost or frozen). Reachable but no usable picture = 2 (issue 5).
 */
export class CameraHealth {
  private readonly reachable = new Map<string, { ok: boolean; reason: string }>();
  private readonly mediaFault = new Map<string, string>();
  private readonly pictureFault = new Map<string, string>();

  constructor(private readonly state: CameraStateTracker) {}

  setReachable(cameraNum: string, ok: boolean, reason: string): void {
    this.reachable.set(cameraNum, { ok, reason });
    this.apply(cameraNum);
  }

  /** `fault` = why the stream gives no video, or undefined when it does (or is not in use). */
  setMediaFault(cameraNum: string, fault: string | undefined): void {
    if (this.mediaFault.get(cameraNum) === fault) return;
    if (fault === undefined) this.mediaFault.delete(cameraNum);
    else this.mediaFault.set(cameraNum, fault);
    this.apply(cameraNum);
  }

  /** `fault` = why the picture is unusable (the diagnosis), or undefined when it is usable. */
  setPictureFault(cameraNum: string, fault: string | undefined): void {
    if (this.pictureFault.get(cameraNum) === fault) return;
    if (fault === undefined) this.pictureFault.delete(cameraNum);
    else this.pictureFault.set(cameraNum, fault);
    this.apply(cameraNum);
  }

  isReachable(cameraNum: string): boolean | undefined {
    return this.reachable.get(cameraNum)?.ok;
  }

  private apply(cameraNum: string): void {
    const r = this.reachable.get(cameraNum);
    if (!r) return; // not probed yet: the first probe decides
    const fault = this.mediaFault.get(cameraNum);
    const picture = this.pictureFault.get(cameraNum);
    if (!r.ok) this.state.set(cameraNum, ONLINE.offline, r.reason);
    else if (fault !== undefined) this.state.set(cameraNum, ONLINE.fault, `reachable but no video: ${fault}`);
    else if (picture !== undefined) this.state.set(cameraNum, ONLINE.fault, `reachable but no usable picture: ${picture}`);
    else this.state.set(cameraNum, ONLINE.online, r.reason);
  }
}
