// Issue 5 item 2: every camera's picture diagnosed every hour (its snapshot plus a short burst of
// frames) and reported with ReportCameraQuality; each 5-minute snapshot is also checked on its own,
// so a new anomaly is diagnosed in full and reported at once, not at the next hour.
import type { Logger } from '../../log.js';
import { moduleLog } from '../../log.js';
import type { QualityItem } from '../../protocols/province/reports.js';
import type { CameraQualityStore } from '../../store/cameraQuality.js';
import type { CameraQualityReferenceStore, ReferenceRow } from '../../store/cameraQualityReference.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import type { OutboxStore } from '../../store/outbox.js';
import type { Snapshot } from '../../store/snapshots.js';
import { CameraRounds } from '../cameras/cameraRounds.js';
import type { CameraHealth } from '../health/cameraHealth.js';
import type { GatewayBus } from '../events.js';
import { confidenceList, diagnose, statusBits, type DiagnoseOptions } from './diagnose.js';
import type { FrameBurst } from './frames.js';
import { learn, type PictureReference } from './reference.js';
import { CONDITIONS, type Condition, type Diagnosis, type Frame } from './types.js';

const NO_FRAMES_RETRY_MS = 3000;

/** Conditions that leave no usable picture: the camera is reported as a fault (online = 2). */
export const UNUSABLE: readonly Condition[] = ['signalLost', 'frozen'];

const LABEL: Readonly<Record<Condition, string>> = {
  signalLost: 'signal lost',
  occluded: 'occluded',
  blurred: 'blurred',
  brightness: 'brightness abnormal',
  frozen: 'frozen',
  noise: 'noise',
  flicker: 'flicker',
  stripes: 'rolling stripes',
};

export interface QualityServiceOptions {
  cameras: Pick<CameraStore, 'all' | 'byNum'>;
  health: Pick<CameraHealth, 'isReachable' | 'setPictureFault'>;
  store: CameraQualityStore;
  /** Each camera's picture when last judged normal; learned here, reset by camera edits. */
  references: CameraQualityReferenceStore;
  /** When the camera was last moved by PTZ: a reference learned before shows another view. */
  lastMoveAt?: (cameraNum: string) => number | undefined;
  outbox: Pick<OutboxStore, 'enqueue'>;
  /** A burst of decoded frames of the camera (from its running pull, else a short pull). */
  burst: (cam: StoredCamera) => Promise<FrameBurst>;
  snapshots: {
    latest(cameraNum: string): Snapshot | undefined;
    takeNow(cameraNum: string): Promise<Snapshot>;
    urlFor(s: Pick<Snapshot, 'path'>): string;
    /** One analysis-size frame of a stored snapshot. */
    frameOf(s: Snapshot): Promise<Frame>;
  };
  intervalMs: number;
  /** cameraStatus width (CONTRACT §3: 9, the demo shows 10). */
  statusWidth: number;
  /** A snapshot older than this is not "the picture now": a new one is taken for the report. */
  snapshotMaxAgeMs: number;
  log: Logger;
  /** Where scheduled snapshots are announced (`snapshotTaken`): each is judged as it comes. */
  events?: Pick<GatewayBus, 'on' | 'off'>;
  now?: () => number;
}

/** The camera cannot be judged yet (no stream known: an ONVIF camera whose profiles are still being read). */
export class NotJudgedError extends Error {
  override readonly name = 'NotJudgedError';
}

export interface QualityResult {
  cameraNum: string;
  /** undefined: not judged this time (see `skipped`); tried again at the next reconcile. */
  item?: QualityItem;
  skipped?: string;
  diagnosis?: Diagnosis;
  /** Conditions flagged now that were not flagged at the previous check. */
  fresh: Condition[];
  /** Already queued by itself (a new anomaly, or a camera's first diagnosis): not again in the round's report. */
  queued?: boolean;
}

export class QualityService {
  private readonly rounds: CameraRounds<QualityResult>;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly o: QualityServiceOptions) {
    this.now = o.now ?? Date.now;
    this.log = moduleLog(o.log, 'quality');
    this.rounds = new CameraRounds({
      cameras: o.cameras,
      intervalMs: o.intervalMs,
      // A diagnosis reads a couple of seconds of video: two at a time keep the hourly round cheap.
      concurrency: 2,
      eligible: () => true,
      lastAttempt: (c) => o.store.get(c.record.cameraNum)?.checkedAt,
      run: (c) => this.check(c),
      // The hourly report: every camera in one ReportCameraQuality (new anomalies went out already).
      onRound: (results) => this.queue(results.filter((r) => !r.queued)),
    });
  }

  /** Hourly rounds (all cameras reported together) and new cameras within the reconcile period. */
  start(): void {
    this.o.events?.on('snapshotTaken', this.judgeSnapshot);
    this.rounds.start();
  }

  stop(): Promise<void> {
    this.o.events?.off('snapshotTaken', this.judgeSnapshot);
    return this.rounds.stop();
  }

  private readonly judgeSnapshot = (cam: StoredCamera, snap: Snapshot): void => void this.onSnapshot(cam, snap);

  /** Every camera now; the results go out as one ReportCameraQuality. */
  checkAll(): Promise<QualityResult[]> {
    return this.rounds.runAll();
  }

  /** One camera now; a new anomaly is reported at once. */
  checkOne(cam: StoredCamera): Promise<QualityResult> | undefined {
    return this.rounds.runOne(cam);
  }

  /**
   * A new 5-minute snapshot: judged on its own (the conditions one picture can show), and when it
   * shows something the last check did not, the camera is diagnosed in full at once.
   */
  async onSnapshot(cam: StoredCamera, snap: Snapshot): Promise<void> {
    try {
      const d = diagnose([await this.o.snapshots.frameOf(snap)]);
      const last = this.o.store.get(cam.record.cameraNum);
      const seen = (c: Condition) => last?.bits[1 + CONDITIONS.indexOf(c)] === '1';
      const fresh = CONDITIONS.filter((c) => c !== 'frozen' && c !== 'flicker' && d.flags[c] && !seen(c));
      if (fresh.length > 0) {
        this.log.info({ camera: cam.id, conditions: fresh }, 'snapshot shows a new anomaly: full diagnosis now');
        await this.checkOne(cam);
      }
    } catch (err) {
      this.log.warn({ camera: cam.id, err: err instanceof Error ? err.message : String(err) }, 'snapshot check failed');
    }
  }

  private async check(cam: StoredCamera): Promise<QualityResult> {
    const cameraNum = cam.record.cameraNum;
    const at = this.now();
    const previous = this.o.store.get(cameraNum);
    if (this.o.health.isReachable(cameraNum) === false) {
      const item = { cameraNum, cameraStatus: statusBits(true, undefined, this.o.statusWidth), cameraConfidence: confidenceList(undefined), imageUrl: null };
      this.o.store.put(cameraNum, { checkedAt: at, bits: item.cameraStatus, confidences: item.cameraConfidence, details: { offline: 'camera unreachable' }, imageUrl: null, kind: 'burst' });
      this.o.health.setPictureFault(cameraNum, undefined);
      const result: QualityResult = { cameraNum, item, fresh: [] };
      // Newly offline (or first seen so): at once, like a new anomaly.
      if (previous?.bits[0] !== '1' && !this.rounds.isStopped) {
        this.queue([result]);
        result.queued = true;
      }
      return result;
    }
    let d: Diagnosis;
    try {
      d = await this.diagnosis(cam);
    } catch (err) {
      if (!(err instanceof NotJudgedError)) throw err;
      this.log.debug({ camera: cam.id, why: err.message }, 'picture not judged yet');
      return { cameraNum, skipped: err.message, fresh: [] };
    }
    const flagged = CONDITIONS.filter((c) => d.flags[c]);
    const seen = (c: Condition) => previous?.bits[1 + CONDITIONS.indexOf(c)] === '1';
    const fresh = flagged.filter((c) => !seen(c));
    const imageUrl = flagged.length > 0 ? await this.anomalyUrl(cam) : null;
    const item: QualityItem = { cameraNum, cameraStatus: statusBits(false, d, this.o.statusWidth), cameraConfidence: confidenceList(d), imageUrl };
    if (!this.rounds.isStopped) {
      this.o.store.put(cameraNum, { checkedAt: at, bits: item.cameraStatus, confidences: item.cameraConfidence, details: d.details, imageUrl, kind: 'burst' });
      const unusable = UNUSABLE.filter((c) => d.flags[c]).map((c) => `${LABEL[c]} (${d.confidences[c].toFixed(2)})`);
      this.o.health.setPictureFault(cameraNum, unusable.length > 0 ? unusable.join(', ') : undefined);
    }
    const log = this.log.child({ camera: cam.id });
    if (flagged.length > 0) log.warn({ bits: item.cameraStatus, conditions: flagged.map((c) => `${c}: ${d.details[c]}`) }, 'picture anomaly');
    else log.debug({ bits: item.cameraStatus }, 'picture normal');
    // A new anomaly, or a camera judged for the first time (registered, or not judgeable before), is
    // reported at once; the rest waits for the round's single report.
    const result: QualityResult = { cameraNum, item, diagnosis: d, fresh };
    if ((fresh.length > 0 || previous === undefined) && !this.rounds.isStopped) {
      this.queue([result]);
      result.queued = true;
    }
    return result;
  }

  /**
   * The burst decides; a camera that gives no frames at all, twice, has lost its signal. Once is
   * not enough: a camera restarts its stream when its encoder is set (camera-side encoding).
   */
  private async diagnosis(cam: StoredCamera): Promise<Diagnosis> {
    let burst = await this.readBurst(cam);
    if (burst.frames.length === 0 && !this.rounds.isStopped) {
      await new Promise((r) => setTimeout(r, NO_FRAMES_RETRY_MS));
      burst = await this.readBurst(cam);
    }
    if (burst.frames.length > 0) return this.judged(cam.record.cameraNum, burst.frames);
    const why = `no frames: ${burst.error ?? burst.ended}`;
    const confidences = Object.fromEntries(CONDITIONS.map((c) => [c, c === 'signalLost' ? 1 : 0])) as Record<Condition, number>;
    const flags = Object.fromEntries(CONDITIONS.map((c) => [c, c === 'signalLost'])) as Record<Condition, boolean>;
    const details = Object.fromEntries(CONDITIONS.map((c) => [c, c === 'signalLost' ? why : 'not judged: no frames'])) as Record<Condition, string>;
    return { confidences, flags, details };
  }

  /** The diagnosis against the camera's reference; a normal picture is folded into it. */
  private judged(cameraNum: string, frames: readonly Frame[]): Diagnosis {
    let rows = this.o.references.get<PictureReference>(cameraNum);
    const moved = this.o.lastMoveAt?.(cameraNum);
    if (moved !== undefined && rows.some((r) => r.learnedAt < moved)) {
      this.o.references.reset(cameraNum);
      this.log.info({ camera: cameraNum }, 'camera moved since its picture reference was learned: learning it again');
      rows = [];
    }
    const references: NonNullable<DiagnoseOptions['references']> = {};
    for (const r of rows) references[r.regime] = { samples: r.samples, measures: r.measures };
    const d = diagnose(frames, { references });
    if (d.measures && !CONDITIONS.some((c) => d.flags[c]) && !this.rounds.isStopped) {
      const m = d.measures;
      const prev: ReferenceRow<PictureReference> | undefined = rows.find((r) => r.regime === m.regime);
      const at = this.now();
      this.o.references.put<PictureReference>(cameraNum, {
        regime: m.regime,
        samples: (prev?.samples ?? 0) + 1,
        learnedAt: prev?.learnedAt ?? at,
        updatedAt: at,
        measures: learn(prev?.measures, m, prev?.samples ?? 0),
      });
    }
    return d;
  }

  private async readBurst(cam: StoredCamera): Promise<FrameBurst> {
    try {
      return await this.o.burst(cam);
    } catch (err) {
      if (err instanceof NotJudgedError) throw err;
      return { frames: [], ended: 'error', error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The snapshot that shows the anomaly: a fresh one, or the latest when none can be taken now. */
  private async anomalyUrl(cam: StoredCamera): Promise<string | null> {
    const num = cam.record.cameraNum;
    let snap = this.o.snapshots.latest(num);
    if (!snap || this.now() - snap.takenAt > this.o.snapshotMaxAgeMs) {
      snap = await this.o.snapshots.takeNow(num).catch(() => snap);
    }
    return snap ? this.o.snapshots.urlFor(snap) : null;
  }

  private queue(results: readonly QualityResult[]): void {
    // One item per camera, coalesced: a report not yet delivered is replaced by the newer state.
    for (const r of results) {
      if (r.item) this.o.outbox.enqueue('camera.quality', r.item, `camera.quality:${r.cameraNum}`);
    }
  }
}
