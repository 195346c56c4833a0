// The constant 128 kbps push of every pushType=1 camera (CONTRACT §1, §3 GetPushAddress).
import type { Logger } from '../../../log.js';
import { redactUrl } from '../../../log.js';
import { getPushAddress, type ProvinceCall } from '../../../protocols/province/reports.js';
import type { CameraStore, StoredCamera } from '../../../store/cameras.js';
import type { CameraStreams } from '../../cameraEncoding/cameraStreams.js';
import type { MediaEngine, OutputOrder, PushParams, UrlProvider } from '../../media/engine.js';

interface Address {
  url: string;
  fetchedAt: number;
}

/** A URL that just failed is fetched again, but not more often than this. */
const MIN_REFETCH_MS = 15_000;

/**
 * Push addresses from GetPushAddress, each fetched again before use once it is older than
 * `maxAgeMs` (E-4.1: valid 5 minutes). Concurrent requests are batched into one call.
 */
export class PushAddressBook {
  private readonly byCamera = new Map<string, Address>();
  private video: PushParams = {};
  private batch: { nums: Set<string>; done: Promise<void> } | undefined;

  constructor(
    private readonly o: { call: ProvinceCall; maxAgeMs: number; log: Logger; now?: () => number },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The `video` object of the last reply, as push parameters (the tier bounds apply later). */
  params(): PushParams {
    return { ...this.video };
  }

  async url(cameraNum: string, afterFailure = false): Promise<string> {
    const a = this.byCamera.get(cameraNum);
    const age = a ? this.now() - a.fetchedAt : Infinity;
    if (a && age < this.o.maxAgeMs && !(afterFailure && age > MIN_REFETCH_MS)) return a.url;
    await this.fetch(cameraNum);
    const fresh = this.byCamera.get(cameraNum);
    if (!fresh) throw new Error('GetPushAddress returned no URL for this camera');
    return fresh.url;
  }

  /** Requests made in the same tick go out as one call. */
  private fetch(cameraNum: string): Promise<void> {
    if (!this.batch) {
      const nums = new Set<string>();
      const done = new Promise<void>((r) => setImmediate(r)).then(() => {
        this.batch = undefined;
        return this.send([...nums]);
      });
      this.batch = { nums, done };
    }
    this.batch.nums.add(cameraNum);
    return this.batch.done;
  }

  private async send(cameraNums: string[]): Promise<void> {
    const at = this.now();
    const reply = await getPushAddress(this.o.call, cameraNums);
    for (const c of reply.cameras) this.byCamera.set(c.cameraNum, { url: c.pushUrl, fetchedAt: at });
    const v = reply.video;
    if (v) this.video = { width: v.width, height: v.height, frameRate: v.framerate, bitRate: v.bitrate, iframe: v.iframe };
    this.o.log.info({ cameras: reply.cameras.map((c) => ({ cameraNum: c.cameraNum, url: redactUrl(c.pushUrl) })) }, 'push addresses fetched');
  }
}

/**
 * How long the push of a camera set to encode its own outputs waits for the first check of that
 * encoding before it starts transcoded. Started transcoded at once, fifty such pushes at a first
 * boot take the CPU the checks themselves need, and the checks then time out.
 */
export const FIRST_CHECK_WAIT_MS = 90_000;

const CONSTANT_PREFIX = 'constant:';

/** The engine key of a camera's constant push; `vcgw status` shows it. */
export const constantKey = (cameraNum: string) => `${CONSTANT_PREFIX}${cameraNum}`;

/** How the constant pushes are named in the engine's accounting (they take no on-demand slot). */
const HOLDER = 'constant pushes to the province';

/** The engine order of a camera's constant push: a standing 128 kbps output, its URL and parameters read at each launch. */
export function constantOrder(camera: StoredCamera, url: UrlProvider, params: () => PushParams): OutputOrder {
  return { key: constantKey(camera.record.cameraNum), camera, tier: 'low', sink: { kind: 'rtmp', url }, params, holder: HOLDER, standing: true };
}

/**
 * Keeps one constant push per pushType=1 camera, following edits of the registry: a standing
 * output of the engine each, outside the on-demand limits.
 */
export class ConstantPushManager {
  private timer: NodeJS.Timeout | undefined;
  /** When each camera set to encode itself was first seen without a check of its encoding. */
  private readonly unchecked = new Map<string, number>();

  constructor(
    private readonly o: {
      engine: MediaEngine;
      cameras: CameraStore;
      book: PushAddressBook;
      streams: Pick<CameraStreams, 'encoderOf' | 'encoding'>;
      reconcileMs: number;
      log: Logger;
      firstCheckWaitMs?: number;
      now?: () => number;
    },
  ) {}

  /** The camera encodes its outputs itself but was never checked, and the wait for that check has not run out. */
  private awaitsEncodingCheck(cam: StoredCamera): boolean {
    const num = cam.record.cameraNum;
    if (this.o.streams.encoderOf(cam) !== 'camera' || this.o.streams.encoding(cam)) {
      this.unchecked.delete(num);
      return false;
    }
    const now = (this.o.now ?? Date.now)();
    const since = this.unchecked.get(num);
    if (since === undefined) {
      this.unchecked.set(num, now);
      this.o.log.info({ cameraNum: num }, 'constant push waits for the check of camera-side encoding');
      return true;
    }
    return now - since < (this.o.firstCheckWaitMs ?? FIRST_CHECK_WAIT_MS);
  }

  start(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.o.reconcileMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }

  /** The cameras whose constant push the engine runs. */
  running(): string[] {
    return this.o.engine.budget
      .list()
      .filter((s) => s.standing && s.key.startsWith(CONSTANT_PREFIX))
      .map((s) => s.key.slice(CONSTANT_PREFIX.length));
  }

  /**
   * Starts pushes of new constant-push cameras (ordering a running one again moves its pulls to
   * the camera's edited URLs), stops those removed or switched to on demand.
   */
  async reconcile(): Promise<void> {
    const { engine, book } = this.o;
    const wanted = new Set<string>();
    const running = new Set(this.running());
    for (const cam of this.o.cameras.all()) {
      const num = cam.record.cameraNum;
      if (cam.record.pushType !== 1 || cam.syncState === 'rejected') continue;
      wanted.add(num);
      if (this.awaitsEncodingCheck(cam)) continue;
      try {
        await engine.start(constantOrder(cam, ({ afterFailure }) => book.url(num, afterFailure), () => book.params()));
        if (!running.has(num)) this.o.log.info({ cameraNum: num }, 'constant push started');
      } catch (err) {
        // No stream URL yet, or no FFmpeg: ordered again at the next round.
        this.o.log.debug({ cameraNum: num, err: String(err) }, 'constant push not started');
      }
    }
    for (const num of this.running()) {
      if (!wanted.has(num)) {
        this.o.log.info({ cameraNum: num }, 'constant push stopped (camera removed or on demand now)');
        await engine.stop(constantKey(num));
      }
    }
  }
}
