// One complete simulated camera: RTSP streams, optionally the ONVIF services and a WS-Discovery
// responder, wired so that an ONVIF encoder change really changes the stream on the wire.
import type { Logger } from 'pino';
import { ensureClip, MAIN_1080P_H264, startRtspCamera, SUB_CIF_H264, type ClipSpec, type RtspCamera } from './camera/index.js';
import { STREAM_ROLES, type StreamRole } from '../domain/camera.js';
import { spawnInOwnGroup } from '../protocols/ffmpeg/childGroup.js';
import {
  defaultProfiles,
  producedEncoding,
  startDiscoveryResponder,
  startOnvifCamera,
  type DiscoveryResponder,
  type DiscoveryResponderOptions,
  type OnvifCamera,
  type OnvifCameraOptions,
  type OnvifProfile,
  type ProducedEncoding,
  validateDrift,
} from './onvif/index.js';

/** The third stream's default, as ONVIF Profile_3 describes it: 1280x720 H264 25 fps 2048k GOP 50. */
export const THIRD_720P_H264: Readonly<ClipSpec> = Object.freeze({ codec: 'h264', width: 1280, height: 720, fps: 25, bitrateKbps: 2048, gopFrames: 50, seconds: 10 });


export type SimOnvifOptions = Omit<OnvifCameraOptions, 'host' | 'rtsp' | 'thirdStream' | 'onEncoderChange'>;

export interface SimCameraOptions {
  /** Address of every service; default 127.0.0.1. */
  host?: string;
  /** RTSP port; 0 / undefined = any free port. */
  rtspPort?: number;
  /** Main stream clip; default: from the ONVIF main profile when `onvif.profiles` has one, else 1080p H.264 4 Mb/s. */
  main?: ClipSpec;
  /** Sub stream clip, or false for none; default: from the ONVIF sub profile when `onvif.profiles` is given, else CIF 256k. */
  sub?: ClipSpec | false;
  /** Third stream: a clip, true for the default 720p 2048k, false for none; default: only when `onvif.profiles` has a third profile. */
  third?: ClipSpec | boolean;
  /** RTSP Digest credentials; default: no RTSP authentication. */
  rtspCredentials?: { user: string; password: string };
  /** Starts the ONVIF services (true = defaults: admin / admin123, fixed bullet). H.265 streams cannot be described by ONVIF ver10. */
  onvif?: SimOnvifOptions | boolean;
  /** Answers WS-Discovery probes for the ONVIF device (needs `onvif`); default port 3702. */
  discovery?: Omit<DiscoveryResponderOptions, 'xaddrs'> | boolean;
  cacheDir?: string;
  ffmpegPath?: string;
  sessionTimeoutS?: number;
  log?: Logger;
}

export interface SimCamera {
  rtsp: RtspCamera;
  onvif?: OnvifCamera;
  discovery?: DiscoveryResponder;
  /** The stream roles served, in main, sub, third order. */
  streams: StreamRole[];
  /** rtsp://…/main|sub|third; throws for a stream the camera does not serve. */
  url(stream: StreamRole, withCredentials?: boolean): string;
  /** The clip a stream replays now (after encoder changes and drift). */
  clip(stream: StreamRole): ClipSpec;
  close(): Promise<void>;
}

/** The clip an ONVIF encoder config stands for; `like` gives what the config has no word for (length, picture). */
export function clipFromEncoder(e: ProducedEncoding, like: Pick<ClipSpec, 'seconds' | 'pattern'>): ClipSpec {
  return {
    codec: 'h264',
    width: e.width,
    height: e.height,
    fps: e.frameRateLimit,
    bitrateKbps: e.bitrateLimit,
    gopFrames: e.govLength,
    seconds: like.seconds,
    ...(like.pattern ? { pattern: like.pattern } : {}),
  };
}

/** `p` describing the nominal clip `c` — what the camera reports; its limits admit the clip's size. */
function describe(p: OnvifProfile, c: ClipSpec): OnvifProfile {
  const sizes = p.limits.resolutions.some((r) => r.width === c.width && r.height === c.height)
    ? p.limits.resolutions
    : [...p.limits.resolutions, { width: c.width, height: c.height }];
  return {
    ...p,
    encoder: { ...p.encoder, width: c.width, height: c.height, frameRateLimit: c.fps, bitrateLimit: c.bitrateKbps, govLength: c.gopFrames },
    limits: { ...p.limits, resolutions: sizes },
  };
}

const DEFAULT_CLIP: Record<StreamRole, Readonly<ClipSpec>> = { main: MAIN_1080P_H264, sub: SUB_CIF_H264, third: THIRD_720P_H264 };

/** The nominal clip of each served stream (what the camera is configured to send). */
function nominalClips(opts: SimCameraOptions, given: OnvifProfile[] | undefined): Map<StreamRole, ClipSpec> {
  const fromProfile = (role: StreamRole): ClipSpec | undefined => {
    const p = given?.find((x) => x.stream === role);
    return p && clipFromEncoder(p.encoder, DEFAULT_CLIP[role]);
  };
  const pick = (role: StreamRole, o: ClipSpec | boolean | undefined, onByDefault: boolean): ClipSpec | undefined => {
    if (o === false) return undefined;
    if (typeof o === 'object') return o;
    return fromProfile(role) ?? (o === true || (onByDefault && !given) ? DEFAULT_CLIP[role] : undefined);
  };
  const out = new Map<StreamRole, ClipSpec>();
  out.set('main', pick('main', opts.main, true) ?? DEFAULT_CLIP.main);
  const sub = pick('sub', opts.sub, true);
  if (sub) out.set('sub', sub);
  const third = pick('third', opts.third, false);
  if (third) out.set('third', third);
  return out;
}

/** The first frame of `clip` as a JPEG (what the camera's snapshot URI serves), at the clip's size. */
export async function renderClipJpeg(clip: ClipSpec, opts: { cacheDir?: string; ffmpegPath?: string } = {}): Promise<Buffer> {
  const file = await ensureClip(clip, opts);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-q:v', '3', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1'];
  const { child, exited } = spawnInOwnGroup(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const out: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  await exited;
  if (child.exitCode !== 0 || out.length === 0) throw new Error(`sim camera: could not render a JPEG of ${file}`);
  return Buffer.concat(out);
}

export async function startSimCamera(opts: SimCameraOptions = {}): Promise<SimCamera> {
  const host = opts.host ?? '127.0.0.1';
  const onvifOpts: SimOnvifOptions | undefined = opts.onvif === true ? {} : opts.onvif || undefined;
  if (opts.discovery && !onvifOpts) throw new Error('sim camera: discovery needs the ONVIF service');
  const nominal = nominalClips(opts, onvifOpts?.profiles);
  if (onvifOpts) {
    const h265 = [...nominal].find(([, c]) => c.codec !== 'h264');
    if (h265) throw new Error(`sim camera: the ${h265[0]} stream is ${h265[1].codec}, which ONVIF Media (ver10) cannot describe`);
  }
  validateDrift(onvifOpts?.encoderDrift);
  // A drifting encoder drifts from the start, not only after a change.
  const served = new Map<StreamRole, ClipSpec>();
  for (const [role, c] of nominal) {
    const nominalEncoding = { width: c.width, height: c.height, frameRateLimit: c.fps, bitrateLimit: c.bitrateKbps, govLength: c.gopFrames };
    served.set(role, { ...clipFromEncoder(producedEncoding(nominalEncoding, onvifOpts?.encoderDrift), c), codec: c.codec });
  }

  const closers: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const rtsp = await startRtspCamera({
      host,
      port: opts.rtspPort,
      streams: [...served].map(([path, clip]) => ({ path, clip })),
      ...(opts.rtspCredentials ?? {}),
      cacheDir: opts.cacheDir,
      ffmpegPath: opts.ffmpegPath,
      sessionTimeoutS: opts.sessionTimeoutS,
      log: opts.log,
    });
    closers.push(() => rtsp.close());
    const streams = STREAM_ROLES.filter((r) => served.has(r));
    const url = (stream: StreamRole, withCredentials = false): string => {
      if (!served.has(stream)) throw new Error(`sim camera: no ${stream} stream`);
      return rtsp.url(stream, withCredentials);
    };

    let onvif: OnvifCamera | undefined;
    let discovery: DiscoveryResponder | undefined;
    if (onvifOpts) {
      const base = onvifOpts.profiles ?? defaultProfiles({ thirdStream: served.has('third') });
      const profiles = base.filter((p) => nominal.has(p.stream)).map((p) => describe(p, nominal.get(p.stream)!));
      for (const role of streams) {
        if (!profiles.some((p) => p.stream === role)) throw new Error(`sim camera: no ONVIF profile describes the ${role} stream`);
      }
      // The snapshot URI shows the main stream's current picture, rendered once per clip.
      const jpegs = new Map<string, Promise<Buffer>>();
      const mainJpeg = (): Promise<Buffer> => {
        const clip = served.get('main')!;
        const key = JSON.stringify(clip);
        let p = jpegs.get(key);
        if (!p) {
          p = renderClipJpeg(clip, { cacheDir: opts.cacheDir, ffmpegPath: opts.ffmpegPath });
          p.catch(() => jpegs.delete(key));
          jpegs.set(key, p);
        }
        return p;
      };
      onvif = await startOnvifCamera({
        snapshotJpeg: mainJpeg,
        ...onvifOpts,
        host,
        profiles,
        rtsp: { main: rtsp.url('main'), ...Object.fromEntries(streams.filter((r) => r !== 'main').map((r) => [r, rtsp.url(r)])) },
        // The camera restarts the stream before it answers, as real ones do.
        onEncoderChange: async (profile, produced) => {
          const cur = served.get(profile.stream);
          if (!cur) return;
          const next = clipFromEncoder(produced, cur);
          await rtsp.setClip(profile.stream, next);
          served.set(profile.stream, next);
        },
      });
      const cam = onvif;
      closers.push(() => cam.close());
      if (opts.discovery) {
        const d = await startDiscoveryResponder({ ...(opts.discovery === true ? {} : opts.discovery), xaddrs: [cam.url] });
        discovery = d;
        closers.push(() => d.close());
      }
    }

    return {
      rtsp,
      ...(onvif ? { onvif } : {}),
      ...(discovery ? { discovery } : {}),
      streams,
      url,
      clip(stream: StreamRole): ClipSpec {
        const c = served.get(stream);
        if (!c) throw new Error(`sim camera: no ${stream} stream`);
        return { ...c };
      },
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
