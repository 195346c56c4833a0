// The boundaries of the media data path (ARCHITECTURE "The shape"): uplinks order pushes through
// MediaEngine, snapshots and the quality diagnosis (and later the GB/T 28181 cascade) read frames
// through FrameProvider; none of them names FFmpeg.
import type { FanoutSink } from '../../protocols/mpegts/fanout.js';
import type { VideoType } from '../../protocols/province/messages.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { StreamRole } from '../../domain/camera.js';
import type { OutputBudget } from './budget.js';

/** Where MPEG-TS bytes go: a child's stdin, a frame reader, a TS→PS converter. */
export type TsSink = FanoutSink;

/** A camera stream held for reading its frames, until `release()`. */
export interface FrameLease {
  readonly stream: StreamRole;
  /** The video codec, once the stream's tables have been read. */
  readonly codec: string | undefined;
  /** Resolves once a keyframe is cached; rejects with the pull's last error after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void>;
  /** Feeds `sink` the stream as MPEG-TS from its cached keyframe on; returns the detach. */
  attach(sink: TsSink): () => void;
  release(): void;
}

/**
 * Which stream: the largest or smallest one already pulled (else the shared pull of `orStart`,
 * started now), or one named stream (its shared pull, started when idle).
 */
export type FrameRequest = { prefer: 'largest' | 'smallest'; orStart?: StreamRole } | { stream: StreamRole };

export interface FrameProvider {
  /** undefined when there is nothing to read (no such stream, no URL, no engine). */
  frames(cameraNum: string, want: FrameRequest): FrameLease | undefined;
}

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
  /** The camera as the order resolved it; looked up by cameraNum when absent. */
  camera?: StoredCamera;
  videoType: VideoType;
  /** Full RTMP URL, credentials included: redact before logging. */
  url: string;
  params: PushParams;
}

export interface MediaEngine {
  /** On-demand outputs the box may run at once, shared by every uplink: an order holds a slot before `start`. */
  readonly budget: OutputBudget;
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
