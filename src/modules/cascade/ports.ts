// What the cascade needs from the rest of the gateway, declared here so that it depends on
// nothing else: the daemon plugs the media engine, PTZ service, camera state and camera list in.
import type { CameraRecord } from '../../domain/camera.js';
import type { RtpTransportMode } from '../../protocols/rtp/transport.js';
import type { PtzAction } from '../../domain/ptz.js';

/** A camera as the cascade sees it: its local id and the province record (names, road, place). */
export interface CascadeCamera {
  id: string;
  record: CameraRecord;
}

export interface CameraListPort {
  cameras(): CascadeCamera[];
}

export interface CameraStatePort {
  /** true online, false offline or faulty, undefined not probed yet. */
  isOnline(cameraNum: string): boolean | undefined;
  /** Calls `listener` on every change; returns the unsubscribe. */
  onChange(listener: (cameraNum: string, online: boolean) => void): () => void;
}

export interface PtzPort {
  /** An action and step (1–8) on behalf of upper platform `platform`; logged by the PTZ service. */
  control(platform: string, cameraNum: string, action: PtzAction, step: number): Promise<{ ok: boolean; message: string }>;
}

export interface PsOutputRequest {
  cameraNum: string;
  /** Our role: udp sends to `remote`; tcp-active connects to it; tcp-passive listens for the upper side. */
  mode: RtpTransportMode;
  remote: { address: string; port: number };
  ssrc: number;
  /** Local address to bind or listen on. */
  host: string;
}

export interface PsOutputStats {
  frames: number;
  packets: number;
  refused: number;
  rtcpIn: number;
  lastPeerPacketAt?: number;
  /** UDP: the upper side's port refuses (ICMP port unreachable) now. */
  refusing: boolean;
}

export interface PsOutput {
  /** The local port: for tcp-passive, the one the upper side connects to (our SDP answer's). */
  readonly localPort: number;
  /** The stream's codec once known ('h264' | 'h265'). */
  readonly codec: string | undefined;
  /** Resolves when the output has ended (close(), or the upper side closed the TCP connection). */
  readonly ended: Promise<void>;
  stats(): PsOutputStats;
  close(): Promise<void>;
}

/** Refusals the upper side is told about with a SIP status (486 busy, 404 no such camera …). */
export class MediaRefusal extends Error {
  constructor(
    readonly sipStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'MediaRefusal';
  }
}

export interface MediaPort {
  /** Starts a PS-over-RTP output of the camera, from its cached GOP; rejects with MediaRefusal when it cannot. */
  openPs(req: PsOutputRequest): Promise<PsOutput>;
}
