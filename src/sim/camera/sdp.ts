// The SDP (RFC 4566) a simulated camera answers DESCRIBE with; a fixed template of a dozen lines,
// so no SDP library (sdp-transform would only add a dependency).
import { h264ProfileLevelId, type ParameterSets } from '../../protocols/h26x/annexb.js';
import type { ClipSpec } from './clips.js';
import { DYNAMIC_PAYLOAD_TYPE, RTP_CLOCK_RATE } from '../../protocols/rtp/packet.js';

/** One video track, `trackID=0`, with the clip's parameter sets in-band in the fmtp line. */
export function renderSdp(spec: ClipSpec, params: ParameterSets, serverHost: string, sessionId: string): string {
  const b64 = (b: Buffer | undefined): string => (b ?? Buffer.alloc(0)).toString('base64');
  const pt = DYNAMIC_PAYLOAD_TYPE;
  const media =
    spec.codec === 'h264'
      ? [
          `a=rtpmap:${pt} H264/${RTP_CLOCK_RATE}`,
          `a=fmtp:${pt} packetization-mode=1;profile-level-id=${h264ProfileLevelId(params.sps)};sprop-parameter-sets=${b64(params.sps)},${b64(params.pps)}`,
        ]
      : [
          `a=rtpmap:${pt} H265/${RTP_CLOCK_RATE}`,
          `a=fmtp:${pt} sprop-vps=${b64(params.vps)};sprop-sps=${b64(params.sps)};sprop-pps=${b64(params.pps)}`,
        ];
  // Modelled on what Dahua and Hikvision cameras send: aggregate control "*", a live range,
  // one video track with its frame rate and dimensions.
  return [
    'v=0',
    `o=- ${sessionId} 1 IN IP4 ${serverHost}`,
    's=vcgw simulated camera',
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'a=control:*',
    'a=range:npt=now-',
    `m=video 0 RTP/AVP ${pt}`,
    `b=AS:${spec.bitrateKbps}`,
    ...media,
    `a=framerate:${spec.fps}`,
    `a=x-dimensions:${spec.width},${spec.height}`,
    'a=control:trackID=0',
    'a=recvonly',
    '',
  ].join('\r\n');
}
