// The media engine: camera pulls shared per stream; each output an uplink orders is one
// supervised FFmpeg pushing RTMP, or the stream itself fed to a TS sink; every output holds a slot
// of the budget all uplinks share.
import type { OverlayConfig } from '../../config/schema/overlay.js';
import { overlayFilterFor } from '../overlay/drawtext.js';
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { Tier } from '../../domain/tier.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { MediaStatusRow } from '../../store/mediaStatus.js';
import {
  CameraFaultError,
  type FrameLease,
  type FrameProvider,
  type FrameRequest,
  type MediaEngine,
  type OutputOrder,
  type OutputSink,
  type OutputStarted,
  type PushParams,
  type UrlProvider,
} from './engine.js';
import { OutputBudget, type BudgetLimits } from './budget.js';
import { PushPipeline, type PipelineConfig } from './pushPipeline.js';
import type { MediaConfig, MediaRuntime } from './runtime.js';
import { rtspSourceKind, SharedPull, type RtspPullConfig, type SourceKind, type SourceStatus, type StreamName } from './source.js';
import type { GatewayBus } from '../events.js';
import type { CameraStreams } from '../cameraEncoding/cameraStreams.js';
import type { TierChoice } from '../cameraEncoding/streamSelection.js';

const streamOrder = (prefer: 'largest' | 'smallest'): StreamName[] => (prefer === 'largest' ? ['main', 'third', 'sub'] : ['sub', 'third', 'main']);

/** An RTMP output as ordered: enough to build it again on another stream (camera-side encoding on or off). */
interface PushOrder {
  key: string;
  cameraNum: string;
  tier: Tier;
  standing: boolean;
  params: () => PushParams;
  url: UrlProvider;
  /** The stream choice it was built with. */
  choice: TierChoice;
}

/** A TS sink fed from a lease on the camera's pull; `close` detaches and lets the lease go (idempotent). */
interface StreamFeed {
  close(): void;
}

/** The [media] keys the engine and its pulls and pushes use. */
export type EngineConfig = PipelineConfig & RtspPullConfig & BudgetLimits & Pick<MediaConfig, 'start_timeout_s' | 'source_linger_s'>;

export interface EngineOptions {
  runtime: MediaRuntime;
  config: EngineConfig;
  cameras: CameraStore;
  streams: CameraStreams;
  /**
   * Emits outputGone, pushFirstFrame and encodingDrift; hears cameraStreamsChecked (the engine
   * alone decides whether a push moves to another stream).
   */
  events: GatewayBus;
  /** Pull kinds besides RTSP (GB/T 28181), asked before it. */
  sourceKinds?: readonly SourceKind[];
  /** The budget, when one exists before the engine (the media module's, kept while FFmpeg is missing); by default one of the config's limits. */
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
  private readonly feeds = new Map<string, StreamFeed>();
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
    void this.replanCamera(cam);
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

  async start(order: OutputOrder): Promise<OutputStarted> {
    this.budget.hold({ key: order.key, tier: order.tier, holder: order.holder, standing: order.standing });
    try {
      const sink = order.sink;
      return sink.kind === 'ts' ? await this.startFeed(order, sink) : await this.startPush(order, sink);
    } catch (e) {
      // The slot goes with the output under the key: kept when another order runs there now.
      if (!this.pushes.has(order.key) && !this.feeds.has(order.key)) this.budget.release(order.key);
      throw e;
    }
  }

  async stop(key: string): Promise<void> {
    await this.drop(key);
  }

  private async startPush(order: OutputOrder, sink: Extract<OutputSink, { kind: 'rtmp' }>): Promise<OutputStarted> {
    const cam = order.camera;
    const key = order.key;
    const standing = order.standing ?? false;
    // A standing push runs until stopped: ordered again, it only follows the camera's edited URLs.
    if (standing && this.pushes.has(key)) {
      this.updateCamera(cam);
      return { codec: this.pushes.get(key)!.source.fanout.codec };
    }
    // The output it replaces stops first, whatever becomes of this start: a failed move leaves nothing running.
    await this.halt(key);
    const choice = this.streams.selection(cam)?.[order.tier];
    if (!choice) throw new CameraFaultError('camera has no RTSP URL configured', 'no-stream');
    const params = order.params;
    const url = sink.url;
    const pipeline = this.open(cam, {
      key,
      cameraNum: cam.record.cameraNum,
      tier: order.tier,
      standing,
      params: typeof params === 'function' ? params : () => params,
      url: typeof url === 'string' ? async () => url : url,
      choice,
    });
    const source = pipeline.source;
    if (standing) return { codec: source.fanout.codec };
    const timeoutMs = this.config.start_timeout_s * 1000;
    const started = Date.now();
    try {
      await source.whenReady(timeoutMs);
    } catch (e) {
      await this.dropIf(key, pipeline);
      throw new CameraFaultError((e as Error).message, 'no-video');
    }
    try {
      await pipeline.whenFirstFrame(Math.max(1000, timeoutMs - (Date.now() - started)));
    } catch (e) {
      await this.dropIf(key, pipeline);
      throw e;
    }
    return { codec: source.fanout.codec };
  }

  /**
   * The camera's own stream into a TS sink: a lease on the largest stream already pulled (else
   * main: upper platforms watch the full picture), so that it shares the pull an RTMP push of the
   * camera already reads, fed from its cached GOP on.
   */
  private async startFeed(order: OutputOrder, sink: Extract<OutputSink, { kind: 'ts' }>): Promise<OutputStarted> {
    if (order.tier !== 'source' || order.standing) {
      throw new Error(`${order.key}: a TS sink carries the camera's own stream, as an on-demand source-rate output only`);
    }
    const key = order.key;
    await this.halt(key);
    const lease = this.lease(order.camera.record.cameraNum, { prefer: 'largest', orStart: 'main' }, () => order.camera);
    if (!lease) throw new CameraFaultError('camera has no stream to play', 'no-stream');
    let detach: (() => void) | undefined;
    let closed = false;
    const feed: StreamFeed = {
      close: () => {
        if (closed) return;
        closed = true;
        detach?.();
        lease.release();
      },
    };
    this.feeds.set(key, feed);
    try {
      await lease.whenReady(this.config.first_frame_s * 1000).catch((e: Error) => {
        throw new CameraFaultError(e.message, 'no-video');
      });
      const ts = await sink.open();
      if (closed) throw new Error(`${key} was stopped while it started`);
      detach = lease.attach(ts);
      return { codec: lease.codec };
    } catch (e) {
      if (this.feeds.get(key) === feed) await this.drop(key);
      throw e;
    }
  }

  /**
   * Camera-side encoding or the camera's streams changed: every push of the camera whose stream
   * choice changed is built again on its new stream (a push whose choice stands is left alone).
   */
  private async replanCamera(cam: StoredCamera): Promise<void> {
    const cameraNum = cam.record.cameraNum;
    const selection = this.streams.selection(cam);
    for (const order of [...this.orders.values()].filter((o) => o.cameraNum === cameraNum)) {
      const choice = selection?.[order.tier];
      if (!choice || (choice.stream === order.choice.stream && choice.cameraEncoded === order.choice.cameraEncoded)) continue;
      this.log.info({ cameraNum, output: order.key, from: order.choice.why, to: choice.why }, 'push moved to another camera stream');
      // The old pipeline keeps its key while it stops, so a standing order repeated meanwhile
      // cannot start a second one; a stop asked for during the wait removes the key and wins.
      const old = this.pushes.get(order.key);
      await old?.stop();
      if (this.pushes.get(order.key) !== old) continue;
      this.pushes.delete(order.key);
      this.orders.delete(order.key);
      this.open(cam, { ...order, choice });
    }
  }

  /** A camera edited to new URLs: its running pulls move to them. */
  private updateCamera(cam: StoredCamera): void {
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
    return this.lease(cameraNum, want, () => this.cameras.byNum(cameraNum));
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
    await Promise.all([...this.pushes.keys(), ...this.feeds.keys()].map((k) => this.drop(k)));
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.sources.clear();
  }

  /** `camera` is read only when a pull must be started. */
  private lease(cameraNum: string, want: FrameRequest, camera: () => StoredCamera | undefined): FrameLease | undefined {
    let source = 'stream' in want ? undefined : streamOrder(want.prefer).map((stream) => this.sources.get(`${cameraNum}:${stream}`)).find((s) => s?.pulling);
    const start = 'stream' in want ? want.stream : want.orStart;
    if (!source && start) {
      const cam = camera();
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
    if (!url) throw new CameraFaultError(`camera has no ${order.choice.stream} stream URL`, 'no-stream');
    const source = this.source(order.cameraNum, order.choice.stream, url);
    const tier = order.tier;
    const role = order.standing ? 'constant' : 'ondemand';
    const pipeline = new PushPipeline({
      key: order.key,
      cameraNum: order.cameraNum,
      role,
      tier,
      source,
      params: order.params,
      url: order.url,
      cameraEncoded: order.choice.cameraEncoded,
      overlayFilter: this.overlay?.burn_in && tier !== 'source' ? (out) => this.overlayFilter(order.cameraNum, out) : undefined,
      config: this.config,
      runtime: this.rt,
      log: this.log,
    });
    pipeline.on('firstFrame', (ms: number) => this.events.emit('pushFirstFrame', order.cameraNum, role, ms));
    pipeline.on('idle', (reason: string) => void this.giveUp(order, reason));
    if (tier === 'low' || tier === 'high') {
      pipeline.on('drift', (reason: string) => {
        // The pipeline already transcodes again; the order must say so, or replanCamera would rebuild it once more.
        order.choice = { ...order.choice, cameraEncoded: false, why: `camera-encoded output drifted: ${reason}` };
        this.log.warn({ cameraNum: order.cameraNum, tier, reason }, 'camera-encoded output drifted from its tier: the gateway encodes it');
        this.events.emit('encodingDrift', order.cameraNum, tier, reason);
        const cam = this.cameras.byNum(order.cameraNum);
        if (cam) void this.replanCamera(cam);
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

  /** Stops the output under `key` and frees its slot. */
  private async drop(key: string): Promise<void> {
    this.budget.release(key);
    await this.halt(key);
  }

  /** Drops the output under `key` while it is still `pipeline` (not replaced or stopped meanwhile). */
  private async dropIf(key: string, pipeline: PushPipeline): Promise<void> {
    if (this.pushes.get(key) === pipeline) await this.drop(key);
  }

  /** Stops the output under `key`, keeping its slot (for the output that replaces it). */
  private async halt(key: string): Promise<void> {
    const feed = this.feeds.get(key);
    if (feed) {
      this.feeds.delete(key);
      feed.close();
    }
    const p = this.pushes.get(key);
    if (!p) return;
    this.pushes.delete(key);
    this.orders.delete(key);
    await p.stop();
  }

  /** An on-demand push that delivered nothing for give_up_s (PushPipeline emits 'idle' for those only). */
  private async giveUp(order: PushOrder, reason: string): Promise<void> {
    if (!this.pushes.has(order.key)) return;
    this.log.warn({ cameraNum: order.cameraNum, output: order.key, reason }, 'on-demand push delivered nothing for too long: stopped');
    await this.drop(order.key);
    this.events.emit('outputGone', order.key, reason);
  }
}
