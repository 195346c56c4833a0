export {
  DEFAULT_APPS,
  RtmpServerUnavailableError,
  groupAlive,
  locateNginx,
  parseRtmpStat,
  renderNginxConf,
  startRtmpServer,
  type NginxConfParams,
  type RtmpServer,
  type RtmpServerOptions,
  type RtmpStreamStat,
} from './nginx.js';
export {
  firstFrameArgs,
  measureArgs,
  measureStream,
  summarizeProbe,
  waitFirstFrame,
  type FirstFrameOptions,
  type FirstFrameWaiter,
  type ProbeJson,
  type StreamMeasure,
} from './measure.js';
