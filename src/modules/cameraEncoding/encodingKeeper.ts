// Keeps each camera's ONVIF facts fresh and its camera-side encoding configured and verified: at
// registration (within the reconcile period) and every `media.encoding_check_s`. Each check is
// announced (cameraStreamsChecked); the engine decides whether a push moves to another stream.
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import { measureStream } from '../../protocols/ffmpeg/measure.js';
import { connectOnvif, type OnvifConnectOptions, type OnvifDevice } from '../../protocols/onvif/index.js';
import type { CameraEncodedTier, CameraEncodingStore } from '../../store/cameraEncoding.js';
import type { CameraOnvifStore, OnvifFacts } from '../../store/cameraOnvif.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { StreamRole } from '../../domain/camera.js';
import { CameraRounds } from '../cameras/cameraRounds.js';
import { readOnvifFacts } from '../cameras/onvifFacts.js';
import { onvifErrorText } from '../cameras/onvifRegistration.js';
import { checkCameraEncoding } from './cameraEncoding.js';
import { ACCESS_URL, withCredentials, type CameraStreams } from './cameraStreams.js';
import type { GatewayBus } from '../events.js';

export interface EncodingKeeperOptions {
  cameras: CameraStore;
  streams: CameraStreams;
  onvif: CameraOnvifStore;
  encoding: CameraEncodingStore;
  intervalMs: number;
  reconcileMs?: number;
  ffprobe?: string;
  /** Announces every check (cameraStreamsChecked); brings the engine's drifts (encodingDrift). */
  events: GatewayBus;
  connect?: (o: OnvifConnectOptions) => Promise<OnvifDevice>;
  timeoutMs?: number;
  log: Logger;
  now?: () => number;
}

export type KeeperResult = { cameraNum: string; encoder: 'gateway' | 'camera'; ok: boolean; detail: string };

/** A failed check is tried again after this, doubling with each failure in a row up to the check interval. */
const RETRY_FIRST_MS = 30_000;

export class EncodingKeeper {
  private readonly rounds: CameraRounds<KeeperResult>;
  private readonly attempted = new Map<string, number>();
  /** Failed checks in a row per camera: a camera that did not answer under load is not left transcoded until the next hourly round. */
  private readonly failures = new Map<string, number>();
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly o: EncodingKeeperOptions) {
    this.now = o.now ?? Date.now;
    this.log = moduleLog(o.log, 'camera-encoding');
    this.rounds = new CameraRounds({
      cameras: o.cameras,
      intervalMs: o.intervalMs,
      reconcileMs: o.reconcileMs,
      // ffprobe reads are a few seconds each (a CIF sub-stream costs little to decode): eight at once
      // check 50 cameras at a first boot within the constant pushes' wait, and keep an hourly round of 200 short.
      concurrency: 8,
      eligible: (c) => Boolean(c.access.onvifUrl) || o.streams.encoderOf(c) === 'camera' || o.encoding.get(c.record.cameraNum) !== undefined,
      lastAttempt: (c) => this.attempted.get(c.record.cameraNum),
      dueAgain: (c) => this.retryDue(c.record.cameraNum),
      run: (c) => this.keep(c),
    });
    o.events.on('encodingDrift', this.onDrift);
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    this.o.events.off('encodingDrift', this.onDrift);
    return this.rounds.stop();
  }

  private readonly onDrift = (cameraNum: string, tier: CameraEncodedTier, reason: string): void => this.recordDrift(cameraNum, tier, reason);

  checkOne(cam: StoredCamera): Promise<KeeperResult> | undefined {
    return this.rounds.runOne(cam);
  }

  private retryDue(cameraNum: string): boolean {
    const failed = this.failures.get(cameraNum);
    const last = this.attempted.get(cameraNum);
    if (!failed || last === undefined) return false;
    const wait = Math.min(RETRY_FIRST_MS * 2 ** (failed - 1), this.o.intervalMs);
    return this.now() - last >= wait;
  }

  /** The engine saw a camera-encoded output leave its tier: that output is the gateway's again until the next check. */
  recordDrift(cameraNum: string, tier: CameraEncodedTier, reason: string): void {
    const cur = this.o.encoding.get(cameraNum);
    if (!cur?.streams[tier]) return;
    const streams = { ...cur.streams };
    delete streams[tier];
    const note = `${tier === 'low' ? '128 kbps' : '1 Mbps'} output drifted while pushed: ${reason}`;
    this.o.encoding.put(cameraNum, { state: streams.low ? 'camera' : 'fallback', streams, reason: cur.reason ? `${note}; ${cur.reason}` : note, checkedAt: this.now() });
  }

  private async keep(cam: StoredCamera): Promise<KeeperResult> {
    const cameraNum = cam.record.cameraNum;
    this.attempted.set(cameraNum, this.now());
    const log = this.log.child({ camera: cam.id });
    const encoder = this.o.streams.encoderOf(cam);
    let result: KeeperResult;
    try {
      if (encoder === 'camera') {
        const check = await checkCameraEncoding(cam, {
          measure: (url, seconds) => measureStream(url, { seconds, ffprobePath: this.o.ffprobe }),
          urlOf: (c, role, facts) => this.urlWith(c, role, facts),
          connect: this.o.connect,
          timeoutMs: this.o.timeoutMs,
          now: this.now,
          log,
        });
        if (this.rounds.isStopped) return { cameraNum, encoder, ok: false, detail: 'stopped' };
        if (check.facts) this.o.onvif.put(cameraNum, check.facts, this.now());
        this.o.encoding.put(cameraNum, check.state);
        const s = check.state;
        const detail = s.state === 'camera' ? `camera encodes ${Object.keys(s.streams).join(' and ')}${s.reason ? `; ${s.reason}` : ''}` : `gateway encodes: ${s.reason ?? ''}`;
        log[s.state === 'camera' && !s.reason ? 'info' : 'warn']({ state: s.state, streams: s.streams }, detail);
        result = { cameraNum, encoder, ok: s.state === 'camera', detail };
      } else {
        this.o.encoding.remove(cameraNum);
        result = await this.refreshFacts(cam);
      }
    } catch (err) {
      result = { cameraNum, encoder, ok: false, detail: err instanceof Error ? err.message : String(err) };
      log.error({ err: result.detail }, 'camera upkeep failed');
    }
    if (result.ok) this.failures.delete(cameraNum);
    else this.failures.set(cameraNum, (this.failures.get(cameraNum) ?? 0) + 1);
    if (!this.rounds.isStopped) this.o.events.emit('cameraStreamsChecked', this.o.cameras.byNum(cameraNum) ?? cam);
    return result;
  }

  private async refreshFacts(cam: StoredCamera): Promise<KeeperResult> {
    const cameraNum = cam.record.cameraNum;
    const url = cam.access.onvifUrl;
    if (!url) return { cameraNum, encoder: 'gateway', ok: true, detail: 'no ONVIF address' };
    try {
      const dev = await (this.o.connect ?? connectOnvif)({ url, user: cam.access.onvifUser ?? '', password: cam.access.onvifPassword ?? '', timeoutMs: this.o.timeoutMs ?? 5000 });
      const facts = await readOnvifFacts(dev);
      if (!this.rounds.isStopped) this.o.onvif.put(cameraNum, facts, this.now());
      return { cameraNum, encoder: 'gateway', ok: true, detail: `${facts.profiles.filter((p) => p.role).length} stream(s) read over ONVIF` };
    } catch (err) {
      const detail = onvifErrorText(err);
      this.log.warn({ camera: cam.id, err: detail }, 'reading the camera over ONVIF failed');
      return { cameraNum, encoder: 'gateway', ok: false, detail };
    }
  }

  /** A stream URL from facts read just now, before they are stored. */
  private urlWith(cam: StoredCamera, role: StreamRole, facts: OnvifFacts | undefined): string | undefined {
    const typed = cam.access[ACCESS_URL[role]];
    if (typed) return typed;
    const fresh = facts?.profiles.find((p) => p.role === role)?.streamUri;
    return fresh ? withCredentials(fresh, cam.access.onvifUser, cam.access.onvifPassword) : this.o.streams.urlOf(cam, role);
  }
}
