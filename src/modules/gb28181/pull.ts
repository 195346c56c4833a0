// A GB/T 28181 channel as a camera pull of the media engine: INVITE (SDP with y= SSRC, f=, setup
// for TCP), PS over RTP received on a port of the configured range (UDP, TCP passive) or by
// connecting to the device (TCP active), converted to MPEG-TS by `receivePsStream`, handed to the
// SharedPull exactly as FFmpeg's stdout would be. It has the Supervisor's life cycle and events
// ('spawn' with stdout, 'progress', 'exit') so the source, its fan-out, every tier, snapshots and
// `vcgw status` work unchanged: BYE on stop, and a new INVITE (after the back-off) when media stops.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Logger } from '../../log.js';
import { GB_RTPMAPS, buildSdp, formatFLine, makeSsrc, parseSdp, ssrcNumber, type MediaTransport } from '../../protocols/gb28181/index.js';
import type { ExitInfo, ExitReason, SupervisorState } from '../../protocols/ffmpeg/supervisor.js';
import type { ProgressUpdate } from '../../protocols/ffmpeg/progress.js';
import { receivePsStream, type PsStreamReceiver } from '../../protocols/ps/receiveStream.js';
import type { PortAllocator } from '../../protocols/rtp/ports.js';
import type { Dialog } from '../../protocols/sip/index.js';
import type { GbRegistrar } from './registrar.js';

/**
 * How the engine names a GB channel where an RTSP camera has a URL; a camera's own stream transport
 * (where it differs from [gb28181] stream_transport) is part of the name, so changing it opens a new pull.
 */
export const GB_URL_PREFIX = 'gb28181:';
export const gbStreamUrl = (deviceId: string, channelId: string, transport?: MediaTransport): string =>
  `${GB_URL_PREFIX}${deviceId}/${channelId}${transport ? `?transport=${transport}` : ''}`;
export function parseGbStreamUrl(url: string): { deviceId: string; channelId: string; transport?: MediaTransport } | undefined {
  const m = /^gb28181:(\d{20})\/(\d{20})(?:\?transport=(udp|tcp-passive|tcp-active))?$/.exec(url);
  if (!m) return undefined;
  return m[3] ? { deviceId: m[1]!, channelId: m[2]!, transport: m[3] as MediaTransport } : { deviceId: m[1]!, channelId: m[2]! };
}

export interface GbMediaDeps {
  registrar: GbRegistrar;
  ports: PortAllocator;
  /** Our address in the SDP offer (where devices send media / connect to). */
  mediaAddress: string;
  /** Local address the media links bind. */
  bindHost: string;
  transport: MediaTransport;
  sipId: string;
  domain: string;
}

export interface GbPullOptions {
  deviceId: string;
  channelId: string;
  deps: GbMediaDeps;
  /** No RTP for this long: the stream is given up and INVITEd again. */
  stallMs: number;
  /** No decodable frame this long after the INVITE: likewise. */
  firstFrameMs: number;
  backoffMs: readonly number[];
  log: Logger;
}

/** RTP counts over a pull's whole life (all its INVITEs), for /metrics. */
export interface GbPullRtpTotals {
  received: number;
  lost: number;
  reordered: number;
}

interface RunEnd {
  reason: ExitReason;
  detail?: string;
}

/** SSRC serials (4 digits of y=) handed out round-robin per process. */
let ssrcSerial = 0;
const nextSerial = () => (ssrcSerial = (ssrcSerial % 9999) + 1);

const WATCH_MS = 250;
const TCP_CONNECT_MS = 5000;

export class GbPull extends EventEmitter {
  private _state: SupervisorState = 'idle';
  private _restarts = 0;
  private _lastError: string | undefined;
  private _lastProgress: ProgressUpdate | undefined;
  private generation = 0;
  private failures = 0;
  /** Ends the current run (stop, restart, media loss) with its reason. */
  private endRun: ((end: RunEnd) => void) | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private _invites = 0;
  private readonly ended: GbPullRtpTotals = { received: 0, lost: 0, reordered: 0 };
  private receiving: PsStreamReceiver | undefined;

  constructor(private readonly o: GbPullOptions) {
    super();
  }

  get deviceId(): string {
    return this.o.deviceId;
  }

  get channelId(): string {
    return this.o.channelId;
  }

  get transport(): MediaTransport {
    return this.o.deps.transport;
  }

  /** INVITEs sent for this pull (every one after the first is a re-INVITE). */
  get invites(): number {
    return this._invites;
  }

  rtpTotals(): GbPullRtpTotals {
    const j = this.receiving?.stats().rtp.jitter;
    return { received: this.ended.received + (j?.received ?? 0), lost: this.ended.lost + (j?.lost ?? 0), reordered: this.ended.reordered + (j?.reordered ?? 0) };
  }

  get state(): SupervisorState {
    return this._state;
  }

  get restarts(): number {
    return this._restarts;
  }

  get lastError(): string | undefined {
    return this._lastError;
  }

  get lastProgress(): ProgressUpdate | undefined {
    return this._lastProgress;
  }

  start(): void {
    if (this.loop) return;
    this._state = 'starting';
    this.loop = this.runLoop();
  }

  async stop(): Promise<void> {
    if (this._state === 'stopped' || this._state === 'idle') return;
    this._state = 'stopping';
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.wake?.();
    this.endRun?.({ reason: 'stopped' });
    await this.loop;
    this._state = 'stopped';
  }

  async restart(reason: string): Promise<void> {
    if (this._state === 'backoff') {
      this.wake?.();
      return;
    }
    this.endRun?.({ reason: 'restart-requested', detail: reason });
  }

  private wake: (() => void) | undefined;

  private get stopping(): boolean {
    return this._state === 'stopping' || this._state === 'stopped';
  }

  private async runLoop(): Promise<void> {
    while (!this.stopping) {
      const delivered = await this.runOnce();
      if (this.stopping) break;
      this._restarts++;
      this.failures = delivered ? 0 : this.failures + 1;
      if (this.failures === 0) continue; // a run that delivered frames is INVITEd again at once
      const steps = this.o.backoffMs;
      const delay = steps[Math.min(this.failures - 1, steps.length - 1)] ?? 1000;
      this._state = 'backoff';
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.backoffTimer = setTimeout(resolve, delay);
      });
      this.wake = undefined;
    }
  }

  /** One INVITE → media → end; resolves whether it delivered frames. */
  private async runOnce(): Promise<boolean> {
    const { deviceId, channelId, deps, log } = this.o;
    const gen = ++this.generation;
    const startedAt = Date.now();
    const stdout = new PassThrough({ highWaterMark: 1 << 20 });
    let rx: PsStreamReceiver | undefined;
    let dialog: Dialog | null = null;
    let watch: NodeJS.Timeout | undefined;
    let frames = 0;
    const ended = new Promise<RunEnd>((resolve) => {
      let done = false;
      this.endRun = (end) => {
        if (done) return;
        done = true;
        resolve(end);
      };
    });
    const finish = this.endRun!;
    this._state = 'starting';
    try {
      if (!deps.registrar.isOnline(deviceId)) throw new Error(`GB device ${deviceId} is offline or not registered`);
      const y = makeSsrc(false, deps.domain, nextSerial());
      const ssrc = ssrcNumber(y);
      const open = (link: Parameters<typeof receivePsStream>[0]['link']) =>
        receivePsStream({
          link,
          ssrc: { expected: ssrc, onMismatch: 'accept' },
          onTs: (ts) => stdout.write(ts),
        });
      let port = 9; // TCP active: we connect, so no port to offer (RFC 4145)
      if (deps.transport !== 'tcp-active') {
        rx = await open({ mode: deps.transport, host: deps.bindHost, ports: deps.ports });
        port = rx.link.localPort;
      }
      const offer = buildSdp({
        username: deps.sipId,
        sessionId: '0',
        sessionName: 'Play',
        address: deps.mediaAddress,
        port,
        transport: deps.transport,
        direction: 'recvonly',
        rtpmaps: [...GB_RTPMAPS],
        ssrc: y,
        f: formatFLine({}),
        time: [0, 0],
      });
      if (this.stopping) throw new Error('stopped');
      this._invites++;
      const answer = await deps.registrar.invite(deviceId, channelId, offer, y);
      dialog = answer.dialog;
      if (!dialog) throw new Error(`INVITE of ${channelId} answered ${answer.response.status} ${answer.response.reason}`);
      dialog.onEnd((why) => finish({ reason: 'exited', detail: `dialog ended (${why})` }));
      if (deps.transport === 'tcp-active') {
        const sdp = parseSdp(answer.response.body.toString('utf8'));
        if (!sdp.ok) throw new Error(`SDP answer unreadable: ${sdp.error}`);
        rx = await open({ mode: 'tcp-active', remote: { address: sdp.sdp.address, port: sdp.sdp.port }, connectTimeoutMs: TCP_CONNECT_MS });
      }
      const receiving = rx!;
      this.receiving = receiving;
      receiving.link.once('close', () => finish({ reason: 'exited', detail: 'media connection closed by the device' }));
      receiving.receiver.once('ssrc-mismatch', (got, expected) => log.warn({ deviceId, channelId, ssrc: got, expected }, 'GB stream SSRC differs from the y= line; taken'));
      log.info({ deviceId, channelId, transport: deps.transport, port: receiving.link.localPort, ssrc: y }, 'GB channel INVITEd');
      this._state = 'running';
      this.emit('spawn', { pid: 0, stdout, generation: gen });
      let lastTick = Date.now();
      let lastFrames = 0;
      watch = setInterval(() => {
        const st = receiving.stats();
        frames = st.ps.framesOut;
        const now = Date.now();
        if (now - lastTick >= 1000) {
          this._lastProgress = { frame: frames, fps: ((frames - lastFrames) * 1000) / (now - lastTick), end: false };
          this.emit('progress', this._lastProgress);
          lastTick = now;
          lastFrames = frames;
        }
        const last = st.rtp.lastPacketAt;
        if (frames === 0 && now - startedAt > this.o.firstFrameMs) finish({ reason: 'no-first-frame', detail: `no decodable frame from ${channelId} in ${this.o.firstFrameMs / 1000} s` });
        else if (now - (last ?? startedAt) > this.o.stallMs) finish({ reason: 'stalled', detail: `no media from ${channelId} for ${this.o.stallMs / 1000} s` });
      }, WATCH_MS);
    } catch (err) {
      finish({ reason: this.stopping ? 'stopped' : 'spawn-error', detail: (err as Error).message });
    }
    const end = await ended;
    this.endRun = undefined;
    if (watch) clearInterval(watch);
    if (rx) {
      const st = rx.stats();
      frames = st.ps.framesOut;
      if (this.receiving === rx) {
        this.ended.received += st.rtp.jitter.received;
        this.ended.lost += st.rtp.jitter.lost;
        this.ended.reordered += st.rtp.jitter.reordered;
        this.receiving = undefined;
      }
    }
    // Not awaited: a device that vanished would hold the next INVITE for a whole Timer F.
    if (dialog && !dialog.terminated) void dialog.bye().catch(() => undefined);
    await rx?.close();
    stdout.end();
    if (end.reason !== 'stopped' && end.reason !== 'restart-requested') this._lastError = end.detail;
    if (end.reason !== 'stopped') log.warn({ deviceId, channelId, reason: end.reason, detail: end.detail }, 'GB channel stream ended');
    const info: ExitInfo = { code: null, signal: null, reason: end.reason, detail: end.detail, runMs: Date.now() - startedAt, stderrTail: end.detail ? [end.detail] : [], generation: gen };
    this.emit('exit', info);
    return frames > 0;
  }
}
