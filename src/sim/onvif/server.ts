// ONVIF camera simulator: SOAP 1.2 over HTTP with WS-Security UsernameToken, device + media services.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deviceAction } from './device.js';
import { imagingAction } from './imaging.js';
import { mediaAction } from './media.js';
import { validateDrift } from './encoder.js';
import { defaultProfiles, defaultThirdProfile, type OnvifProfile } from './profiles.js';
import { newOsdState, type OsdSimOptions, type SimOsd } from './osd.js';
import { ptzAction } from './ptz.js';
import { DigestAuth } from '../camera/digest.js';
import { checkUsernameToken, envelope, fault, NOT_AUTHORIZED, NS, SoapFaultError, type SoapFault } from './soap.js';
import { SERVICE_PATHS, type CameraState, type EncoderDrift, type ImagingState, type ProducedEncoding, type PtzState } from './state.js';
import { child, parseXml, toPlain, type PlainXml, type XmlElement } from './xml.js';

export interface OnvifCameraOptions {
  host?: string;
  /** 0 / undefined = any free port. */
  port?: number;
  user?: string;
  password?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardwareId?: string;
  mac?: string;
  hostname?: string;
  /** Stream URIs GetStreamUri advertises (each profile → the URI of its stream role, or main if absent). */
  rtsp?: { main: string; sub?: string; third?: string };
  /** Replaces the default main (1920x1080 H264 25 fps 4096k GOP 50) + sub (352x288 H264 25 fps 256k GOP 50) profiles. */
  profiles?: OnvifProfile[];
  /** Adds Profile_3 "thirdStream" (1280x720 H264 25 fps 2048k GOP 50, stream role 'third') unless `profiles` has a third stream. */
  thirdStream?: boolean;
  /**
   * Called after a SetVideoEncoderConfiguration that changed a profile's encoder, with the new
   * profile and what the encoder really produces (`encoderDrift` applied). The SOAP answer waits
   * for it; a throw restores the old config and answers a fault.
   */
  onEncoderChange?: (profile: OnvifProfile, produced: ProducedEncoding) => Promise<void> | void;
  /** Every SetVideoEncoderConfiguration answers a ter:InvalidArgVal/ter:ConfigModify fault "ConfigModify not permitted". */
  refuseEncoderChanges?: boolean;
  /** The camera reports configs faithfully but its encoder produces bitrate × bitrateFactor and GOP × gopFactor (cheap cameras that ignore BitrateLimit). */
  encoderDrift?: EncoderDrift;
  /** Initial POSIX TZ string, default 'CST-8'. */
  timeZone?: string;
  /** Initial camera clock offset from the host clock. */
  clockOffsetMs?: number;
  /**
   * Refuse UsernameTokens whose Created is further than this from the camera clock (replay protection as
   * on e.g. Axis/Hikvision firmware). Default: no check, as many cheap cameras do.
   */
  maxClockSkewMs?: number;
  /** A PTZ dome: advertises the PTZ service and adds a PTZConfiguration to every profile. Default false (fixed bullet). */
  ptz?: boolean;
  /** Auxiliary commands the PTZ node accepts; default wiper and IR lamp / white light on/off. */
  auxCommands?: string[];
  /** OSD support and limits (osd.ts); default: supported, 8 OSDs, one clock. */
  osd?: OsdSimOptions;
  /**
   * The JPEG served at the URI GetSnapshotUri advertises (HTTP GET with Digest auth, as real
   * cameras do); without it that URI answers 404.
   */
  snapshotJpeg?: () => Buffer | Promise<Buffer>;
}

export const DEFAULT_AUX_COMMANDS = ['tt:Wiper|On', 'tt:Wiper|Off', 'tt:IRLamp|On', 'tt:IRLamp|Off', 'tt:Light|On', 'tt:Light|Off'];

type Service = 'device' | 'media' | 'ptz' | 'imaging';

export interface OnvifCall {
  /** Host clock, ms since epoch. */
  at: number;
  service: Service | 'unknown';
  action: string;
  /** The action element (e.g. <SetSystemDateAndTime>) as plain data: attributes '@name', repeated children arrays. */
  body: PlainXml;
  /** Whether the call was answered (false: auth failure or fault). */
  ok: boolean;
}

export interface OnvifCamera {
  /** http://host:port/onvif/device_service */
  url: string;
  host: string;
  port: number;
  calls(): OnvifCall[];
  /** Current profiles, including changes made by SetVideoEncoderConfiguration. */
  profiles(): OnvifProfile[];
  /** Simulated camera clock = Date.now() + clockOffsetMs; SetSystemDateAndTime changes it. */
  readonly clockOffsetMs: number;
  readonly timeZone: string;
  setClockOffset(ms: number): void;
  /** PTZ state (position, last velocity, auxiliary commands sent), undefined without `ptz: true`. */
  ptz(): PtzState | undefined;
  imaging(): ImagingState;
  /** Current OSDs, as CreateOSD/SetOSD/DeleteOSD left them. */
  osds(): SimOsd[];
  /** Turns OSD support off (ActionNotSupported) or on, e.g. to test retries. */
  setOsdSupported(supported: boolean): void;
  /** Locks (or unlocks) the encoder from the next SetVideoEncoderConfiguration on. */
  setRefuseEncoderChanges(refuse: boolean): void;
  close(): Promise<void>;
}

const SERVICE_BY_NS: Record<string, Service> = { [NS.tds]: 'device', [NS.trt]: 'media', [NS.tptz]: 'ptz', [NS.timg]: 'imaging' };
/** Real cameras answer this one without credentials so clients can learn the clock before signing. */
const UNAUTHENTICATED = new Set(['device:GetSystemDateAndTime']);

function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy(new Error('request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startOnvifCamera(opts: OnvifCameraOptions = {}): Promise<OnvifCamera> {
  const host = opts.host ?? '127.0.0.1';
  const user = opts.user ?? 'admin';
  const password = opts.password ?? 'admin123';
  const log: OnvifCall[] = [];
  validateDrift(opts.encoderDrift);
  // Copies: SetVideoEncoderConfiguration changes them, and the caller's objects must stay as given.
  const profiles = (opts.profiles ?? defaultProfiles()).map((p) => ({ ...p, encoder: { ...p.encoder } }));
  if (opts.thirdStream && !profiles.some((p) => p.stream === 'third')) profiles.push(defaultThirdProfile());
  const state: CameraState = {
    identity: {
      manufacturer: opts.manufacturer ?? 'SimCam',
      model: opts.model ?? 'SC-2100',
      firmware: opts.firmware ?? 'V5.6.3 build 240101',
      serial: opts.serial ?? 'SC2100-0001',
      hardwareId: opts.hardwareId ?? '88',
      mac: opts.mac ?? '02:00:00:00:00:01',
      hostname: opts.hostname ?? 'simcam',
    },
    base: '',
    rtsp: opts.rtsp ?? { main: `rtsp://${host}:554/main`, sub: `rtsp://${host}:554/sub` },
    snapshotBase: '',
    profiles,
    clockOffsetMs: opts.clockOffsetMs ?? 0,
    timeZone: opts.timeZone ?? 'CST-8',
    dateTimeType: 'Manual',
    ptz: opts.ptz
      ? { position: { x: 0, y: 0, zoom: 0 }, velocity: { x: 0, y: 0, zoom: 0 }, auxCommands: [], supportedAux: opts.auxCommands ?? DEFAULT_AUX_COMMANDS }
      : undefined,
    imaging: { focusPosition: 0.5, brightness: 50, irCutFilter: 'AUTO', exposureMode: 'AUTO', iris: 0 },
    encoder: { refuse: opts.refuseEncoderChanges ?? false, drift: { ...opts.encoderDrift }, onChange: opts.onEncoderChange, queue: Promise.resolve() },
    osd: newOsdState(opts.osd),
  };

  const answer = (res: http.ServerResponse, status: number, xml: string): void => {
    res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
    res.end(xml);
  };

  const handle = async (raw: string, res: http.ServerResponse): Promise<void> => {
    let env: XmlElement;
    try {
      env = parseXml(raw);
    } catch (e) {
      answer(res, 400, fault({ status: 400, code: 'Sender', subcodes: ['ter:WellFormed'], reason: (e as Error).message }));
      return;
    }
    const actionEl = child(env, 'Body')?.children[0];
    const service = (actionEl && SERVICE_BY_NS[actionEl.ns]) ?? 'unknown';
    const action = actionEl?.name ?? '';
    const call: OnvifCall = { at: Date.now(), service, action, body: actionEl ? toPlain(actionEl) : '', ok: false };
    log.push(call);
    const fail = (f: SoapFault): void => answer(res, f.status, fault(f));
    if (!actionEl) return fail({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal'], reason: 'empty Body' });
    const now = Date.now();
    if (!UNAUTHENTICATED.has(`${service}:${action}`)) {
      const why = checkUsernameToken(env, { user, password, cameraNow: now + state.clockOffsetMs, maxClockSkewMs: opts.maxClockSkewMs });
      if (why !== undefined) return fail(NOT_AUTHORIZED);
    }
    try {
      const out = await (service === 'device'
        ? deviceAction(action, actionEl, state, now)
        : service === 'media'
          ? mediaAction(action, actionEl, state)
          : service === 'ptz'
            ? ptzAction(action, actionEl, state)
            : service === 'imaging'
              ? imagingAction(action, actionEl, state)
              : undefined);
      if (out === undefined) {
        return fail({ status: 500, code: 'Receiver', subcodes: ['ter:ActionNotSupported'], reason: `${action} not supported` });
      }
      call.ok = true;
      answer(res, 200, envelope(out));
    } catch (e) {
      if (e instanceof SoapFaultError) return fail(e.fault);
      fail({ status: 500, code: 'Receiver', subcodes: ['ter:Action'], reason: (e as Error).message });
    }
  };

  const digest = new DigestAuth(user, password);
  const snapshot = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!digest.verify('GET', req.headers.authorization ?? '')) {
      res.writeHead(401, { 'WWW-Authenticate': digest.challenge() }).end();
      return;
    }
    if (!opts.snapshotJpeg) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve()
      .then(() => opts.snapshotJpeg!())
      .then((jpeg) => res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg))
      .catch((e: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e)));
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === '/onvif/snapshot') {
      snapshot(req, res);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    readBody(req)
      .then((raw) => handle(raw, res))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  state.base = `http://${host}:${port}`;
  state.snapshotBase = `${state.base}/onvif/snapshot`;

  return {
    url: state.base + SERVICE_PATHS.device,
    host,
    port,
    calls: () => log.slice(),
    profiles: () => state.profiles.map((p) => ({ ...p, encoder: { ...p.encoder } })),
    get clockOffsetMs() {
      return state.clockOffsetMs;
    },
    get timeZone() {
      return state.timeZone;
    },
    setClockOffset(ms: number) {
      state.clockOffsetMs = ms;
    },
    ptz: () => (state.ptz ? structuredClone(state.ptz) : undefined),
    imaging: () => structuredClone(state.imaging),
    osds: () => structuredClone(state.osd.osds),
    setOsdSupported(supported: boolean) {
      state.osd.supported = supported;
    },
    setRefuseEncoderChanges(refuse: boolean) {
      state.encoder.refuse = refuse;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
