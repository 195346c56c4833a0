// `vcgw doctor --cameras`: each camera's main stream read for a few seconds with ffprobe: reachable,
// credentials accepted, decodable, with its codec, size, frame rate and bitrate.
import { withCredentials } from '../modules/cameraEncoding/cameraStreams.js';
import { measureStream } from '../protocols/ffmpeg/measure.js';
import { redactUrl } from '../log.js';
import type { StoredCamera } from '../store/cameras.js';
import type { Check } from './doctorCheck.js';

const SECONDS = 3;

function fixFor(message: string): string {
  if (/401|403|Unauthorized|Forbidden/i.test(message)) return 'credentials refused: check the user and password in rtspMain (or onvifUser/onvifPassword)';
  if (/refused|timed out|timeout|No route|unreachable/i.test(message)) return 'not reachable: check the camera is powered, its address and the camera network switch (ping it)';
  if (/404|not found/i.test(message)) return 'the stream path is wrong: read the URI with `vcgw cameras show` or the ONVIF profile';
  return 'open the stream in VLC from this box to see what the camera sends';
}

export async function cameraStreamCheck(cam: Pick<StoredCamera, 'id' | 'access'>, ffprobe: string | undefined): Promise<Check> {
  const check = `stream ${cam.id}`;
  const url = cam.access.rtspMain;
  if (url === undefined) return { check, result: 'warn', detail: 'no rtspMain: the stream is found over ONVIF by the daemon', fix: 'vcgw cameras show to see the ONVIF stream' };
  const full = withCredentials(url, cam.access.onvifUser, cam.access.onvifPassword);
  try {
    const m = await measureStream(full, { seconds: SECONDS, ffprobePath: ffprobe, timeoutMs: SECONDS * 1000 + 10_000 });
    return { check, result: 'ok', detail: `${redactUrl(url)}: ${m.codec} ${m.width}x${m.height} ${m.fps.toFixed(1)} fps ${m.videoKbps.toFixed(0)} kbps` };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { check, result: 'FAIL', detail: `${redactUrl(url)}: ${message}`, fix: fixFor(message) };
  }
}
