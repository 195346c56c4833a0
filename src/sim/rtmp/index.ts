export {
  DEFAULT_APPS,
  RtmpServerUnavailableError,
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
  waitFirstFrame,
  type FirstFrameOptions,
  type FirstFrameWaiter,
} from './measure.js';
