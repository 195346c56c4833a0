// The media part of `vcgw cameras show`: the camera's streams, which one feeds each output and
// why, and the state of camera-side encoding — what a technician checks before blaming the cloud.
import { redactUrl } from '../log.js';
import { cameraStreamsOf, type EncoderMode } from '../modules/cameraEncoding/cameraStreams.js';
import { CONDITIONS } from '../modules/quality/types.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraQualityStore, type CameraQualityRow } from '../store/cameraQuality.js';
import type { StoredCamera } from '../store/cameras.js';
import type { Db } from '../store/db.js';

const TIER_LABEL = { low: '128 kbps', high: '1 Mbps', fourM: '4 Mbps', source: 'source' } as const;

export interface MediaView {
  lines: Array<[string, string]>;
  json: Record<string, unknown>;
}

export function mediaView(db: Db, cam: StoredCamera, defaultEncoder: EncoderMode): MediaView {
  const streams = cameraStreamsOf(db, defaultEncoder);
  const facts = streams.onvifFacts(cam);
  const list = streams.streams(cam);
  const selection = streams.selection(cam);
  const encoder = streams.encoderOf(cam);
  const enc = streams.encoding(cam);
  const lines: Array<[string, string]> = [];
  if (facts) {
    lines.push(['onvif', `${facts.manufacturer} ${facts.model} firmware ${facts.firmware} serial ${facts.serial}${facts.mac ? ` MAC ${facts.mac}` : ''}, PTZ ${facts.ptz ? 'yes' : 'no'}`]);
  }
  for (const s of list) {
    const desc = s.width ? `${s.codec ?? ''} ${s.width}x${s.height} ${s.fps} fps ${s.kbps} kb/s GOP ${s.gop}` : '(not described by ONVIF)';
    lines.push([`stream ${s.role}`, `${desc} ${redactUrl(s.url)}`]);
  }
  if (selection) {
    for (const tier of ['low', 'high', 'fourM', 'source'] as const) {
      lines.push([`output ${TIER_LABEL[tier]}`, `← ${selection[tier].stream}: ${selection[tier].why}`]);
    }
  } else {
    lines.push(['outputs', 'none: the camera has no RTSP URL and no ONVIF stream URI']);
  }
  let encText: string = encoder;
  if (encoder === 'camera') {
    if (!enc) encText = 'camera — not checked yet (the running daemon configures and verifies it within 30 s)';
    else {
      const verified = Object.entries(enc.streams).map(
        ([tier, v]) => `${tier} = ${v.stream} (${v.measured.codec} ${v.measured.width}x${v.measured.height} ${v.measured.fps} fps GOP ${v.measured.gopFrames} ${v.measured.kbps} kb/s)`,
      );
      const when = `checked ${beijingDateTime(enc.checkedAt)} (Beijing time)`;
      encText =
        enc.state === 'camera'
          ? `camera — ${verified.join(', ')}; ${when}${enc.reason ? `; ${enc.reason}` : ''}`
          : `camera, falling back to the gateway: ${enc.reason ?? 'unknown reason'}; ${when}`;
    }
  }
  lines.push(['encoder', encText]);
  const q = new CameraQualityStore(db).get(cam.record.cameraNum);
  lines.push(['quality', q ? qualityText(q) : 'not diagnosed yet (the running daemon does it within 30 s, then every quality.interval_s)']);
  return {
    lines,
    json: {
      onvif: facts ?? null,
      streams: list.map((s) => ({ ...s, url: redactUrl(s.url) })),
      outputs: selection ?? null,
      encoder,
      encoding: enc ?? null,
      quality: q ?? null,
    },
  };
}

/** The last diagnosis: its flags named with their confidences, or "normal". */
function qualityText(q: CameraQualityRow): string {
  const when = `checked ${beijingDateTime(q.checkedAt)} (Beijing time)`;
  if (q.bits[0] === '1') return `${q.bits} offline; ${when}`;
  const conf = q.confidences.split('|');
  const flagged = CONDITIONS.flatMap((c, i) => (q.bits[i + 1] === '1' ? [`${c} ${conf[i] ?? '?'} (${q.details[c] ?? ''})`] : []));
  return `${q.bits} ${flagged.length ? flagged.join(', ') : 'normal'}; ${when}${q.imageUrl ? `; image ${redactUrl(q.imageUrl)}` : ''}`;
}
