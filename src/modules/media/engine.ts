// The boundary between the province-facing API and the media pipelines (ARCHITECTURE "The shape"):
// the API and the push registry talk to FFmpeg only through this interface.
import type { VideoType } from '../../protocols/province/messages.js';

/** Output parameters the province asked for; the engine clamps them to the profile (CONTRACT §2). */
export interface PushParams {
  width?: number;
  height?: number;
  bitRate?: number;
  frameRate?: number;
  iframe?: number;
}

export interface PushTarget {
  cameraNum: string;
  videoType: VideoType;
  /** Full RTMP URL, credentials included: redact before logging. */
  url: string;
  params: PushParams;
}

export interface MediaEngine {
  /** Resolves once the push is running; rejects with the reason it could not start. */
  start(target: PushTarget): Promise<void>;
  stop(cameraNum: string, videoType: VideoType): Promise<void>;
}

/**
 * Thrown by an engine when the camera itself cannot deliver video (unreachable, no stream):
 * the status-code table answers 404 "该路视频故障" for that at start, 500 for transcoder faults.
 */
export class CameraFaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CameraFaultError';
  }
}
