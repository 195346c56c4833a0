// Issue 4 item 5: writes each ONVIF camera's Appendix B overlay into the camera's own OSD at start,
// at registration and whenever its record changes; failures are kept and retried, never thrown.
import type { Logger } from '../../log.js';
import { connectOnvif, OnvifError, type OnvifDevice, type OnvifOsd, type OsdPosition, type TextOsdSettings } from '../../protocols/onvif/index.js';
import type { CameraOsdStore, OsdLines, OsdTokens } from '../../store/cameraOsd.js';
import type { CameraStore, StoredCamera } from '../../store/cameras.js';
import { CameraRounds } from '../cameras/cameraRounds.js';
import { cameraOverlay, overlayErrorsText, type OverlayDefaults } from './camera.js';

/** B.一.(一) 4 allows yyyy-mm-dd or yyyy/mm/dd, 24 h; in ONVIF's (Java-style) pattern letters. */
const DATE_FORMATS = ['yyyy-MM-dd', 'yyyy/MM/dd'];
const TIME_FORMAT = 'HH:mm:ss';
/**
 * Lines after the first go one below the other in ONVIF's normalised space (y 1 = top). 0.15 fits a
 * 1/32-width font on 16:9 (≈0.11 per line) and 4:3; cameras map Custom positions their own way.
 */
const LINE_STEP = 0.15;
const NEAR = 0.01;

export interface OsdWriterOptions {
  cameras: CameraStore;
  osd: CameraOsdStore;
  overlay: OverlayDefaults;
  log: Logger;
  /** How often the registry is checked for new/changed cameras and failed writes due again; default 30 s. */
  reconcileMs?: number;
  /** A failed write is tried again after this; default 5 min. */
  retryMs?: number;
  /** Per ONVIF call; default 5000 ms. */
  timeoutMs?: number;
  concurrency?: number;
  now?: () => number;
}

export type OsdWriteResult =
  | { cameraNum: string; ok: true; created: number; updated: number; deleted: number; unchanged: number }
  | { cameraNum: string; ok: false; error: string };

interface Slot {
  key: string;
  settings: TextOsdSettings;
}

/** Starts the recorded error of a record that cannot produce a compliant overlay: only a record change helps. */
export const NOT_COMPLIANT = 'overlay not compliant, nothing written: ';

export class OsdWriter {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly rounds: CameraRounds<OsdWriteResult>;

  constructor(private readonly o: OsdWriterOptions) {
    const retryMs = o.retryMs ?? 300_000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
    this.rounds = new CameraRounds({
      cameras: o.cameras,
      reconcileMs: o.reconcileMs,
      concurrency: o.concurrency ?? 4,
      eligible: (c) => Boolean(c.access.onvifUrl),
      lastAttempt: (c) => o.osd.get(c.record.cameraNum)?.attemptedAt,
      // A record that cannot produce a compliant overlay waits for a change; other failures are retried.
      dueAgain: (c) => {
        const last = o.osd.get(c.record.cameraNum);
        return last !== undefined && last.error !== null && !last.error.startsWith(NOT_COMPLIANT) && this.now() - last.attemptedAt >= retryMs;
      },
      run: (c) => this.attempt(c, c.access.onvifUrl!),
    });
  }

  /** Writes every ONVIF camera once (the [overlay] defaults may have changed), then keeps reconciling. */
  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Cameras never written, changed since the last try, or whose last try failed retryMs ago. */
  reconcile(): Promise<OsdWriteResult[]> {
    return this.rounds.reconcile();
  }

  /** Writes one camera's overlay and records the outcome; never throws. Undefined without an ONVIF address. */
  writeOne(cam: StoredCamera): Promise<OsdWriteResult> | undefined {
    return this.rounds.runOne(cam);
  }

  private async attempt(cam: StoredCamera, url: string): Promise<OsdWriteResult> {
    const cameraNum = cam.record.cameraNum;
    const log = this.o.log.child({ camera: cam.id });
    // Stamped at the start: a record changed while this write runs is still newer, so written again.
    const at = this.now();
    const overlay = cameraOverlay(cam, this.o.overlay);
    const last = this.o.osd.get(cameraNum);
    const previous = last?.tokens ?? {};
    let result: OsdWriteResult;
    let tokens: OsdTokens | undefined;
    let text: OsdLines | undefined;
    if (!overlay.ok) {
      // The camera keeps whatever it shows; `vcgw cameras add/edit` already warned about the field.
      result = { cameraNum, ok: false, error: `${NOT_COMPLIANT}${overlayErrorsText(overlay.errors)}` };
    } else {
      text = { lines: overlay.lines, ...(overlay.reserved !== undefined ? { reserved: overlay.reserved } : {}) };
      try {
        const dev = await connectOnvif({ url, user: cam.access.onvifUser ?? '', password: cam.access.onvifPassword ?? '', timeoutMs: this.timeoutMs });
        const r = await writeOverlay(dev, text, previous);
        tokens = r.tokens;
        result = { cameraNum, ok: true, created: r.created, updated: r.updated, deleted: r.deleted, unchanged: r.unchanged };
      } catch (err) {
        result = { cameraNum, ok: false, error: errorText(err) };
      }
    }
    // After stop the database may be closed; the next start writes the camera again anyway.
    if (this.rounds.isStopped) return result;
    try {
      if (result.ok && tokens && text) {
        this.o.osd.record(cameraNum, { at, text, tokens });
        const { created, updated, deleted } = result;
        if (created + updated + deleted > 0) log.info({ created, updated, deleted }, 'camera OSD overlay written');
      } else if (!result.ok) {
        this.o.osd.recordError(cameraNum, at, result.error);
        // An unreachable camera fails every retry the same way: say so once, not every 5 minutes.
        if (result.error !== last?.error) log.warn({ err: result.error }, 'camera OSD overlay not written');
        else log.debug({ err: result.error }, 'camera OSD overlay still not written');
      }
    } catch (err) {
      log.error({ err: String(err) }, 'storing the camera OSD result failed');
    }
    return result;
  }
}

function errorText(err: unknown): string {
  if (err instanceof OnvifError) return `${err.message} (${err.kind})`;
  return err instanceof Error ? err.message : String(err);
}

/** The OSDs the overlay needs: top-left lines, the clock top right, the reserved line bottom left. */
function slotsOf(text: OsdLines, time: { dateFormat: string; timeFormat: string }, fontSize: number | undefined): Slot[] {
  const size = fontSize === undefined ? {} : { fontSize };
  const slots: Slot[] = text.lines.map((plain, i) => ({
    key: `line${i + 1}`,
    settings: { position: i === 0 ? 'UpperLeft' : { x: -1, y: round(1 - i * LINE_STEP) }, text: { plain }, ...size },
  }));
  slots.push({ key: 'time', settings: { position: 'UpperRight', text: time, ...size } });
  if (text.reserved !== undefined) slots.push({ key: 'reserved', settings: { position: 'LowerLeft', text: { plain: text.reserved }, ...size } });
  return slots;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

function samePosition(a: OnvifOsd['position'], b: OsdPosition): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return 'x' in a && Math.abs(a.x - b.x) < NEAR && Math.abs(a.y - b.y) < NEAR;
}

const isClock = (o: OnvifOsd): boolean => o.textType === 'DateAndTime';

/** An OSD of the camera that already plays this slot's part (left by us before, or set up by hand). */
function fits(o: OnvifOsd, s: Slot): boolean {
  if (o.type !== 'Text') return false;
  if ('plain' in s.settings.text) return o.textType === 'Plain' && samePosition(o.position, s.settings.position);
  return isClock(o);
}

function sameContent(o: OnvifOsd, s: TextOsdSettings): boolean {
  if (!samePosition(o.position, s.position)) return false;
  if (s.fontSize !== undefined && o.fontSize !== s.fontSize) return false;
  if ('plain' in s.text) return o.textType === 'Plain' && o.plainText === s.text.plain;
  return isClock(o) && o.dateFormat === s.text.dateFormat && o.timeFormat === s.text.timeFormat;
}

/** Font size for B.一.(二) 2 (≥ 1/32 of the width), when the camera says what it accepts. */
function fontSizeFor(width: number, range: { min: number; max: number } | undefined): number | undefined {
  if (!range || width <= 0) return undefined;
  return Math.min(range.max, Math.max(range.min, Math.ceil(width / 32)));
}

/**
 * Makes the camera show `text`, reusing the OSDs it already has for each slot (by remembered
 * token, else by kind and place) so repeated writes update in place; OSDs of ours no longer
 * needed are deleted, anything else on the camera is left alone.
 */
export async function writeOverlay(
  dev: OnvifDevice,
  text: OsdLines,
  previous: OsdTokens,
): Promise<{ tokens: OsdTokens; created: number; updated: number; deleted: number; unchanged: number }> {
  const existing = await dev.osds();
  // Options are optional in practice: cameras that refuse GetOSDOptions still take the defaults.
  const options = await dev.osdOptions().catch(() => undefined);
  let dateFormat = DATE_FORMATS[0] as string;
  if (options && options.dateFormats.length > 0) {
    const offered = DATE_FORMATS.find((f) => options.dateFormats.includes(f));
    if (!offered) throw new Error(`the camera offers no ${DATE_FORMATS.join(' or ')} date format (it has ${options.dateFormats.join(', ')}); use [overlay] burn_in`);
    dateFormat = offered;
  }
  if (options && options.timeFormats.length > 0 && !options.timeFormats.includes(TIME_FORMAT)) {
    throw new Error(`the camera offers no ${TIME_FORMAT} time format (it has ${options.timeFormats.join(', ')}); use [overlay] burn_in`);
  }
  const widths = options?.fontSizeRange ? await dev.profiles().then((ps) => ps.map((p) => p.width), () => []) : [];
  const width = Math.max(0, ...widths);
  const slots = slotsOf(text, { dateFormat, timeFormat: TIME_FORMAT }, fontSizeFor(width, options?.fontSizeRange));

  const free = new Map(existing.map((o) => [o.token, o]));
  const claimed = new Map<string, OnvifOsd>();
  for (const s of slots) {
    const mine = previous[s.key];
    const byToken = mine === undefined ? undefined : free.get(mine);
    const o = byToken && fits(byToken, s) ? byToken : [...free.values()].find((x) => fits(x, s));
    if (o) {
      claimed.set(s.key, o);
      free.delete(o.token);
    }
  }
  const leftovers = Object.values(previous).filter((token) => free.has(token));
  for (const token of leftovers) await dev.deleteOsd(token);

  const tokens: OsdTokens = {};
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for (const s of slots) {
    const o = claimed.get(s.key);
    if (o && sameContent(o, s.settings)) {
      unchanged++;
      tokens[s.key] = o.token;
    } else if (o) {
      await dev.setTextOsd(o.token, { ...s.settings, videoSourceConfigurationToken: o.videoSourceConfigurationToken || undefined });
      updated++;
      tokens[s.key] = o.token;
    } else {
      tokens[s.key] = await dev.createTextOsd(s.settings);
      created++;
    }
  }
  return { tokens, created, updated, deleted: leftovers.length, unchanged };
}
