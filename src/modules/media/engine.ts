// The boundaries of the media data path (ARCHITECTURE "The shape"): uplinks order outputs (a tier
// into a sink) through MediaEngine, which keeps the budget they share; snapshots and the quality
// diagnosis read frames through FrameProvider; none of them names FFmpeg.
import type { FanoutSink } from '../../protocols/mpegts/fanout.js';
import type { StoredCamera } from '../../store/cameras.js';
import type { StreamRole } from '../../domain/camera.js';
import type { Tier } from '../../domain/tier.js';
import type { BudgetView } from './budget.js';

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

/** Output parameters an uplink asked for; the engine clamps them to the tier (docs/tiers.md). */
export interface PushParams {
  width?: number;
  height?: number;
  bitRate?: number;
  frameRate?: number;
  iframe?: number;
}

/** An RTMP URL fetched at each launch; `afterFailure`: the last attempt delivered nothing (the URL may be stale). */
export type UrlProvider = (o: { afterFailure: boolean }) => Promise<string>;

/**
 * Where an output goes. `rtmp`: a supervised FFmpeg pushes the tier, copied or transcoded (full
 * URL, credentials included: redact before logging). `ts`: the camera's own stream as MPEG-TS,
 * from its cached GOP on, into the sink `open()` makes once the stream is ready (the cascade turns
 * it into PS over RTP); tier 'source' only, never transcoded: PS carries H.265 as it comes, where
 * the RTMP path must re-encode it, and it is played only while the upper side keeps the call.
 */
export type OutputSink = { kind: 'rtmp'; url: string | UrlProvider } | { kind: 'ts'; open(): Promise<TsSink> };

/** An uplink's order for one output. */
export interface OutputOrder {
  /** Chosen by the uplink, unique across uplinks (the province: `push:<cameraNum>:<videoType>`); `vcgw status` shows it. */
  key: string;
  /** The camera as the order resolved it (the engine looks nothing up by cameraNum). */
  camera: StoredCamera;
  tier: Tier;
  sink: OutputSink;
  /** Asked-for parameters, clamped to the tier; a function is read again at each launch. */
  params: PushParams | (() => PushParams);
  /** Who orders it, in words: named in the budget refusals other uplinks get. */
  holder: string;
  /**
   * A standing output (a constant 128 kbps push): outside the on-demand limits, retried for as
   * long as it is not stopped, and started without waiting for a frame.
   */
  standing?: boolean;
}

export interface OutputStarted {
  /** The camera stream's video codec, once read ('h264', 'h265' …). */
  codec: string | undefined;
}

export interface MediaEngine {
  /** The slots every uplink's outputs hold (standing ones listed, outside the limits). */
  readonly budget: BudgetView;
  /**
   * Takes the output's slot (OutputRefusedError when none is free) and starts it; resolves once
   * an on-demand RTMP push delivered its first frame or a TS sink is fed, at once for a standing
   * push. A running output of the same key is stopped first and replaced, in its slot; a
   * standing order for a key already running leaves it running (its pulls follow the camera's
   * edited URLs). The slot is freed when the output fails to start, is stopped, or is given up
   * (event outputGone).
   * Rejects with CameraFaultError when the camera cannot deliver.
   */
  start(order: OutputOrder): Promise<OutputStarted>;
  stop(key: string): Promise<void>;
}

/**
 * Thrown by an engine when the camera itself cannot deliver video: it has no stream for the
 * output ('no-stream'), or its stream gave no keyframe in time ('no-video'). The province answers
 * 404 "该路视频故障" for either at start (500 for transcoder faults); an upper GB/T 28181 platform
 * is told 404 or 503.
 */
export class CameraFaultError extends Error {
  constructor(
    message: string,
    readonly fault: 'no-stream' | 'no-video',
  ) {
    super(message);
    this.name = 'CameraFaultError';
  }
}
