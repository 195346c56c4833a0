// The media engine: camera pulls shared per stream, one supervised FFmpeg per push.
import type { Logger } from '../../log.js';
import { VIDEO_TYPES, type VideoType } from '../../protocols/province/messages.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { MediaStatusRow } from '../../store/mediaStatus.js';
import { CameraFaultError, type MediaEngine, type PushParams, type PushTarget } from './engine.js';
import { PushPipeline, type UrlProvider } from './pushPipeline.js';
import type { MediaRuntime } from './runtime.js';
import { CameraSource, type SourceStatus, type StreamName } from './source.js';

const onDemandKey = (cameraNum: string, videoType: VideoType) => `push:${cameraNum}:${videoType}`;
const constantKey = (cameraNum: string) => `constant:${cameraNum}`;

/** The camera stream an output reads: the low tier prefers the cheap sub-stream (issue 3 item 6). */
export function streamFor(videoType: VideoType, cam: StoredCamera): { stream: StreamName; url: string } | undefined {
  const { rtspMain, rtspSub } = cam.access;
  if (videoType === VIDEO_TYPES.low && rtspSub) return { stream: 'sub', url: rtspSub };
  if (rtspMain) return { stream: 'main', url: rtspMain };
  return rtspSub ? { stream: 'sub', url: rtspSub } : undefined;
}

export class FfmpegMediaEngine implements MediaEngine {
  onGone?: MediaEngine['onGone'];
  private readonly sources = new Map<string, CameraSource>();
  private readonly pushes = new Map<string, PushPipeline>();
  private readonly log: Logger;

  constructor(
    private readonly rt: MediaRuntime,
    private readonly cameras: CameraStore,
    log: Logger,
  ) {
    this.log = log.child({ mod: 'media' });
  }

  async start(target: PushTarget): Promise<void> {
    const cam = this.cameras.byNum(target.cameraNum);
    if (!cam) throw new CameraFaultError('camera not registered on this gateway');
    const pick = streamFor(target.videoType, cam);
    if (!pick) throw new CameraFaultError('camera has no RTSP URL configured');
    const key = onDemandKey(target.cameraNum, target.videoType);
    await this.drop(key);
    const source = this.source(target.cameraNum, pick.stream, pick.url);
    const timeoutMs = this.rt.config.start_timeout_s * 1000;
    const started = Date.now();
    const pipeline = this.pipeline(key, 'ondemand', target.cameraNum, target.videoType, source, () => target.params, async () => target.url);
    pipeline.on('idle', (reason: string) => void this.giveUp(key, target, reason));
    this.pushes.set(key, pipeline);
    pipeline.start();
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
    const pick = streamFor(VIDEO_TYPES.low, cam);
    if (!pick || this.pushes.has(key)) return false;
    const source = this.source(cam.record.cameraNum, pick.stream, pick.url);
    const pipeline = this.pipeline(key, 'constant', cam.record.cameraNum, VIDEO_TYPES.low, source, params, url);
    this.pushes.set(key, pipeline);
    pipeline.start();
    return true;
  }

  async stopConstant(cameraNum: string): Promise<void> {
    await this.drop(constantKey(cameraNum));
  }

  constantCameras(): string[] {
    return [...this.pushes.keys()].filter((k) => k.startsWith('constant:')).map((k) => k.slice('constant:'.length));
  }

  /** A camera edited to new URLs: its running pulls move to them. */
  updateCamera(cam: StoredCamera): void {
    for (const stream of ['main', 'sub'] as const) {
      const url = stream === 'main' ? cam.access.rtspMain : cam.access.rtspSub;
      const s = this.sources.get(`${cam.record.cameraNum}:${stream}`);
      if (s && url) s.setUrl(url);
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
    await Promise.all([...this.pushes.keys()].map((k) => this.drop(k)));
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.sources.clear();
  }

  private source(cameraNum: string, stream: StreamName, url: string): CameraSource {
    const key = `${cameraNum}:${stream}`;
    let s = this.sources.get(key);
    if (!s) {
      s = new CameraSource(cameraNum, stream, url, this.rt, this.log);
      this.sources.set(key, s);
    } else {
      s.setUrl(url);
    }
    return s;
  }

  private pipeline(
    key: string,
    role: 'constant' | 'ondemand',
    cameraNum: string,
    videoType: VideoType,
    source: CameraSource,
    params: () => PushParams,
    url: UrlProvider,
  ): PushPipeline {
    return new PushPipeline({ key, cameraNum, role, videoType, source, params, url, runtime: this.rt, log: this.log });
  }

  private async drop(key: string): Promise<void> {
    const p = this.pushes.get(key);
    if (!p) return;
    this.pushes.delete(key);
    await p.stop();
  }

  private async giveUp(key: string, target: PushTarget, reason: string): Promise<void> {
    if (!this.pushes.has(key)) return;
    this.log.warn({ cameraNum: target.cameraNum, videoType: target.videoType, reason }, 'on-demand push delivered nothing for too long: stopped');
    await this.drop(key);
    this.onGone?.(target.cameraNum, target.videoType, reason);
  }
}
