// Promise-based, typed ONVIF device client over agsh/onvif (the well-kept npm client), smoothing its quirks.
import { newCam, type CamCallback, type RawCam, type RawEncoder, type RawOsd, type RawOsdOptions } from './cam.js';
import { classify, OnvifError } from './errors.js';

export interface OnvifConnectOptions {
  /** Device service URL, e.g. http://10.0.0.5/onvif/device_service; or hostname + port. */
  url?: string;
  hostname?: string;
  port?: number;
  user: string;
  password: string;
  /** Per-call limit; default 5000 ms. */
  timeoutMs?: number;
}

export interface OnvifInfo {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
}

export interface OnvifCapabilities {
  ptz: boolean;
  imaging: boolean;
  media2: boolean;
}

export interface OnvifProfileInfo {
  token: string;
  name: string;
  encoding: 'H264' | 'H265' | 'JPEG' | string;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gop: number;
  encoderToken: string;
}

export interface OnvifClock {
  cameraUtcMs: number;
  /** camera − gateway, estimated at the middle of the round trip. */
  driftMs: number;
}

export interface OnvifEncoderSettings {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gop: number;
  encoding: 'H264';
}

export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

/** Preset corners, or ONVIF's normalised Custom position: x -1 (left) … 1 (right), y -1 (bottom) … 1 (top). */
export type OsdPosition = 'UpperLeft' | 'UpperRight' | 'LowerLeft' | 'LowerRight' | { x: number; y: number };

/** What a text OSD shows: fixed text, or the camera's own clock in the given formats. */
export type OsdText = { plain: string } | { dateFormat: string; timeFormat: string };

export interface OnvifOsd {
  token: string;
  videoSourceConfigurationToken: string;
  /** 'Text' or 'Image' (image OSDs are listed, never written by this layer). */
  type: string;
  position: OsdPosition | { preset: string };
  /** Text OSDs: 'Plain', 'Date', 'Time', 'DateAndTime'. */
  textType?: string;
  plainText?: string;
  dateFormat?: string;
  timeFormat?: string;
  fontSize?: number;
}

export interface TextOsdSettings {
  position: OsdPosition;
  text: OsdText;
  /** Camera-defined unit (most firmware: pixels of the main stream); omitted = camera default. */
  fontSize?: number;
  /** Defaults to the video source configuration of the camera's first profile. */
  videoSourceConfigurationToken?: string;
}

export interface OnvifOsdOptions {
  /** Totals the camera allows; undefined where it does not say. */
  max: { total?: number; plainText?: number; dateAndTime?: number };
  positions: string[];
  textTypes: string[];
  fontSizeRange?: { min: number; max: number };
  dateFormats: string[];
  timeFormats: string[];
}

export interface OnvifExposure {
  mode: string | undefined;
  iris: number | undefined;
  minIris: number | undefined;
  maxIris: number | undefined;
}

export interface OnvifDevice {
  /** host:port the device service is on. */
  readonly address: string;
  info(): Promise<OnvifInfo>;
  /** MAC of the first network interface, lower case; undefined if the camera reports none. */
  networkMac(): Promise<string | undefined>;
  capabilities(): OnvifCapabilities;
  profiles(): Promise<OnvifProfileInfo[]>;
  streamUri(profileToken: string): Promise<string>;
  snapshotUri(profileToken: string): Promise<string>;
  clock(): Promise<OnvifClock>;
  setClock(now?: number, tz?: string): Promise<{ driftBeforeMs: number }>;
  setEncoder(encoderToken: string, s: OnvifEncoderSettings): Promise<void>;
  /** `timeoutMs`: the camera ends the move by itself after this (ONVIF Timeout), should our Stop be lost. */
  continuousMove(profileToken: string, v: PtzVelocity, timeoutMs?: number): Promise<void>;
  stop(profileToken: string): Promise<void>;
  relativeMove(profileToken: string, v: PtzVelocity): Promise<void>;
  /** Auxiliary commands the PTZ nodes advertise (GetNodes), e.g. ['tt:Wiper|On', 'tt:IRLamp|On']; [] when none are listed. */
  auxiliaryCommands(): Promise<string[]>;
  /** e.g. 'tt:Wiper|On'; profileToken defaults to the camera's first profile. */
  auxiliary(command: string, profileToken?: string): Promise<void>;
  focusMove(speed: number): Promise<void>;
  focusStop(): Promise<void>;
  setIris(value: number): Promise<void>;
  /** Exposure mode and iris (dB, 0 = open) with its range, as the camera reports them; fields it omits are undefined. */
  exposure(): Promise<OnvifExposure>;
  /** Every OSD of the camera's video source configurations (Media GetOSDs). */
  osds(): Promise<OnvifOsd[]>;
  osdOptions(): Promise<OnvifOsdOptions>;
  /** Creates a text OSD; resolves to the token the camera gave it. */
  createTextOsd(s: TextOsdSettings): Promise<string>;
  /** Rewrites the text OSD `token` (position, text, size). */
  setTextOsd(token: string, s: TextOsdSettings): Promise<void>;
  deleteOsd(token: string): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5000;
const CONNECT_REQUESTS = 6;

function target(o: OnvifConnectOptions): { hostname: string; port: number; path?: string } {
  if (o.url !== undefined) {
    const u = new URL(o.url);
    return { hostname: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80, path: u.pathname };
  }
  if (o.hostname === undefined) throw new TypeError('connectOnvif needs url or hostname');
  return { hostname: o.hostname, port: o.port ?? 80 };
}

type Invoke = <T>(call: string, fn: (cb: CamCallback<T>) => void, budgetMs?: number) => Promise<T>;

/** What a Cam method's callback receives (generic inference cannot see through the contextual callback). */
type Res<K extends keyof RawCam> = RawCam[K] extends ((...a: infer A) => void) | undefined ? (A extends [...unknown[], CamCallback<infer T>] ? T : never) : never;

/** Runs one callback-style Cam call, settling once, bounded by our own timer (the library's only covers socket idle). */
function invoker(address: string, timeoutMs: number): Invoke {
  return <T>(call: string, fn: (cb: CamCallback<T>) => void, budgetMs = timeoutMs): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let done = false;
      // A grace period past the budget lets the library's own socket timeout report first (same kind, more detail).
      const timer = setTimeout(() => finish(new OnvifError('timeout', address, call, `no answer within ${budgetMs} ms`)), budgetMs + 250);
      const finish = (err: Error | null, v?: T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(v as T);
      };
      try {
        fn((err, value, xml) => finish(err ? classify(err, xml, address, call) : null, value));
      } catch (e) {
        finish(classify(e, undefined, address, call));
      }
    });
}

export async function connectOnvif(o: OnvifConnectOptions): Promise<OnvifDevice> {
  const t = target(o);
  const address = `${t.hostname}:${t.port}`;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cam = newCam({ hostname: t.hostname, port: t.port, path: t.path, username: o.user, password: o.password, timeout: timeoutMs });
  cam.on('error', () => {}); // the library emits 'error' for some failures it also reports by callback
  const invoke = invoker(address, timeoutMs);
  // connect is a chain of requests (clock, services, capabilities, profiles, sources), each bounded by the library.
  await invoke('connect', (cb) => cam.connect(cb), CONNECT_REQUESTS * timeoutMs);
  return new Device(cam, address, invoke);
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

const list = <T>(v: T | T[] | undefined | null | ''): T[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** linerase turns "123" into 123, "true" into true and ISO stamps into Dates; OSD text wants the string back. */
function text(v: unknown): string | undefined {
  if (v === undefined || v === null || typeof v === 'object' && !(v instanceof Date)) return undefined;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** The library pastes option values into the SOAP body unescaped. */
const xmlText = (s: string): string => s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);

function osdFromRaw(r: RawOsd): OnvifOsd {
  const ts = r.textString;
  const preset = text(r.position?.type) ?? '';
  const pos = r.position?.pos?.$;
  const position: OnvifOsd['position'] =
    preset === 'Custom' && pos ? { x: num(pos.x), y: num(pos.y) } : ['UpperLeft', 'UpperRight', 'LowerLeft', 'LowerRight'].includes(preset) ? (preset as OsdPosition) : { preset };
  const osd: OnvifOsd = { token: r.$?.token ?? '', videoSourceConfigurationToken: text(r.videoSourceConfigurationToken) ?? '', type: text(r.type) ?? '', position };
  if (ts) {
    const t = text(ts.type);
    if (t !== undefined) osd.textType = t;
    const plain = text(ts.plainText);
    if (plain !== undefined) osd.plainText = plain;
    const df = text(ts.dateFormat);
    if (df !== undefined) osd.dateFormat = df;
    const tf = text(ts.timeFormat);
    if (tf !== undefined) osd.timeFormat = tf;
    if (ts.fontSize !== undefined) osd.fontSize = num(ts.fontSize);
  }
  return osd;
}

function gopOf(e: RawEncoder): number {
  return num(e.H264?.govLength ?? e.H265?.govLength ?? e.MPEG4?.govLength);
}

class Device implements OnvifDevice {
  constructor(
    private readonly cam: RawCam,
    readonly address: string,
    private readonly invoke: Invoke,
  ) {}

  async info(): Promise<OnvifInfo> {
    const d = await this.invoke<Res<'getDeviceInformation'>>('GetDeviceInformation', (cb) => this.cam.getDeviceInformation(cb));
    const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
    return { manufacturer: s(d.manufacturer), model: s(d.model), firmware: s(d.firmwareVersion), serial: s(d.serialNumber), hardwareId: s(d.hardwareId) };
  }

  async networkMac(): Promise<string | undefined> {
    const ifs = await this.invoke<Res<'getNetworkInterfaces'>>('GetNetworkInterfaces', (cb) => this.cam.getNetworkInterfaces(cb));
    const mac = ifs.map((i) => i?.info?.hwAddress).find((m) => typeof m === 'string' && m !== '');
    return mac?.toLowerCase();
  }

  capabilities(): OnvifCapabilities {
    const uri = this.cam.uri ?? {};
    return { ptz: Boolean(uri['ptz']), imaging: Boolean(uri['imaging']), media2: Boolean(this.cam.media2Support && uri['media2']) };
  }

  async profiles(): Promise<OnvifProfileInfo[]> {
    const ps = await this.invoke<Res<'getProfiles'>>('GetProfiles', (cb) => this.cam.getProfiles(cb));
    return (Array.isArray(ps) ? ps : [ps]).map((p) => {
      const e = p.videoEncoderConfiguration;
      return {
        token: p.$.token,
        name: p.name === undefined ? '' : String(p.name),
        encoding: e?.encoding === undefined ? '' : String(e.encoding),
        width: num(e?.resolution?.width),
        height: num(e?.resolution?.height),
        fps: num(e?.rateControl?.frameRateLimit),
        bitrateKbps: num(e?.rateControl?.bitrateLimit),
        gop: e ? gopOf(e) : 0,
        encoderToken: e?.$?.token ?? '',
      };
    });
  }

  async streamUri(profileToken: string): Promise<string> {
    const r = await this.invoke<Res<'getStreamUri'>>('GetStreamUri', (cb) => this.cam.getStreamUri({ protocol: 'RTSP', profileToken }, cb));
    return r.uri;
  }

  async snapshotUri(profileToken: string): Promise<string> {
    const r = await this.invoke<Res<'getSnapshotUri'>>('GetSnapshotUri', (cb) => this.cam.getSnapshotUri({ profileToken }, cb));
    return r.uri;
  }

  async clock(): Promise<OnvifClock> {
    const t0 = Date.now();
    const d = await this.invoke<Res<'getSystemDateAndTime'>>('GetSystemDateAndTime', (cb) => this.cam.getSystemDateAndTime(cb));
    const t1 = Date.now();
    const cameraUtcMs = d.getTime();
    return { cameraUtcMs, driftMs: cameraUtcMs - Math.round((t0 + t1) / 2) };
  }

  async setClock(now: number = Date.now(), tz = 'CST-8'): Promise<{ driftBeforeMs: number }> {
    const calledAt = Date.now();
    const before = await this.clock();
    // The caller's `now` ages while we read the clock first; send it advanced by that much.
    const sendAt = now + (Date.now() - calledAt);
    await this.invoke('SetSystemDateAndTime', (cb) =>
      this.cam.setSystemDateAndTime({ dateTime: new Date(sendAt), dateTimeType: 'Manual', daylightSavings: false, timezone: tz }, cb),
    );
    // The library learns the camera clock only once and signs with it; make it re-learn.
    this.cam.timeShift = undefined;
    await this.clock();
    return { driftBeforeMs: before.driftMs };
  }

  async setEncoder(encoderToken: string, s: OnvifEncoderSettings): Promise<void> {
    const cur = await this.invoke<Res<'getVideoEncoderConfiguration'>>('GetVideoEncoderConfiguration', (cb) => this.cam.getVideoEncoderConfiguration(encoderToken, cb));
    const conf: Record<string, unknown> = {
      token: encoderToken,
      name: cur.name,
      encoding: s.encoding,
      resolution: { width: s.width, height: s.height },
      quality: cur.quality,
      rateControl: { frameRateLimit: s.fps, encodingInterval: cur.rateControl?.encodingInterval ?? 1, bitrateLimit: s.bitrateKbps },
      H264: { govLength: s.gop, profile: cur.H264?.H264Profile },
    };
    await this.invoke('SetVideoEncoderConfiguration', (cb) => this.cam.setVideoEncoderConfiguration(conf, cb));
  }

  /**
   * The library's OSD calls (0.8.3) need help: text is not XML-escaped, GetOSDOptions and CreateOSD
   * read the source token from a misspelt key (videoSourceConfiguationToken) while SetOSD reads the
   * right one, and a colour with a 0 component is silently dropped (so none is sent: camera default).
   */
  private osdOptionsOf(s: TextOsdSettings, token?: string): RawOsdOptions {
    const source = s.videoSourceConfigurationToken ?? this.cam.activeSource?.videoSourceConfigurationToken;
    if (!source) throw new OnvifError('unsupported', this.address, token ? 'SetOSD' : 'CreateOSD', 'camera reports no video source configuration');
    const o: RawOsdOptions = { videoSourceConfigurationToken: source, videoSourceConfiguationToken: source, position: s.position };
    if (token !== undefined) o.OSDToken = xmlText(token);
    if ('plain' in s.text) o.plaintext = xmlText(s.text.plain);
    else {
      o.dateFormat = xmlText(s.text.dateFormat);
      o.timeFormat = xmlText(s.text.timeFormat);
    }
    if (s.fontSize !== undefined && s.fontSize > 0) o.fontSize = Math.round(s.fontSize);
    return o;
  }

  async osds(): Promise<OnvifOsd[]> {
    const r = await this.invoke<Res<'getOSDs'>>('GetOSDs', (cb) => this.cam.getOSDs('', cb));
    const resp = r?.getOSDsResponse;
    // With one OSD linerase drops the array (the library re-wraps it); with none the library wraps `undefined`.
    const raw = typeof resp === 'object' && resp !== null ? list(resp.OSDs) : [];
    return raw.filter((o): o is RawOsd => typeof o === 'object' && o !== null).map(osdFromRaw);
  }

  async osdOptions(): Promise<OnvifOsdOptions> {
    const source = this.cam.activeSource?.videoSourceConfigurationToken;
    const r = await this.invoke<Res<'getOSDOptions'>>('GetOSDOptions', (cb) => this.cam.getOSDOptions({ videoSourceConfiguationToken: source }, cb));
    const o = ((r?.getOSDOptionsResponse as { OSDOptions?: Record<string, unknown> } | undefined)?.OSDOptions ?? {}) as {
      maximumNumberOfOSDs?: { $?: Record<string, unknown> };
      positionOption?: unknown;
      textOption?: { type?: unknown; fontSizeRange?: { min?: unknown; max?: unknown }; dateFormat?: unknown; timeFormat?: unknown };
    };
    const max = o.maximumNumberOfOSDs?.$ ?? {};
    const opt = (k: string): number | undefined => (max[k] === undefined ? undefined : num(max[k]));
    const strings = (v: unknown): string[] => list(v as unknown[]).map(text).filter((x): x is string => x !== undefined);
    const range = o.textOption?.fontSizeRange;
    return {
      max: { total: opt('Total'), plainText: opt('PlainText'), dateAndTime: opt('DateAndTime') },
      positions: strings(o.positionOption),
      textTypes: strings(o.textOption?.type),
      ...(range && range.min !== undefined && range.max !== undefined ? { fontSizeRange: { min: num(range.min), max: num(range.max) } } : {}),
      dateFormats: strings(o.textOption?.dateFormat),
      timeFormats: strings(o.textOption?.timeFormat),
    };
  }

  async createTextOsd(s: TextOsdSettings): Promise<string> {
    const o = this.osdOptionsOf(s);
    const r = await this.invoke<Res<'createOSD'>>('CreateOSD', (cb) => this.cam.createOSD(o, cb));
    const token = text(r?.createOSDResponse?.OSDToken);
    if (!token) throw new OnvifError('fault', this.address, 'CreateOSD', 'the camera answered without an OSDToken');
    return token;
  }

  async setTextOsd(token: string, s: TextOsdSettings): Promise<void> {
    const o = this.osdOptionsOf(s, token);
    await this.invoke('SetOSD', (cb) => this.cam.setOSD(o, cb));
  }

  async deleteOsd(token: string): Promise<void> {
    await this.invoke('DeleteOSD', (cb) => this.cam.deleteOSD(xmlText(token), cb));
  }

  private needPtz(call: string): void {
    if (!this.cam.uri?.['ptz']) throw new OnvifError('unsupported', this.address, call, 'camera has no PTZ service');
  }

  private needImaging(call: string): { token: string } {
    if (!this.cam.uri?.['imaging']) throw new OnvifError('unsupported', this.address, call, 'camera has no imaging service');
    const token = this.cam.activeSource?.sourceToken;
    if (!token) throw new OnvifError('unsupported', this.address, call, 'camera reports no video source');
    return { token };
  }

  async continuousMove(profileToken: string, v: PtzVelocity, timeoutMs?: number): Promise<void> {
    this.needPtz('ContinuousMove');
    await this.invoke('ContinuousMove', (cb) => this.cam.continuousMove({ profileToken, x: v.pan, y: v.tilt, zoom: v.zoom, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, cb));
  }

  async stop(profileToken: string): Promise<void> {
    this.needPtz('Stop');
    await this.invoke('Stop', (cb) => this.cam.stop({ profileToken, panTilt: true, zoom: true }, cb));
  }

  async relativeMove(profileToken: string, v: PtzVelocity): Promise<void> {
    this.needPtz('RelativeMove');
    await this.invoke('RelativeMove', (cb) => this.cam.relativeMove({ profileToken, x: v.pan, y: v.tilt, zoom: v.zoom }, cb));
  }

  async auxiliaryCommands(): Promise<string[]> {
    this.needPtz('GetNodes');
    const nodes = await this.invoke<Res<'getNodes'>>('GetNodes', (cb) => this.cam.getNodes(cb));
    // The library flattens a one-element list to its element.
    return Object.values(nodes ?? {}).flatMap((n) => {
      const a = n?.auxiliaryCommands;
      return (Array.isArray(a) ? a : a === undefined || a === null ? [] : [a]).map(String);
    });
  }

  async auxiliary(command: string, profileToken = this.cam.activeSource?.profileToken): Promise<void> {
    this.needPtz('SendAuxiliaryCommand');
    await this.invoke('SendAuxiliaryCommand', (cb) => this.cam.ptzSendAuxiliaryCommand({ profileToken, data: command }, cb));
  }

  async focusMove(speed: number): Promise<void> {
    const { token } = this.needImaging('Move');
    await this.invoke('Move', (cb) => this.cam.imagingMove({ token, continuous: { speed } }, cb));
  }

  async focusStop(): Promise<void> {
    const { token } = this.needImaging('Stop');
    await this.invoke('Stop', (cb) => this.cam.imagingStop({ token }, cb));
  }

  async exposure(): Promise<OnvifExposure> {
    const { token } = this.needImaging('GetImagingSettings');
    const st = await this.invoke<Res<'getImagingSettings'>>('GetImagingSettings', (cb) => this.cam.getImagingSettings({ token }, cb));
    const e = st?.exposure;
    const opt = (v: unknown): number | undefined => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
    return { mode: e?.mode === undefined ? undefined : String(e.mode), iris: opt(e?.iris), minIris: opt(e?.minIris), maxIris: opt(e?.maxIris) };
  }

  async setIris(value: number): Promise<void> {
    const { token } = this.needImaging('SetImagingSettings');
    // The library drops falsy values (an iris of 0 would silently not be sent); a string '0' is truthy.
    // Cameras ignore or refuse an iris value while exposure is automatic.
    await this.invoke('SetImagingSettings', (cb) => this.cam.setImagingSettings({ token, exposure: { mode: 'MANUAL', iris: String(value) } }, cb));
  }
}
