// On-demand pushes ordered by the province (VideoTransBegin/Finish, CONTRACT §1 and §4).
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog, redactUrl } from '../../../log.js';
import { CODE, type VideoType } from '../../../protocols/province/messages.js';
import { CameraFaultError, type MediaEngine, type PushParams, type PushTarget } from '../../media/engine.js';
import type { StoredCamera } from '../../../store/cameras.js';
import { TIER_NAMES } from '../../media/tiers.js';

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

/** An active push with its slot of the engine's budget. */
interface HeldPush extends ActivePush {
  release(): void;
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

const keyOf = (cameraNum: string, videoType: VideoType) => `${cameraNum}#${videoType}`;
const copyOf = ({ release: _release, ...p }: HeldPush): ActivePush => ({ ...p, params: { ...p.params } });
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class PushRegistry {
  private readonly active = new Map<string, HeldPush>();
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
  begin(req: PushRequest, camera?: StoredCamera): Promise<PushOutcome> {
    return this.serialized(keyOf(req.cameraNum, req.videoType), () => this.doBegin(req, camera));
  }

  finish(cameraNum: string, videoType: VideoType): Promise<PushOutcome> {
    return this.serialized(keyOf(cameraNum, videoType), () => this.doFinish(cameraNum, videoType));
  }

  list(): ActivePush[] {
    return [...this.active.values()].map(copyOf);
  }

  get(cameraNum: string, videoType: VideoType): ActivePush | undefined {
    const p = this.active.get(keyOf(cameraNum, videoType));
    return p && copyOf(p);
  }

  /** The engine dropped a push by itself (idle safety net): free its slot. */
  forget(cameraNum: string, videoType: VideoType, reason: string): void {
    if (this.drop(keyOf(cameraNum, videoType))) {
      this.log.warn({ cameraNum, videoType, reason }, 'push given up by the media engine; slot freed');
    }
  }

  private drop(key: string): boolean {
    const p = this.active.get(key);
    p?.release();
    return this.active.delete(key);
  }

  /** Stops every push (daemon shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((p) => this.finish(p.cameraNum, p.videoType)));
  }

  private async doBegin(req: PushRequest, camera: StoredCamera | undefined): Promise<PushOutcome> {
    const key = keyOf(req.cameraNum, req.videoType);
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
    let release: () => void;
    if (existing) {
      // A move replaces the push in its own slot: no limit check, the old URL is abandoned.
      log.info({ from: redactUrl(existing.url) }, 'moving push to a new URL');
      release = existing.release;
      this.active.delete(key);
      try {
        await this.engine.stop(req.cameraNum, req.videoType);
      } catch (e) {
        log.warn({ err: errorText(e) }, 'stopping the old push failed; starting the new one anyway');
      }
    } else {
      const grant = this.engine.budget.tryAcquire(TIER_NAMES[req.videoType]);
      if (!grant.ok) {
        log.warn({ refusal: grant.refused }, 'push refused');
        return { code: CODE.serverError, msg: grant.refused };
      }
      release = grant.release;
    }
    const target: PushTarget = { cameraNum: req.cameraNum, videoType: req.videoType, url, params };
    this.active.set(key, { ...target, state: 'starting', since: this.now(), release });
    try {
      await this.engine.start(camera ? { ...target, camera } : target);
    } catch (e) {
      this.drop(key);
      log.warn({ err: errorText(e) }, 'push failed to start');
      if (e instanceof CameraFaultError) return { code: CODE.notFound, msg: `该路视频故障: ${e.message}` };
      return { code: CODE.serverError, msg: `media engine: ${errorText(e)}` };
    }
    this.active.set(key, { ...target, state: 'running', since: this.now(), release });
    log.info('push started');
    return { code: CODE.ok, msg: '成功' };
  }

  private async doFinish(cameraNum: string, videoType: VideoType): Promise<PushOutcome> {
    const key = keyOf(cameraNum, videoType);
    const log = this.log.child({ cameraNum, videoType });
    if (!this.active.has(key)) {
      log.info('stop requested for a push that is not running');
      return { code: CODE.notFound, msg: '该路视频不存在: no push of this camera and videoType is running' };
    }
    // Forgotten even when stop fails: the province has let the stream go, and keeping the slot
    // would refuse later pushes for a stream nobody watches.
    this.drop(key);
    try {
      await this.engine.stop(cameraNum, videoType);
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
