import type { Logger } from '../../../log.js';
import { ProvinceUnreachableError } from '../../../protocols/province/client.js';
import { analyseEventSchema } from '../../../protocols/province/messages.js';
import type { OnlineState } from '../../../domain/online.js';
import {
  reportAnalyse,
  reportCameraQuality,
  reportCameraStatus,
  reportSnapshot,
  videoInformation,
  videoInformationDel,
  type ProvinceCall,
  type QualityItem,
  type SnapshotItem,
} from '../../../protocols/province/reports.js';
import type { CameraStore } from '../../../store/cameras.js';
import { OUTBOX_DESTINATION, type OutboxItem, type OutboxKind, type OutboxStore } from '../../../store/outbox.js';

export interface DispatcherOptions {
  outbox: OutboxStore;
  cameras: CameraStore;
  call: ProvinceCall;
  backoffS: readonly number[];
  batchMax: number;
  analyseKey: string;
  orgId: string;
  log: Logger;
  /** How often to look for rows queued by another process (the CLI). */
  pollMs?: number;
  /** While the province is unreachable, the oldest pending row is tried this often whatever its back-off. */
  probeMs: number;
  now?: () => number;
}

type Sender = (items: OutboxItem[]) => Promise<void>;

/** The rows this dispatcher claims: the province uplink's, whatever their kind. */
const DESTINATION = 'province';

/** Registrations go first so that status of a new camera never reaches the platform before the camera. */
const ORDER: readonly OutboxKind[] = (['camera.upsert', 'camera.delete', 'camera.status', 'camera.quality', 'snapshot', 'analyse'] as const).filter(
  (k) => OUTBOX_DESTINATION[k] === DESTINATION,
);

/**
 * Sends the outbox to the province: batches per kind, marks rows delivered only after the
 * platform accepted them, backs off in steps on failure and never drops a row.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** The last send found no link to the province; cleared by the next one that gets through. */
  private unreachable = false;
  private lastAttemptAt = 0;
  private readonly now: () => number;
  private readonly senders: Record<OutboxKind, { batch: number; send: Sender }>;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? Date.now;
    const b = o.batchMax;
    this.senders = {
      'camera.upsert': { batch: b, send: (items) => this.sendUpserts(items) },
      'camera.delete': { batch: Math.min(b, 100), send: (items) => this.sendDeletes(items) },
      'camera.status': {
        batch: b,
        send: (items) => this.forKnownCameras(items, (live) => reportCameraStatus(o.call, live.map((i) => i.payload as StatusPayload))),
      },
      'camera.quality': {
        batch: b,
        send: (items) => this.forKnownCameras(items, (live) => reportCameraQuality(o.call, live.map((i) => i.payload as QualityItem))),
      },
      snapshot: { batch: b, send: (items) => reportSnapshot(o.call, items.map((i) => i.payload as SnapshotItem)) },
      // One detector post = one ReportAnalyse call, signed at send time.
      analyse: { batch: 1, send: (items) => this.sendAnalyse(items) },
    };
  }

  /** Sends what is due now and whenever a row is queued (the store announces it), until stopped. */
  start(): void {
    this.stopped = false;
    this.unsubscribe ??= this.o.outbox.onEnqueued(() => this.kick());
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Run a cycle as soon as the current one (if any) ends. */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.cycle(), 0);
  }

  /**
   * The province answers again (any call got through): every row waiting out a back-off is sent
   * at once, oldest first, within the batch limits, instead of when its own timer runs out.
   */
  resume(): void {
    this.unreachable = false;
    const n = this.o.outbox.resumeNow(this.now(), DESTINATION);
    if (n > 0) this.o.log.info({ rows: n }, 'province reachable again: sending what is pending now');
    this.kick();
  }

  /**
   * One pass over every due row; exposed for tests and `vcgw outbox flush`. While the province is
   * unreachable only a probe goes out, every `probeMs`: the oldest pending report, whatever its
   * back-off (rows whose back-off ran out first would otherwise overtake older ones). When it
   * gets through, everything pending is sent at once, oldest first.
   */
  async drain(): Promise<{ sent: number; failed: number }> {
    const tally = { sent: 0, failed: 0 };
    if (this.unreachable) {
      if (this.now() - this.lastAttemptAt < this.o.probeMs) return tally;
      const oldest = this.o.outbox.oldestPending(ORDER, DESTINATION);
      if (oldest && (await this.send(oldest.kind, [oldest], tally)) !== 'sent') return tally;
      this.unreachable = false;
      this.o.outbox.resumeNow(this.now(), DESTINATION);
    }
    for (const kind of ORDER) {
      for (;;) {
        const items = this.o.outbox.due(kind, this.senders[kind].batch, this.now(), DESTINATION);
        if (items.length === 0) break;
        const outcome = await this.send(kind, items, tally);
        // No link at all: the other kinds would fail the same way.
        if (outcome === 'unreachable') return tally;
        if (outcome === 'failed') break;
      }
    }
    return tally;
  }

  private async send(kind: OutboxKind, items: OutboxItem[], tally: { sent: number; failed: number }): Promise<'sent' | 'failed' | 'unreachable'> {
    this.lastAttemptAt = this.now();
    try {
      await this.senders[kind].send(items);
      this.o.outbox.delivered(items, this.now());
      tally.sent += items.length;
      return 'sent';
    } catch (err) {
      tally.failed += items.length;
      this.o.outbox.failed(items, String((err as Error).message ?? err), (n) => this.backoffMs(n), this.now());
      this.o.log.warn({ kind, items: items.length, attempts: items[0]!.attempts + 1, err: String(err) }, 'report not delivered; will retry');
      if (!(err instanceof ProvinceUnreachableError)) return 'failed';
      this.unreachable = true;
      return 'unreachable';
    }
  }

  backoffMs(attempts: number): number {
    const steps = this.o.backoffS;
    const base = steps[Math.min(attempts, steps.length) - 1] ?? steps[steps.length - 1]!;
    return Math.round(base * 1000 * (0.9 + Math.random() * 0.2));
  }

  private async cycle(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.drain()
      .then(() => undefined)
      .catch((err: unknown) => this.o.log.error({ err: String(err) }, 'outbox cycle failed'))
      .finally(() => {
        this.running = undefined;
        this.scheduleNext();
      });
    await this.running;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const poll = this.o.pollMs ?? 1000;
    // Unreachable: nothing but the next probe goes out, however many rows are due.
    const due = this.unreachable ? this.lastAttemptAt + this.o.probeMs : this.o.outbox.nextDueAt(DESTINATION);
    const delay = due === undefined ? poll : Math.min(poll, Math.max(0, due - this.now()));
    this.timer = setTimeout(() => void this.cycle(), delay);
    this.timer.unref();
  }

  /** Reports of a camera deleted since they were queued are dropped with the camera. */
  private async forKnownCameras(items: OutboxItem[], send: (live: OutboxItem[]) => Promise<void>): Promise<void> {
    const live = items.filter((i) => this.o.cameras.byNum((i.payload as { cameraNum: string }).cameraNum) !== undefined);
    if (live.length > 0) await send(live);
  }

  private async sendUpserts(items: OutboxItem[]): Promise<void> {
    const cams = items
      .map((i) => this.o.cameras.byNum((i.payload as { cameraNum: string }).cameraNum))
      .filter((c) => c !== undefined);
    if (cams.length === 0) return;
    const results = await videoInformation(
      this.o.call,
      cams.map((c) => c.record),
    );
    const byNum = new Map(results.map((r) => [r.cameraNum, r]));
    for (const cam of cams) {
      const r = byNum.get(cam.record.cameraNum);
      // CONTRACT §3: a refused record stays visible with the platform's message until it is edited.
      if (r && r.status !== 0) {
        this.o.cameras.setSync(cam.record.cameraNum, 'rejected', r.msg || 'refused by the platform');
        this.o.log.warn({ camera: cam.id, msg: r.msg }, 'platform refused the camera record');
      } else {
        this.o.cameras.setSync(cam.record.cameraNum, 'synced', null);
      }
    }
  }

  private async sendDeletes(items: OutboxItem[]): Promise<void> {
    const nums = items.map((i) => (i.payload as { cameraNum: string }).cameraNum);
    const results = await videoInformationDel(this.o.call, nums);
    for (const r of results.filter((x) => x.status !== 0)) {
      this.o.log.warn({ cameraNum: r.cameraNum, msg: r.msg }, 'platform did not delete the camera');
    }
  }

  private async sendAnalyse(items: OutboxItem[]): Promise<void> {
    for (const item of items) {
      const events = analyseEventSchema.array().parse((item.payload as { events: unknown }).events);
      await reportAnalyse(this.o.call, events, { key: this.o.analyseKey, orgId: this.o.orgId, now: this.now() });
    }
  }
}

interface StatusPayload {
  cameraNum: string;
  online: OnlineState;
}
