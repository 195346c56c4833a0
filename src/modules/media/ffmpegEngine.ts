// The media engine: camera pulls shared per stream, one supervised FFmpeg per push.
import type { OverlayConfig } from '../../config/schema/overlay.js';
import { overlayFilterFor } from '../overlay/drawtext.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import { VIDEO_TYPES, type VideoType } from '../../protocols/province/messages.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { MediaStatusRow } from '../../store/mediaStatus.js';
import { CameraFaultError, type FrameLease, type FrameProvider, type FrameRequest, type MediaEngine, type PushParams, type PushTarget } from './engine.js';
import { OutputBudget, type BudgetLimits } from './budget.js';
import { PushPipeline, type PipelineConfig, type UrlProvider } from './pushPipeline.js';
import type { MediaConfig, MediaRuntime } from './runtime.js';
import { rtspSourceKind, SharedPull, type RtspPullConfig, type SourceKind, type SourceStatus, type StreamName } from './source.js';
import type { GatewayBus } from '../events.js';
import type { CameraStreams } from '../cameraEncoding/cameraStreams.js';
import type { TierChoice } from '../cameraEncoding/streamSelection.js';
import { TIER_NAMES } from './tiers.js';

const onDemandKey = (cameraNum: string, videoType: VideoType) => `push:${cameraNum}:${videoType}`;
const constantKey = (cameraNum: string) => `constant:${cameraNum}`;

const streamOrder = (prefer: 'largest' | 'smallest'): StreamName[] => (prefer === 'largest' ? ['main', 'third', 'sub'] : ['sub', 'third', 'main']);

/** How a push was asked for: enough to build it again on another stream (camera-side encoding on or off). */
interface PushOrder {
  key: string;
  role: 'constant' | 'ondemand';
  cameraNum: string;
  videoType: VideoType;
  params: () => PushParams;
  url: UrlProvider;
  target?: PushTarget;
  /** The stream choice it was built with. */
  choice: TierChoice;
}

/** The [media] keys the engine and its pulls and pushes use. */
export type EngineConfig = PipelineConfig & RtspPullConfig & BudgetLimits & Pick<MediaConfig, 'start_timeout_s' | 'source_linger_s'>;

export interface EngineOptions {
  runtime: MediaRuntime;
  config: EngineConfig;
  cameras: CameraStore;
  streams: CameraStreams;
  /**
   * Emits pushGone, pushFirstFrame and encodingDrift; hears cameraStreamsChecked (the engine alone
   * decides whether a push moves to another stream).
   */
  events: GatewayBus;
  /** Pull kinds besides RTSP (GB/T 28181), asked before it. */
  sourceKinds?: readonly SourceKind[];
  /** The budget shared with the uplinks' orders; by default one of the config's limits. */
  budget?: OutputBudget;
  /** [overlay]: burn_in draws the Appendix B overlay into transcoded outputs. */
  overlay?: OverlayConfig;
  log: Logger;
}

export class FfmpegMediaEngine implements MediaEngine, FrameProvider {
  readonly budget: OutputBudget;
  private readonly sources = new Map<string, SharedPull>();
  private readonly pushes = new Map<string, PushPipeline>();
  private readonly orders = new Map<string, PushOrder>();
  private readonly rt: MediaRuntime;
  private readonly config: EngineConfig;
  private readonly cameras: CameraStore;
  /** Which camera stream feeds which output (camera-side encoding included). */
  readonly streams: CameraStreams;
  private readonly events: GatewayBus;
  private readonly kinds: readonly SourceKind[];
  private readonly overlay: OverlayConfig | undefined;
  private readonly log: Logger;
  private borrows = 0;
  private readonly onStreamsChecked = (cam: StoredCamera): void => {
    this.updateCamera(cam);
    void this.replanCamera(cam.record.cameraNum);
  };

  constructor(o: EngineOptions) {
    this.rt = o.runtime;
    this.config = o.config;
    this.budget = o.budget ?? new OutputBudget(o.config);
    this.cameras = o.cameras;
    this.streams = o.streams;
    this.events = o.events;
    this.kinds = [...(o.sourceKinds ?? []), rtspSourceKind(o.config, o.runtime)];
    this.overlay = o.overlay;
    this.log = moduleLog(o.log, 'media');
    this.events.on('cameraStreamsChecked', this.onStreamsChecked);
  }

  async start(target: PushTarget): Promise<void> {
    const cam = target.camera ?? this.cameras.byNum(target.cameraNum);
    if (!cam) throw new CameraFaultError('camera not registered on this gateway');
    const choice = this.streams.selection(cam)?.[TIER_NAMES[target.videoType]];
    if (!choice) throw new CameraFaultError('camera has no RTSP URL configured');
    const key = onDemandKey(target.cameraNum, target.videoType);
    await this.drop(key);
    const timeoutMs = this.config.start_timeout_s * 1000;
    const started = Date.now();
    const pipeline = this.open(cam, { key, role: 'ondemand', cameraNum: target.cameraNum, videoType: target.videoType, params: () => target.params, url: async () => target.url, target, choice });
    const source = pipeline.source;
    try {
      await source.whenReady(timeoutMs);
    } catch (e) {
      await this.drop(key);
      throw new CameraFaultError((e as Error).message);
    }
    try {
      await pipeline.whenFirstFrame(Math.max(1000, timeoutMs - (Date.now() - started)));
    } catch (e) {
      await this.drop(key);
      throw e;
    }
  }

  async stop(cameraNum: string, videoType: VideoType): Promise<void> {
    await this.drop(onDemandKey(cameraNum, videoType));
  }

  /** The constant 128 kbps push of a pushType=1 camera (CONTRACT §1); runs until stopped. */
  startConstant(cam: StoredCamera, url: UrlProvider, params: () => PushParams): boolean {
    const key = constantKey(cam.record.cameraNum);
    const choice = this.streams.selection(cam)?.low;
    if (!choice || this.pushes.has(key)) return false;
    this.open(cam, { key, role: 'constant', cameraNum: cam.record.cameraNum, videoType: VIDEO_TYPES.low, params, url, choice });
    return true;
  }

  /**
   * Camera-side encoding or the camera's streams changed: every push of the camera whose stream
   * choice changed is built again on its new stream (a push whose choice stands is left alone).
   */
  async replanCamera(cameraNum: string): Promise<void> {
    const cam = this.cameras.byNum(cameraNum);
    if (!cam) return;
    const selection = this.streams.selection(cam);
    for (const order of [...this.orders.values()].filter((o) => o.cameraNum === cameraNum)) {
      const choice = selection?.[TIER_NAMES[order.videoType]];
      if (!choice || (choice.stream === order.choice.stream && choice.cameraEncoded === order.choice.cameraEncoded)) continue;
      this.log.info({ cameraNum, videoType: order.videoType, from: order.choice.why, to: choice.why }, 'push moved to another camera stream');
      // The old pipeline keeps its key while it stops, so the constant-push reconcile cannot start
      // a second one meanwhile; a stop asked for during the wait removes the key and wins.
      const old = this.pushes.get(order.key);
      await old?.stop();
      if (this.pushes.get(order.key) !== old) continue;
      this.pushes.delete(order.key);
      this.orders.delete(order.key);
      this.open(cam, { ...order, choice });
    }
  }

  async stopConstant(cameraNum: string): Promise<void> {
    await this.drop(constantKey(cameraNum));
  }

  constantCameras(): string[] {
    return [...this.pushes.keys()].filter((k) => k.startsWith('constant:')).map((k) => k.slice('constant:'.length));
  }

  /** A camera edited to new URLs: its running pulls move to them. */
  updateCamera(cam: StoredCamera): void {
    for (const s of this.sources.values()) {
      if (s.cameraNum !== cam.record.cameraNum) continue;
      const url = this.streams.urlOf(cam, s.stream);
      if (url) s.setUrl(url);
    }
  }

  /** Consecutive failed pulls of a camera's streams (0 = delivering or not tried). */
  failedStarts(cameraNum: string): { failures: number; error: string | null } {
    let failures = 0;
    let error: string | null = null;
    for (const s of this.sources.values()) {
      if (s.cameraNum !== cameraNum) continue;
      const st = s.status();
      if (st.failedStarts > failures) {
        failures = st.failedStarts;
        error = st.lastError;
      }
    }
    return { failures, error };
  }

  /**
   * A pull of the camera to read frames from, held until `release()`. With a preference: one
   * already running (delivering or still connecting, in that order of streams), else the shared
   * pull of `orStart` started now; with a stream name: that stream's shared pull, started when
   * idle. Choosing and starting happen in one synchronous step, so a snapshot, a quality burst
   * and a push starting together all land on one pull: one RTSP session per camera stream,
   * whatever starts first (issue 15). undefined when there is nothing to read.
   */
  frames(cameraNum: string, want: FrameRequest): FrameLease | undefined {
    let source = 'stream' in want ? undefined : streamOrder(want.prefer).map((stream) => this.sources.get(`${cameraNum}:${stream}`)).find((s) => s?.pulling);
    const start = 'stream' in want ? want.stream : want.orStart;
    if (!source && start) {
      const cam = this.cameras.byNum(cameraNum);
      const url = cam && this.streams.urlOf(cam, start);
      if (url) source = this.source(cameraNum, start, url);
    }
    if (!source) return undefined;
    const user = `borrow:${++this.borrows}`;
    const held = source;
    held.acquire(user);
    return {
      stream: held.stream,
      get codec() {
        return held.fanout.codec;
      },
      attach: (sink) => held.subscribe(sink),
      whenReady: (timeoutMs) => held.whenReady(timeoutMs),
      release: () => held.release(user),
    };
  }

  sourceStatus(cameraNum: string, stream: StreamName): SourceStatus | undefined {
    return this.sources.get(`${cameraNum}:${stream}`)?.status();
  }

  /** Every pull and push as `vcgw status` shows it. */
  statusRows(now = Date.now()): MediaStatusRow[] {
    const rows: MediaStatusRow[] = [];
    for (const s of this.sources.values()) {
      const st = s.status();
      rows.push({
        key: `source:${st.cameraNum}:${st.stream}`,
        cameraNum: st.cameraNum,
        role: 'source',
        state: st.state,
        detail: [st.stream, st.codec, st.keyIntervalMs ? `GOP ${(st.keyIntervalMs / 1000).toFixed(1)} s` : '', `${st.users} output(s)`].filter(Boolean).join(' '),
        fps: st.fps,
        kbps: st.kbps,
        frames: st.frames,
        restarts: st.restarts,
        lastError: st.lastError,
        since: st.since,
        updatedAt: now,
      });
    }
    for (const p of this.pushes.values()) rows.push(p.status(now));
    return rows;
  }

  async close(): Promise<void> {
    this.events.off('cameraStreamsChecked', this.onStreamsChecked);
    await Promise.all([...this.pushes.keys()].map((k) => this.drop(k)));
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.sources.clear();
  }

  private source(cameraNum: string, stream: StreamName, url: string): SharedPull {
    const key = `${cameraNum}:${stream}`;
    let s = this.sources.get(key);
    if (!s) {
      s = new SharedPull(cameraNum, stream, url, this.config.source_linger_s, this.log, this.kinds);
      this.sources.set(key, s);
    } else {
      s.setUrl(url);
    }
    return s;
  }

  private open(cam: StoredCamera, order: PushOrder): PushPipeline {
    const url = this.streams.urlOf(cam, order.choice.stream);
    if (!url) throw new CameraFaultError(`camera has no ${order.choice.stream} stream URL`);
    const source = this.source(order.cameraNum, order.choice.stream, url);
    const tier = TIER_NAMES[order.videoType];
    const pipeline = new PushPipeline({
      key: order.key,
      cameraNum: order.cameraNum,
      role: order.role,
      videoType: order.videoType,
      source,
      params: order.params,
      url: order.url,
      cameraEncoded: order.choice.cameraEncoded,
      overlayFilter: this.overlay?.burn_in && tier !== 'source' ? (out) => this.overlayFilter(order.cameraNum, out) : undefined,
      config: this.config,
      runtime: this.rt,
      log: this.log,
    });
    pipeline.on('firstFrame', (ms: number) => this.events.emit('pushFirstFrame', order.cameraNum, order.role, ms));
    const target = order.target;
    if (target) pipeline.on('idle', (reason: string) => void this.giveUp(order.key, target, reason));
    if (tier === 'low' || tier === 'high') {
      pipeline.on('drift', (reason: string) => {
        // The pipeline already transcodes again; the order must say so, or replanCamera would rebuild it once more.
        order.choice = { ...order.choice, cameraEncoded: false, why: `camera-encoded output drifted: ${reason}` };
        this.log.warn({ cameraNum: order.cameraNum, tier, reason }, 'camera-encoded output drifted from its tier: the gateway encodes it');
        this.events.emit('encodingDrift', order.cameraNum, tier, reason);
        void this.replanCamera(order.cameraNum);
      });
    }
    this.pushes.set(order.key, pipeline);
    this.orders.set(order.key, order);
    pipeline.start();
    return pipeline;
  }

  /** Read at each launch, so an edited record is drawn from the next restart on. */
  private overlayFilter(cameraNum: string, out: { width: number; height: number }): string | undefined {
    const cam = this.cameras.byNum(cameraNum);
    return cam && this.overlay ? overlayFilterFor(cam, this.overlay, out) : undefined;
  }

  private async drop(key: string): Promise<void> {
    const p = this.pushes.get(key);
    if (!p) return;
    this.pushes.delete(key);
    this.orders.delete(key);
    await p.stop();
  }

  private async giveUp(key: string, target: PushTarget, reason: string): Promise<void> {
    if (!this.pushes.has(key)) return;
    this.log.warn({ cameraNum: target.cameraNum, videoType: target.videoType, reason }, 'on-demand push delivered nothing for too long: stopped');
    await this.drop(key);
    this.events.emit('pushGone', target.cameraNum, target.videoType, reason);
  }
}
