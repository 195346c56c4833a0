// A camera's streams as the media engine and `vcgw cameras show` see them: URLs typed by the
// technician win, ONVIF stream URIs fill the rest; what ONVIF says about each stream and the
// verified camera-side encoding decide which stream feeds which output.
import { CameraEncodingStore, type CameraEncodingState, type CameraEncodedTier } from '../../store/cameraEncoding.js';
import { CameraOnvifStore, type OnvifFacts } from '../../store/cameraOnvif.js';
import type { Db } from '../../store/db.js';
import type { StoredCamera } from '../../store/cameras.js';
import { STREAM_ROLES, type StreamRole } from '../../domain/camera.js';
import { selectStreams, type StreamFacts, type StreamSelection } from './streamSelection.js';
import { gbStreamUrl } from '../gb28181/pull.js';

export const ACCESS_URL: Readonly<Record<StreamRole, 'rtspMain' | 'rtspSub' | 'rtspThird'>> = { main: 'rtspMain', sub: 'rtspSub', third: 'rtspThird' };

/** ONVIF stream URIs carry no credentials; the camera's ONVIF account opens its RTSP streams too. */
export function withCredentials(url: string, user: string | undefined, password: string | undefined): string {
  if (!user) return url;
  try {
    const u = new URL(url);
    if (u.username) return url;
    u.username = user;
    if (password) u.password = password;
    return u.toString();
  } catch {
    return url;
  }
}

export type EncoderMode = 'gateway' | 'camera';

export interface CameraStreamsOptions {
  onvif: Pick<CameraOnvifStore, 'get'>;
  encoding: Pick<CameraEncodingStore, 'get'>;
  /** [media] encoder: the section default. */
  defaultEncoder: EncoderMode;
}

export class CameraStreams {
  constructor(private readonly o: CameraStreamsOptions) {}

  encoderOf(cam: StoredCamera): EncoderMode {
    return cam.access.encoder ?? this.o.defaultEncoder;
  }

  onvifFacts(cam: StoredCamera): OnvifFacts | undefined {
    return this.o.onvif.get(cam.record.cameraNum)?.facts;
  }

  /** The last camera-side encoding check, when the camera is set to encode itself. */
  encoding(cam: StoredCamera): CameraEncodingState | undefined {
    return this.encoderOf(cam) === 'camera' ? this.o.encoding.get(cam.record.cameraNum) : undefined;
  }

  streams(cam: StoredCamera): StreamFacts[] {
    const facts = this.onvifFacts(cam);
    const out: StreamFacts[] = [];
    for (const role of STREAM_ROLES) {
      const p = facts?.profiles.find((x) => x.role === role);
      // A GB/T 28181 channel is the camera's main stream when no RTSP URL says otherwise.
      const gb = role === 'main' && cam.access.gbDeviceId && cam.access.gbChannelId ? gbStreamUrl(cam.access.gbDeviceId, cam.access.gbChannelId, cam.access.gbTransport) : undefined;
      const typed = cam.access[ACCESS_URL[role]] ?? gb;
      const url = typed ?? (p?.streamUri && withCredentials(p.streamUri, cam.access.onvifUser, cam.access.onvifPassword));
      if (!url) continue;
      out.push(p ? { role, url, codec: p.encoding, width: p.width, height: p.height, fps: p.fps, kbps: p.bitrateKbps, gop: p.gop } : { role, url });
    }
    return out;
  }

  urlOf(cam: StoredCamera, role: StreamRole): string | undefined {
    return this.streams(cam).find((s) => s.role === role)?.url;
  }

  selection(cam: StoredCamera): StreamSelection | undefined {
    const enc = this.encoding(cam);
    const cameraEncoded: Partial<Record<CameraEncodedTier, StreamRole>> = {};
    for (const tier of ['low', 'high'] as const) {
      const v = enc?.streams[tier];
      if (v) cameraEncoded[tier] = v.stream;
    }
    const override: Partial<Record<CameraEncodedTier, StreamRole>> = {};
    if (cam.access.lowStream) override.low = cam.access.lowStream;
    if (cam.access.highStream) override.high = cam.access.highStream;
    return selectStreams({ streams: this.streams(cam), override, cameraEncoded });
  }
}

/** CameraStreams over the gateway database. */
export function cameraStreamsOf(db: Db, defaultEncoder: EncoderMode): CameraStreams {
  return new CameraStreams({ onvif: new CameraOnvifStore(db), encoding: new CameraEncodingStore(db), defaultEncoder });
}
