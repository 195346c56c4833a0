// The image-quality diagnosis of CONTRACT §3 / seed 003 §6.1.2 d: eight picture conditions
// (flags 2–9 of cameraStatus; flag 1, offline, comes from reachability) with a confidence each.

/** One decoded picture, YUV 4:2:0 planar (as FFmpeg's rawvideo yuv420p gives it). */
export interface Frame {
  width: number;
  height: number;
  /** Luma, width × height bytes. */
  y: Uint8Array;
  /** Chroma, (width/2) × (height/2) bytes each. */
  u: Uint8Array;
  v: Uint8Array;
}

/** In cameraStatus order, flags 2–9. */
export const CONDITIONS = ['signalLost', 'occluded', 'blurred', 'brightness', 'frozen', 'noise', 'flicker', 'stripes'] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface Diagnosis {
  /** In [0, 1], per condition. */
  confidences: Record<Condition, number>;
  /** Confidence at or above the condition's threshold. */
  flags: Record<Condition, boolean>;
  /** The measure behind each confidence, for the log and `vcgw` output (e.g. "Laplacian variance 12.3"). */
  details: Record<Condition, string>;
  /** What the camera's reference is learned from, when the diagnosis came from frames. */
  measures?: PictureMeasures;
}

export type Regime = 'day' | 'night';

/** The measures of one diagnosis that a reference is learned from. */
export interface PictureMeasures {
  regime: Regime;
  /** Edge sharpness ratio; null when the picture had too few edges to judge. */
  sharpness: number | null;
  edgeCells: number;
  mean: number;
  highlight: number;
  noise: number;
  cols: number;
  rows: number;
  /** Per cell, 1 where the still picture shows detail (OSD cells 0). */
  live: number[];
}
