// The PTZ driver for ONVIF cameras: CONTRACT §4's twelve actions and eight steps as ONVIF PTZ, imaging and
// auxiliary calls, with one cached connection per camera and pulse stops that never overtake a later command.
import type { Logger } from '../../log.js';
import { connectOnvif, OnvifError, type OnvifConnectOptions, type OnvifDevice } from '../../protocols/onvif/index.js';
import type { PtzAction } from '../../domain/ptz.js';
import type { StoredCamera } from '../../store/cameras.js';
import { PtzUnsupportedError, type PtzDriver } from './controller.js';

export interface OnvifPtzDriverOptions {
  /** How long a continuous pan/tilt/zoom/focus move runs before Stop (config ptz.pulse_ms). */
  pulseMs: number;
  /** Per SOAP call; connecting is a chain of ~6 calls, each with this limit. */
  callTimeoutMs?: number;
  log?: Logger;
  /** How a camera is connected; tests and the benchmark count connects through it. */
  connect?: (o: OnvifConnectOptions) => Promise<OnvifDevice>;
}

const DEFAULT_CALL_TIMEOUT_MS = 2_000;
/** Iris is in dB of attenuation (ONVIF Exposure20.Iris, 0 = fully open); 1 dB per step is a third of a stop. */
const IRIS_DB_PER_STEP = 1;
/** The smallest MinIris seen on domes (and the simulator's); cameras with less travel refuse the value with a fault. */
const IRIS_MIN_DB = -22;
/** The camera's own end of a continuous move (ONVIF Timeout) this long after our Stop is due: a lost Stop cannot leave it turning. */
const MOVE_TIMEOUT_MARGIN_MS = 1000;
/** Visible light first (补光灯 on road cameras), then the infrared lamp. */
const LIGHTS = ['tt:Light', 'tt:IRLamp'] as const;

type Axis = 'ptz' | 'focus';

interface Pulse {
  gen: number;
  timer: NodeJS.Timeout;
  camera: StoredCamera;
  /** Resolves `settled` once the Stop went out, failed, or a later command took the axis over. */
  done: () => void;
  settled: Promise<void>;
}

/** One camera's connection and the order of its commands. */
interface Session {
  device?: Promise<OnvifDevice>;
  ptzProfile?: string;
  /** Every call to the camera runs in this chain, so a Stop can never arrive after the next move. */
  queue: Promise<unknown>;
  /** Bumped by every accepted command on an axis; a scheduled Stop only goes out if its generation is still current. */
  gen: Record<Axis, number>;
  pulses: Partial<Record<Axis, Pulse>>;
  light?: (typeof LIGHTS)[number];
  /** Auxiliary commands the camera's PTZ node advertises, read at the first light command. */
  advertised?: string[];
  /** Last iris the driver set, for cameras that do not report theirs. */
  iris?: number;
}

const AXIS: Partial<Record<PtzAction, Axis>> = {
  left: 'ptz',
  right: 'ptz',
  up: 'ptz',
  down: 'ptz',
  'zoom-wide': 'ptz',
  'zoom-tele': 'ptz',
  'focus-near': 'focus',
  'focus-far': 'focus',
};

/** Generic velocity space (-1..1) of a pan/tilt/zoom action at `step` 1–8. */
export function velocityOf(action: PtzAction, step: number): { pan: number; tilt: number; zoom: number } {
  const s = step / 8;
  const v = { pan: 0, tilt: 0, zoom: 0 };
  if (action === 'left') v.pan = -s;
  else if (action === 'right') v.pan = s;
  else if (action === 'up') v.tilt = s;
  else if (action === 'down') v.tilt = -s;
  else if (action === 'zoom-wide') v.zoom = -s;
  else if (action === 'zoom-tele') v.zoom = s;
  return v;
}

export function hasOnvif(camera: StoredCamera): boolean {
  return Boolean(camera.access.onvifUrl);
}

export class OnvifPtzDriver implements PtzDriver {
  private readonly sessions = new Map<string, Session>();
  private readonly pulseMs: number;
  private readonly callTimeoutMs: number;
  private readonly connect: (o: OnvifConnectOptions) => Promise<OnvifDevice>;
  private closed = false;

  constructor(private readonly opts: OnvifPtzDriverOptions) {
    this.pulseMs = opts.pulseMs;
    this.callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.connect = opts.connect ?? connectOnvif;
  }

  /** For PtzService.driverFor: this driver for cameras with an ONVIF address, none otherwise. */
  readonly driverFor = (camera: StoredCamera): PtzDriver | undefined => (hasOnvif(camera) ? this : undefined);

  /**
   * Resolves once the camera has accepted the command; a pulse's Stop is scheduled, not awaited, so the
   * province's HTTP answer costs one SOAP round trip rather than the pulse (a PTZ click should answer at once, and
   * operators holding a button resend every few hundred ms). `settled()` waits for the Stop.
   */
  async move(camera: StoredCamera, action: PtzAction, step: number): Promise<void> {
    if (this.closed) throw new Error('PTZ driver is shutting down');
    const s = this.session(camera);
    const axis = AXIS[action];
    await this.serial(camera, s, async (dev) => {
      if (axis === 'ptz') {
        const profile = await this.ptzProfile(camera, s, dev);
        // A new ContinuousMove replaces the previous velocity, so no Stop is needed in between.
        await this.pulse(camera, s, 'ptz', () => dev.continuousMove(profile, velocityOf(action, step), this.pulseMs + MOVE_TIMEOUT_MARGIN_MS));
      } else if (axis === 'focus') {
        this.needImaging(camera, dev);
        // ONVIF focus speed is positive towards infinity (far).
        await this.pulse(camera, s, 'focus', () => dev.focusMove(action === 'focus-far' ? step / 8 : -step / 8));
      } else if (action === 'iris-open' || action === 'iris-close') {
        this.needImaging(camera, dev);
        // Start from the camera's own iris and range (another client or the auto exposure moved it);
        // a camera that does not report them goes on from the last value this driver set.
        const now = await dev.exposure().catch(() => undefined);
        const from = now?.iris ?? s.iris ?? 0;
        const min = now?.minIris ?? IRIS_MIN_DB;
        const max = now?.maxIris ?? 0;
        const to = Math.max(min, Math.min(max, from + (action === 'iris-open' ? 1 : -1) * step * IRIS_DB_PER_STEP));
        await dev.setIris(to);
        s.iris = to;
      } else {
        await this.light(camera, s, dev, action === 'light-on' ? 'On' : 'Off');
      }
    });
  }

  /** Waits until every scheduled Stop on this camera has gone out (the CLI must not exit mid-pulse). */
  async settled(camera: StoredCamera): Promise<void> {
    const s = this.sessions.get(keyOf(camera));
    if (!s) return;
    for (;;) {
      await s.queue;
      const pending = Object.values(s.pulses).map((p) => p.settled);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Sends every pending Stop now and forgets the connections (daemon shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    const work: Promise<void>[] = [];
    for (const s of this.sessions.values()) {
      for (const axis of ['ptz', 'focus'] as const) {
        const p = s.pulses[axis];
        if (!p) continue;
        clearTimeout(p.timer);
        work.push(this.fireStop(s, axis, p.gen));
      }
    }
    await Promise.all(work);
    this.sessions.clear();
  }

  private session(camera: StoredCamera): Session {
    const key = keyOf(camera);
    let s = this.sessions.get(key);
    if (!s) {
      s = { queue: Promise.resolve(), gen: { ptz: 0, focus: 0 }, pulses: {} };
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Runs `work` after everything already queued for this camera; connection-level failures drop the cached device. */
  private serial(camera: StoredCamera, s: Session, work: (dev: OnvifDevice) => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await work(await this.device(camera, s));
      } catch (e) {
        if (e instanceof OnvifError && (e.kind === 'unreachable' || e.kind === 'auth' || e.kind === 'timeout')) {
          // A restarted or re-configured camera needs a fresh connect (clock offset, service addresses, profiles).
          s.device = undefined;
          s.ptzProfile = undefined;
        }
        throw explain(camera, e);
      }
    };
    const next = s.queue.then(run, run);
    s.queue = next.catch(() => undefined);
    return next;
  }

  private device(camera: StoredCamera, s: Session): Promise<OnvifDevice> {
    if (!s.device) {
      const a = camera.access;
      const connecting = this.connect({ url: a.onvifUrl, user: a.onvifUser ?? '', password: a.onvifPassword ?? '', timeoutMs: this.callTimeoutMs });
      s.device = connecting;
      connecting.catch(() => {
        if (s.device === connecting) s.device = undefined;
      });
    }
    return s.device;
  }

  private async ptzProfile(camera: StoredCamera, s: Session, dev: OnvifDevice): Promise<string> {
    if (!dev.capabilities().ptz) throw new PtzUnsupportedError(`${camera.record.cameraName} is a fixed camera: it offers no ONVIF PTZ service`);
    if (!s.ptzProfile) {
      const first = (await dev.profiles())[0];
      if (!first) throw new PtzUnsupportedError(`${camera.record.cameraName} reports no media profile to move`);
      s.ptzProfile = first.token;
    }
    return s.ptzProfile;
  }

  private needImaging(camera: StoredCamera, dev: OnvifDevice): void {
    if (!dev.capabilities().imaging) throw new PtzUnsupportedError(`${camera.record.cameraName} offers no ONVIF imaging service (focus and iris)`);
  }

  private async light(camera: StoredCamera, s: Session, dev: OnvifDevice, state: 'On' | 'Off'): Promise<void> {
    // SendAuxiliaryCommand lives in the PTZ service: a bullet camera's lamp cannot be switched over ONVIF.
    if (!dev.capabilities().ptz) {
      throw new PtzUnsupportedError(`${camera.record.cameraName} offers no ONVIF PTZ service, which carries the light (auxiliary) commands`);
    }
    const profile = await this.ptzProfile(camera, s, dev);
    // Lamps the node advertises come first; a camera that lists none is tried lamp by lamp.
    s.advertised ??= await dev.auxiliaryCommands().catch(() => []);
    const listed = LIGHTS.filter((l) => s.advertised!.includes(`${l}|${state}`));
    if (s.advertised.length > 0 && listed.length === 0) {
      throw new PtzUnsupportedError(`${camera.record.cameraName} has no light: it advertises ${s.advertised.join(', ')}`);
    }
    const order = s.light ? [s.light] : listed.length > 0 ? listed : LIGHTS;
    for (const lamp of order) {
      try {
        await dev.auxiliary(`${lamp}|${state}`, profile);
        s.light = lamp;
        return;
      } catch (e) {
        // A fault means "not this one"; anything else (auth, unreachable) is the real answer.
        if (!(e instanceof OnvifError && e.kind === 'fault')) throw e;
      }
    }
    throw new PtzUnsupportedError(`${camera.record.cameraName} has no light: it accepts none of ${LIGHTS.map((l) => `${l}|${state}`).join(', ')}`);
  }

  /** Starts a move and schedules its Stop; also after a timeout, when the camera may have started without answering. */
  private async pulse(camera: StoredCamera, s: Session, axis: Axis, start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch (e) {
      if (e instanceof OnvifError && e.kind === 'timeout') this.takeOver(camera, s, axis);
      throw e;
    }
    this.takeOver(camera, s, axis);
  }

  /**
   * Called once the camera accepted a move: the axis' earlier Stop is cancelled (or, if its timer already fired and
   * the Stop waits in the queue, skipped by the generation check) and this move's own Stop is scheduled. Taking over
   * only after success means a refused move leaves the previous pulse's Stop in place.
   */
  private takeOver(camera: StoredCamera, s: Session, axis: Axis): void {
    const gen = ++s.gen[axis];
    const old = s.pulses[axis];
    if (old) {
      clearTimeout(old.timer);
      old.done();
    }
    let done!: () => void;
    const settled = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => void this.fireStop(s, axis, gen), this.pulseMs);
    s.pulses[axis] = { gen, timer, camera, done, settled };
  }

  private async fireStop(s: Session, axis: Axis, gen: number): Promise<void> {
    const p = s.pulses[axis];
    if (!p || p.gen !== gen) return;
    delete s.pulses[axis];
    try {
      await this.serial(p.camera, s, async (dev) => {
        // A command queued after the timer fired takes over the axis; its own Stop will follow.
        if (s.gen[axis] !== gen) return;
        if (axis === 'ptz') await dev.stop(await this.ptzProfile(p.camera, s, dev));
        else await dev.focusStop();
      });
    } catch (e) {
      // The HTTP answer has long gone; the log is where a failed Stop shows (the camera keeps moving until its own timeout).
      this.opts.log?.warn({ cameraNum: p.camera.record.cameraNum, axis, err: e instanceof Error ? e.message : String(e) }, 'PTZ stop after pulse failed');
    } finally {
      p.done();
    }
  }
}

function keyOf(camera: StoredCamera): string {
  const a = camera.access;
  return JSON.stringify([a.onvifUrl ?? '', a.onvifUser ?? '', a.onvifPassword ?? '']);
}

/** What the operator or the province reads: which camera, what went wrong, in words. */
function explain(camera: StoredCamera, e: unknown): Error {
  if (e instanceof PtzUnsupportedError || !(e instanceof OnvifError)) return e instanceof Error ? e : new Error(String(e));
  const name = camera.record.cameraName;
  switch (e.kind) {
    case 'auth':
      return new Error(`${name} refused the ONVIF user "${camera.access.onvifUser ?? ''}": wrong user or password (${e.message})`);
    case 'unreachable':
      return new Error(`${name} is unreachable over ONVIF (${e.message})`);
    case 'timeout':
      return new Error(`${name} did not answer in time (${e.message})`);
    case 'unsupported':
      return new PtzUnsupportedError(`${name} cannot do this: ${e.message}`);
    default:
      return new Error(`${name} refused the command (${e.message})`);
  }
}
