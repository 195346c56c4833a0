// One pull of one camera stream, shared by every output of that stream (issue 3 item 6:
// cameras allow few RTSP sessions, and the camera network is the scarce link).
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Logger } from '../../log.js';
import { redactUrl } from '../../log.js';
import { sourceArgs } from '../../protocols/ffmpeg/args.js';
import type { ProgressUpdate } from '../../protocols/ffmpeg/progress.js';
import { Supervisor, type ExitInfo } from '../../protocols/ffmpeg/supervisor.js';
import { TsFanout, type FanoutSink } from '../../protocols/mpegts/fanout.js';
import type { StreamRole } from '../../domain/camera.js';
import type { SourceCodec } from './tiers.js';
import { RateMeter } from './rateMeter.js';
import type { MediaConfig, MediaRuntime } from './runtime.js';

export type StreamName = StreamRole;

/**
 * A pull as its source sees it: FFmpeg under a Supervisor (RTSP), or another kind with the same
 * life cycle and events — 'spawn' with the MPEG-TS stdout, 'progress', 'exit' (GB/T 28181: modules/gb28181/pull.ts).
 */
export type CameraPull = Pick<Supervisor, 'start' | 'stop' | 'restart' | 'lastError' | 'lastProgress' | 'state' | 'restarts'> & Pick<EventEmitter, 'on'>;
/** Makes the pull of a URL of one kind (undefined: not this kind's URL). */
export type PullFactory = (url: string, log: Logger) => CameraPull | undefined;

/**
 * One way of pulling a camera stream into MPEG-TS. The stream URL, made from the camera record
 * (an RTSP URL, or `gb28181:DEVICE/CHANNEL` for a GB/T 28181 channel), chooses the kind: the
 * engine asks its kinds in order and the first whose `pull` answers runs it.
 */
export interface SourceKind {
  readonly name: string;
  /** The pull of the stream, or undefined when the URL is not this kind's. `url` is read at each (re)start. */
  pull(o: { url: () => string; name: string; log: Logger }): CameraPull | undefined;
}

/** A kind from a factory of the URL at the time of the first start (GB/T 28181's `pullFactory`). */
export function sourceKindOf(name: string, factory: () => PullFactory): SourceKind {
  return { name, pull: (o) => factory()(o.url(), o.log) };
}

export type RtspPullConfig = Pick<MediaConfig, 'rtsp_transport' | 'rtsp_timeout_s' | 'stall_s' | 'first_frame_s' | 'backoff_s'>;

/** The RTSP kind: FFmpeg under a Supervisor; it takes any URL, so it comes last. */
export function rtspSourceKind(c: RtspPullConfig, rt: Pick<MediaRuntime, 'ffmpeg' | 'deathSignalHelper'>): SourceKind {
  return {
    name: 'rtsp',
    pull: ({ url, name, log }) =>
      new Supervisor({
        name,
        command: rt.ffmpeg,
        args: () => sourceArgs({ url: url(), rtspTransport: c.rtsp_transport, timeoutS: c.rtsp_timeout_s }),
        stdout: 'pipe',
        stallMs: c.stall_s * 1000,
        firstFrameMs: c.first_frame_s * 1000,
        backoffMs: c.backoff_s.map((s) => s * 1000),
        deathSignalHelper: rt.deathSignalHelper,
        log,
      }),
  };
}

export interface SourceStatus {
  cameraNum: string;
  stream: StreamName;
  state: string;
  codec?: SourceCodec;
  fps: number | null;
  kbps: number | null;
  frames: number | null;
  keyIntervalMs?: number;
  lastKeyAt?: number;
  restarts: number;
  lastError: string | null;
  since: number | null;
  users: number;
  /** Consecutive starts that never produced a keyframe: the camera answers but sends no video. */
  failedStarts: number;
}

/**
 * Events: 'ready' (a keyframe is cached: outputs can start), 'lost' (the pull ended or restarted:
 * its timestamps start over, so outputs must restart too).
 */
export class SharedPull extends EventEmitter {
  readonly fanout = new TsFanout();
  private sup: CameraPull | undefined;
  private readonly users = new Set<string>();
  private lingerTimer: NodeJS.Timeout | undefined;
  private readySince: number | undefined;
  private failedStarts = 0;
  private readonly rate = new RateMeter();
  private readonly log: Logger;

  constructor(
    readonly cameraNum: string,
    readonly stream: StreamName,
    private url: string,
    /** [media] source_linger_s: how long an unused pull stays up for the next user. */
    private readonly lingerS: number,
    log: Logger,
    /** Tried in order; the last takes any URL. */
    private readonly kinds: readonly SourceKind[],
  ) {
    super();
    this.setMaxListeners(0);
    this.log = log.child({ cameraNum, stream });
    this.fanout.on('ready', () => {
      this.readySince = Date.now();
      this.failedStarts = 0;
      this.emit('ready');
    });
  }

  get ready(): boolean {
    return this.fanout.ready;
  }

  /** A pull is running or lingering (not idle). */
  get pulling(): boolean {
    return this.sup !== undefined;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** A camera edited to a new URL: the pull restarts on it when it is running. */
  setUrl(url: string): void {
    if (url === this.url) return;
    this.url = url;
    if (this.sup) void this.sup.restart('camera URL changed');
  }

  acquire(user: string): void {
    this.users.add(user);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (!this.sup) this.startPull();
  }

  release(user: string): void {
    if (!this.users.delete(user) || this.users.size > 0 || !this.sup) return;
    const linger = this.lingerS * 1000;
    this.lingerTimer = setTimeout(() => void this.stopPull('no outputs left'), linger);
    this.lingerTimer.unref();
  }

  subscribe(sink: FanoutSink): () => void {
    return this.fanout.subscribe(sink);
  }

  /** Resolves when a keyframe is cached; rejects after `timeoutMs` with the pull's last error. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('ready', done);
        reject(new Error(this.sup?.lastError ?? `no video from the camera's ${this.stream} stream within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.on('ready', done);
    });
  }

  async close(): Promise<void> {
    this.users.clear();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    await this.stopPull('closed');
  }

  status(): SourceStatus {
    const f = this.fanout.stats();
    const p = this.sup?.lastProgress;
    return {
      cameraNum: this.cameraNum,
      stream: this.stream,
      state: !this.sup ? 'idle' : this.ready ? 'running' : this.sup.state === 'backoff' ? 'retrying' : 'connecting',
      codec: f.codec,
      fps: this.sup ? this.rate.fps() : null,
      kbps: f.ready ? f.videoKbps : null,
      frames: p ? p.frame : null,
      keyIntervalMs: f.keyIntervalMs,
      lastKeyAt: f.lastKeyAt,
      restarts: this.sup?.restarts ?? 0,
      lastError: this.sup?.lastError ?? null,
      since: this.readySince ?? null,
      users: this.users.size,
      failedStarts: this.failedStarts,
    };
  }

  private startPull(): void {
    const o = { url: () => this.url, name: `source ${this.cameraNum}/${this.stream}`, log: this.log };
    const sup = this.kinds.reduce<CameraPull | undefined>((found, kind) => found ?? kind.pull(o), undefined);
    if (!sup) throw new Error(`no source kind pulls ${redactUrl(this.url)}`);
    sup.on('spawn', (info: { stdout?: Readable }) => {
      info.stdout?.on('data', (chunk: Buffer) => this.fanout.push(chunk));
    });
    sup.on('progress', (p: ProgressUpdate) => this.rate.add(p.frame));
    sup.on('exit', (e: ExitInfo) => this.onExit(e));
    this.sup = sup;
    this.log.info({ url: redactUrl(this.url) }, 'camera pull starting');
    sup.start();
  }

  private onExit(e: ExitInfo): void {
    const hadVideo = this.readySince !== undefined;
    this.fanout.reset();
    this.readySince = undefined;
    if (e.reason !== 'stopped') {
      if (!hadVideo) this.failedStarts++;
      this.log.warn({ reason: e.reason, code: e.code, signal: e.signal, stderr: e.stderrTail.slice(-5) }, 'camera pull ended; restarting');
    }
    this.emit('lost', e.reason);
  }

  private async stopPull(why: string): Promise<void> {
    const sup = this.sup;
    if (!sup) return;
    this.sup = undefined;
    this.log.info({ why }, 'camera pull stopping');
    await sup.stop();
    this.fanout.reset();
    this.readySince = undefined;
  }
}
