// One RTMP push: a supervised FFmpeg fed from a shared camera pull, copy or transcode.
import { OVERLAY_FFMPEG_ENV } from '../overlay/drawtext.js';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Logger } from '../../log.js';
import { redactUrl } from '../../log.js';
import { outputArgs, type VideoEncode } from '../../protocols/ffmpeg/args.js';
import type { Lease } from '../../protocols/ffmpeg/scheduler.js';
import { Supervisor, type ExitInfo } from '../../protocols/ffmpeg/supervisor.js';
import type { ProgressUpdate } from '../../protocols/ffmpeg/progress.js';
import type { Tier } from '../../domain/tier.js';
import type { MediaStatusRow } from '../../store/mediaStatus.js';
import type { PushParams, UrlProvider } from './engine.js';
import { RateMeter } from './rateMeter.js';
import type { MediaConfig, MediaRuntime } from './runtime.js';
import type { SharedPull } from './source.js';
import { offTier, planOutput, TIER_DEFAULTS, type OutputPlan, type PlanOptions, type SourceFacts } from './tiers.js';

export interface PipelineOptions {
  key: string;
  cameraNum: string;
  role: 'constant' | 'ondemand';
  tier: Tier;
  source: SharedPull;
  params: () => PushParams;
  url: UrlProvider;
  /** The stream is this output, made by the camera's own encoder (verified): remuxed while it stays on tier. */
  cameraEncoded?: boolean;
  /** The overlay burn-in filter for an output box, when [overlay] burn_in is on. */
  overlayFilter?: (out: { width: number; height: number }) => string | undefined;
  config: PipelineConfig;
  runtime: Pick<MediaRuntime, 'ffmpeg' | 'deathSignalHelper' | 'scheduler' | 'caps'>;
  log: Logger;
}

/** The [media] keys a push uses. */
export type PipelineConfig = Pick<MediaConfig, 'give_up_s' | 'audio' | 'stall_s' | 'first_frame_s' | 'backoff_s' | 'hevc_passthrough' | 'x264_preset' | 'vaapi_device'>;

/** Consecutive off-tier GOPs before a camera-encoded stream counts as drifted (one scene change must not). */
export const DRIFT_GOPS = 3;

/**
 * Events: 'firstFrame' (ms from start), 'idle' (an on-demand push with no frame for `give_up_s`:
 * the engine then drops it), 'drift' (a camera-encoded stream left its tier: the push now transcodes).
 */
export class PushPipeline extends EventEmitter {
  private sup: Supervisor | undefined;
  private lease: Lease | undefined;
  private plan: OutputPlan | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly startedAt = Date.now();
  private lastFrameAt: number | undefined;
  private lastFrameCount = 0;
  private readonly rate = new RateMeter();
  private firstFrameMs: number | undefined;
  /** First frame of the current FFmpeg process; undefined while it has not sent one. */
  private runningSince: number | undefined;
  /** Process restarts plus relaunches after the camera pull came back. */
  private restarts = 0;
  private launches = 0;
  private lastError: string | undefined;
  private lastExitWithoutFrames = false;
  private lastUrl = '';
  private stopped = false;
  private replanWait: (() => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private cameraEncoded: boolean;
  private offTierGops = 0;
  private driftWatch: (() => void) | undefined;
  private readonly log: Logger;
  private readonly onReady = () => this.launch();
  private readonly onLost = () => void this.halt('camera pull restarted');

  constructor(private readonly o: PipelineOptions) {
    super();
    this.log = o.log.child({ cameraNum: o.cameraNum, output: o.key, tier: o.tier, role: o.role });
    this.cameraEncoded = o.cameraEncoded ?? false;
  }

  get source(): SharedPull {
    return this.o.source;
  }

  start(): void {
    const s = this.o.source;
    s.on('ready', this.onReady);
    s.on('lost', this.onLost);
    s.acquire(this.o.key);
    if (s.ready) this.launch();
    // Only on-demand pushes are ever given up; a constant push retries for as long as the daemon runs.
    if (this.o.role !== 'ondemand') return;
    const giveUpMs = this.o.config.give_up_s * 1000;
    this.idleTimer = setInterval(() => {
      if (Date.now() - (this.lastFrameAt ?? this.startedAt) > giveUpMs) this.emit('idle', this.lastError ?? 'no frame delivered');
    }, Math.min(5000, giveUpMs / 4));
    this.idleTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.idleTimer);
    const s = this.o.source;
    s.off('ready', this.onReady);
    s.off('lost', this.onLost);
    this.driftWatch?.();
    await this.halt('stopped');
    this.lease?.release();
    this.lease = undefined;
    s.release(this.o.key);
  }

  /** Resolves on the first frame pushed; rejects after `timeoutMs` with the reason. */
  whenFirstFrame(timeoutMs: number): Promise<void> {
    if (this.firstFrameMs !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('firstFrame', done);
        reject(new Error(this.lastError ?? `no frame pushed within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.once('firstFrame', done);
    });
  }

  status(now = Date.now()): MediaStatusRow {
    const p: ProgressUpdate | undefined = this.sup?.lastProgress;
    const running = this.sup?.state === 'running' && this.runningSince !== undefined;
    const plan = this.plan;
    const detail = [
      this.o.tier,
      plan ? (plan.encode ? `${this.lease?.encoder ?? 'libx264'} ${plan.encode.width}x${plan.encode.height} ${plan.encode.bitrateKbps}k` : 'copy') : '',
      plan?.stream ?? '',
      this.lastUrl ? redactUrl(this.lastUrl) : '',
    ]
      .filter(Boolean)
      .join(' ');
    return {
      key: this.o.key,
      cameraNum: this.o.cameraNum,
      role: this.o.role,
      state: this.stopped ? 'stopped' : running ? 'running' : !this.sup ? 'waiting for camera' : this.sup.state === 'backoff' ? 'retrying' : 'starting',
      detail,
      fps: this.sup ? this.rate.fps(now) : null,
      kbps: p?.bitrateKbps ?? null,
      frames: p?.frame ?? null,
      restarts: this.restarts,
      lastError: this.lastError ?? null,
      since: running ? this.runningSince! : null,
      updatedAt: now,
    };
  }

  private launch(): void {
    if (this.stopped || this.sup) return;
    const src = this.o.source;
    const rt = this.o.runtime;
    const f = src.fanout.stats();
    const plan = planOutput(this.o.tier, this.o.params(), this.facts(f.gopKbps), this.planOptions());
    if (plan.deviations.length > 0) this.log.warn({ deviations: plan.deviations }, 'request parameters not used');
    if (this.plan?.why !== plan.why) this.log.info({ plan: plan.why, encode: plan.encode }, 'output planned');
    this.plan = plan;
    if (plan.provisional) this.replanAfterGop();
    if (plan.cameraEncoded) this.watchDrift();
    if (plan.encode && !this.lease) this.lease = rt.scheduler.acquire(plan.tier);
    if (!plan.encode && this.lease) {
      this.lease.release();
      this.lease = undefined;
    }
    const sup = new Supervisor({
      name: `push ${this.o.cameraNum}/${plan.tier}`,
      command: rt.ffmpeg,
      args: async () => {
        this.lastUrl = await this.o.url({ afterFailure: this.lastExitWithoutFrames });
        return outputArgs({ encode: this.encodeOf(plan), audio: this.o.config.audio, url: this.lastUrl });
      },
      dataIn: true,
      // drawtext's clock is the child's local time: Beijing time whatever the box's zone (Appendix B).
      env: { ...process.env, ...OVERLAY_FFMPEG_ENV },
      stallMs: this.o.config.stall_s * 1000,
      firstFrameMs: this.o.config.first_frame_s * 1000,
      backoffMs: this.o.config.backoff_s.map((s) => s * 1000),
      deathSignalHelper: rt.deathSignalHelper,
      log: this.log,
    });
    sup.on('spawn', (info: { dataIn?: Writable }) => {
      this.unsubscribe?.();
      this.lastFrameCount = 0;
      this.runningSince = undefined;
      if (info.dataIn) this.unsubscribe = src.subscribe(info.dataIn);
    });
    sup.on('progress', (p: ProgressUpdate) => {
      this.rate.add(p.frame);
      if (p.frame > this.lastFrameCount) {
        this.lastFrameCount = p.frame;
        this.lastFrameAt = Date.now();
      }
    });
    sup.on('firstFrame', () => {
      this.lastExitWithoutFrames = false;
      this.lastFrameAt = this.runningSince = Date.now();
      if (this.firstFrameMs === undefined) {
        this.firstFrameMs = Date.now() - this.startedAt;
        this.emit('firstFrame', this.firstFrameMs);
      }
    });
    sup.on('exit', (e: ExitInfo) => {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      if (e.reason === 'stopped') return;
      this.restarts++;
      this.lastExitWithoutFrames = this.lastFrameCount === 0;
      this.lastError = sup.lastError ?? `${e.reason} (code ${e.code ?? e.signal})`;
      this.log.warn({ reason: e.reason, code: e.code, stderr: e.stderrTail.slice(-5) }, 'push ended; restarting');
    });
    this.sup = sup;
    if (this.launches++ > 0) this.restarts++;
    sup.start();
  }

  /** Plans again when the next keyframe completes a measured GOP; relaunches if the plan changed. */
  private replanAfterGop(): void {
    const fanout = this.o.source.fanout;
    const check = () => {
      this.replanWait = undefined;
      const kbps = fanout.stats().gopKbps;
      if (this.stopped || !this.plan?.provisional) return;
      // The keyframe that made the source ready may be this one: no whole GOP yet.
      if (kbps === undefined) return this.replanAfterGop();
      const next = planOutput(this.o.tier, this.o.params(), this.facts(kbps), this.planOptions());
      if (Boolean(next.encode) === Boolean(this.plan.encode)) {
        this.plan = next;
        this.log.info({ plan: next.why }, 'output plan confirmed');
        return;
      }
      this.log.warn({ plan: next.why }, 'source rate measured: output re-planned and restarted');
      void this.halt('re-planned').then(() => this.launch());
    };
    fanout.once('keyframe', check);
    this.replanWait = () => fanout.off('keyframe', check);
  }

  private facts(kbps: number | undefined): SourceFacts {
    const f = this.o.source.fanout.stats();
    return { codec: f.codec ?? 'h264', kbps, stream: this.o.source.stream, cameraEncoded: this.cameraEncoded };
  }

  /**
   * A remuxed camera encode is only as good as the camera: a rate or GOP that leaves the tier for
   * DRIFT_GOPS GOPs in a row (a camera ignoring BitrateLimit, someone changing it on the web page)
   * turns the push into a transcode of the same stream.
   */
  private watchDrift(): void {
    if (this.driftWatch) return;
    const fanout = this.o.source.fanout;
    const target = TIER_DEFAULTS[this.o.tier as 'low' | 'high'];
    const check = () => {
      if (this.stopped || !this.plan?.cameraEncoded) return;
      const reason = offTier(fanout.stats(), target);
      this.offTierGops = reason ? this.offTierGops + 1 : 0;
      if (!reason || this.offTierGops < DRIFT_GOPS) return;
      this.driftWatch?.();
      this.driftWatch = undefined;
      this.cameraEncoded = false;
      const why = `${reason} for ${DRIFT_GOPS} GOPs`;
      this.log.warn({ reason: why }, 'camera-encoded stream left its tier: transcoding it');
      this.emit('drift', why);
      void this.halt('camera encoding drifted').then(() => this.launch());
    };
    fanout.on('keyframe', check);
    this.driftWatch = () => fanout.off('keyframe', check);
  }

  private planOptions(): PlanOptions {
    return { hevcPassthrough: this.o.config.hevc_passthrough && this.o.runtime.caps.hevcInFlv };
  }

  private encodeOf(plan: OutputPlan): VideoEncode | undefined {
    if (!plan.encode) return undefined;
    const c = this.o.config;
    const low = plan.tier === 'low';
    const overlayFilter = this.o.overlayFilter?.({ width: plan.encode.width, height: plan.encode.height });
    return {
      ...plan.encode,
      ...(overlayFilter ? { overlayFilter } : {}),
      encoder: (this.lease?.encoder ?? 'libx264') as VideoEncode['encoder'],
      preset: c.x264_preset,
      // One thread keeps CIF encodes cheap and predictable; bigger tiers need more.
      threads: low ? 1 : 0,
      fastDecode: low,
      vaapiDevice: c.vaapi_device,
    };
  }

  private async halt(why: string): Promise<void> {
    this.replanWait?.();
    this.replanWait = undefined;
    const sup = this.sup;
    this.sup = undefined;
    if (!sup) return;
    this.log.debug({ why }, 'push halting');
    await sup.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.rate.reset();
  }
}
