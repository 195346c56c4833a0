export {
  startRtspCamera,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_SESSION_TIMEOUT_S,
  type RtspCamera,
  type RtspCameraOptions,
  type RtspCameraStreamOptions,
  type RtspStreamStats,
} from './rtspServer.js';
export { DIGEST_REALM } from './digest.js';
export {
  ensureClip,
  clipEncodeArgs,
  clipFileName,
  clipFrameCount,
  defaultClipCacheDir,
  encoderPreset,
  validateClipSpec,
  MAIN_1080P_H264,
  MAIN_1080P_H265,
  MAIN_720P_H264,
  SUB_CIF_H264,
  SUB_D1_H264,
  type ClipOptions,
  type ClipSpec,
} from './clips.js';
export {
  findParameterSets,
  groupAccessUnits,
  h264ProfileLevelId,
  nalType,
  parseClip,
  splitNalUnits,
  type AccessUnit,
  type ParameterSets,
  type ParsedClip,
  type VideoCodec,
} from '../../protocols/h26x/annexb.js';
export {
  fragmentAccessUnit,
  RtpDepacketizer,
  RtpSender,
  type RtpFragment,
} from './rtp.js';
