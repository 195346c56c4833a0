// On-demand pushes ordered by the province (VideoTransBegin/Finish, CONTRACT §1 and §4).
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog, redactUrl } from '../../../log.js';
import { CODE, type VideoType } from '../../../protocols/province/messages.js';
import { OutputRefusedError } from '../../media/budget.js';
import { CameraFaultError, type MediaEngine, type OutputOrder, type PushParams } from '../../media/engine.js';
import type { StoredCamera } from '../../../store/cameras.js';
import { TIER_OF_VIDEO_TYPE } from './wire.js';

/** What VideoTransBegin carries (E-5.1), after validation. */
export interface PushRequest extends PushParams {
  cameraNum: string;
  videoType: VideoType;
  serverIp: string;
  serverPort: number;
  pubName: string;
  authInfo?: string;
}

export interface PushOutcome {
  code: 200 | 201 | 404 | 500;
  msg: string;
}

export interface ActivePush {
  cameraNum: string;
  videoType: VideoType;
  url: string;
  params: PushParams;
  /** 'starting' while engine.start is in flight: it already holds its slot. */
  state: 'starting' | 'running';
  since: number;
}

export type PushLimits = Pick<Config['media'], 'rtmp_app'>;

/** `rtmp://<serverIp>:<serverPort>/<app>/<pubName>?<authInfo>` (CONTRACT §4 "Push URL"). */
export function buildPushUrl(
  req: Pick<PushRequest, 'serverIp' | 'serverPort' | 'pubName' | 'authInfo'>,
  defaultApp: string,
): string {
  const ip = req.serverIp.trim();
  const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
  const pub = req.pubName.replace(/^\/+/, '');
  const path = pub.includes('/') ? pub : `${defaultApp}/${pub}`;
  const auth = (req.authInfo ?? '').replace(/^\?/, '');
  return `rtmp://${host}:${req.serverPort}/${path}${auth ? `?${auth}` : ''}`;
}

/** The engine key of a province push; `vcgw status` shows it. */
export const pushKey = (cameraNum: string, videoType: VideoType) => `push:${cameraNum}:${videoType}`;

/** How the province's pushes are named in the refusals other uplinks get. */
const HOLDER = 'pushes to the province';

/** The engine order of a province push: the tier its videoType asks for, into its RTMP URL. */
export function pushOrder(camera: StoredCamera, videoType: VideoType, url: string, params: PushParams): OutputOrder {
  return { key: pushKey(camera.record.cameraNum, videoType), camera, tier: TIER_OF_VIDEO_TYPE[videoType], sink: { kind: 'rtmp', url }, params, holder: HOLDER };
}

const copyOf = (p: ActivePush): ActivePush => ({ ...p, params: { ...p.params } });
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class PushRegistry {
  private readonly active = new Map<string, ActivePush>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(
    private readonly engine: MediaEngine,
    private readonly limits: PushLimits,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.log = moduleLog(log, 'push');
    this.now = now;
  }

  /** `camera`: the camera the order resolved, carried down to the engine (no second lookup). */
  begin(req: PushRequest, camera: StoredCamera): Promise<PushOutcome> {
    return this.serialized(pushKey(req.cameraNum, req.videoType), () => this.doBegin(req, camera));
  }

  finish(cameraNum: string, videoType: VideoType): Promise<PushOutcome> {
    return this.serialized(pushKey(cameraNum, videoType), () => this.doFinish(cameraNum, videoType));
  }

  list(): ActivePush[] {
    return [...this.active.values()].map(copyOf);
  }

  get(cameraNum: string, videoType: VideoType): ActivePush | undefined {
    const p = this.active.get(pushKey(cameraNum, videoType));
    return p && copyOf(p);
  }

  /** The engine gave up an output by itself (idle safety net; it freed the slot): forgotten when it is one of ours. */
  forget(key: string, reason: string): void {
    const p = this.active.get(key);
    if (!p) return;
    this.active.delete(key);
    this.log.warn({ cameraNum: p.cameraNum, videoType: p.videoType, reason }, 'push given up by the media engine; slot freed');
  }

  /** Stops every push (daemon shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((p) => this.finish(p.cameraNum, p.videoType)));
  }

  private async doBegin(req: PushRequest, camera: StoredCamera): Promise<PushOutcome> {
    const key = pushKey(req.cameraNum, req.videoType);
    const url = buildPushUrl(req, this.limits.rtmp_app);
    const params: PushParams = {};
    for (const k of ['width', 'height', 'bitRate', 'frameRate', 'iframe'] as const) {
      if (req[k] !== undefined) params[k] = req[k];
    }
    const log = this.log.child({ cameraNum: req.cameraNum, videoType: req.videoType, url: redactUrl(url) });
    const existing = this.active.get(key);
    if (existing && existing.url === url) {
      log.info('already pushing to this URL');
      return { code: CODE.alreadyPushing, msg: '正在推流' };
    }
    // A move replaces the push under its key, in its own slot (no limit check): the engine stops
    // the old URL's push first.
    if (existing) log.info({ from: redactUrl(existing.url) }, 'moving push to a new URL');
    const order = pushOrder(camera, req.videoType, url, params);
    const push = { cameraNum: req.cameraNum, videoType: req.videoType, url, params };
    this.active.set(key, { ...push, state: 'starting', since: this.now() });
    try {
      await this.engine.start(order);
    } catch (e) {
      this.active.delete(key);
      if (e instanceof OutputRefusedError) {
        log.warn({ refusal: e.message }, 'push refused');
        return { code: CODE.serverError, msg: e.message };
      }
      log.warn({ err: errorText(e) }, 'push failed to start');
      if (e instanceof CameraFaultError) return { code: CODE.notFound, msg: `该路视频故障: ${e.message}` };
      return { code: CODE.serverError, msg: `media engine: ${errorText(e)}` };
    }
    this.active.set(key, { ...push, state: 'running', since: this.now() });
    log.info('push started');
    return { code: CODE.ok, msg: '成功' };
  }

  private async doFinish(cameraNum: string, videoType: VideoType): Promise<PushOutcome> {
    const key = pushKey(cameraNum, videoType);
    const log = this.log.child({ cameraNum, videoType });
    if (!this.active.has(key)) {
      log.info('stop requested for a push that is not running');
      return { code: CODE.notFound, msg: '该路视频不存在: no push of this camera and videoType is running' };
    }
    // Forgotten even when stop fails: the province has let the stream go (the engine frees the
    // slot whatever the stop's outcome, or later pushes would be refused for a stream nobody watches).
    this.active.delete(key);
    try {
      await this.engine.stop(key);
    } catch (e) {
      log.warn({ err: errorText(e) }, 'push stop failed');
      return { code: CODE.serverError, msg: `media engine: ${errorText(e)}` };
    }
    log.info('push stopped');
    return { code: CODE.ok, msg: '停止成功' };
  }

  /** Runs `task` after every earlier task of the same camera+type has settled. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }
}
