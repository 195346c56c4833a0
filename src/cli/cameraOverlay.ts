// The overlay part of `vcgw cameras show` and the warning of `cameras add/edit`: the Appendix B
// lines the camera's record produces (or the fields that block them) and the daemon's last OSD write.
import type { OverlayConfig } from '../config/schema/overlay.js';
import { cameraOverlay, overlayErrorsText } from '../modules/overlay/camera.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { CameraOsdStore } from '../store/cameraOsd.js';
import type { StoredCamera } from '../store/cameras.js';
import type { Db } from '../store/db.js';

export interface OverlayView {
  lines: Array<[string, string]>;
  json: Record<string, unknown>;
}

const TIME_TEXT = 'time top right, YYYY-MM-DD HH:mm:ss Beijing time';

function osdOf(db: Db, cam: StoredCamera, cfg: OverlayConfig): { text: string; json: Record<string, unknown> } {
  if (!cfg.osd) return { text: 'off ([overlay] osd = false)', json: { state: 'off' } };
  if (!cam.access.onvifUrl) return { text: 'not written (no ONVIF address)', json: { state: 'no-onvif' } };
  const s = new CameraOsdStore(db).get(cam.record.cameraNum);
  if (!s) return { text: 'never written (the running daemon writes it within 30 s)', json: { state: 'never' } };
  const written = s.writtenAt === null ? undefined : `written ${beijingDateTime(s.writtenAt)} (Beijing time), ${Object.keys(s.tokens).length} OSDs`;
  const json = {
    state: s.error === null ? 'written' : 'failed',
    writtenAt: s.writtenAt === null ? null : new Date(s.writtenAt).toISOString(),
    text: s.text,
    tokens: s.tokens,
    error: s.error,
    attemptedAt: new Date(s.attemptedAt).toISOString(),
  };
  if (s.error === null) return { text: written ?? 'written', json };
  const failed = `last attempt ${beijingDateTime(s.attemptedAt)} (Beijing time) failed: ${s.error}`;
  return { text: written ? `${failed}; last ${written}` : failed, json };
}

export function overlayView(db: Db, cam: StoredCamera, cfg: OverlayConfig): OverlayView {
  const o = cameraOverlay(cam, cfg);
  const osd = osdOf(db, cam, cfg);
  const lines: Array<[string, string]> = [];
  if (o.ok) {
    o.lines.forEach((l, i) => lines.push([i === 0 ? 'overlay' : '', l]));
    lines.push(['', `(${TIME_TEXT})`]);
    if (o.reserved !== undefined) lines.push(['overlay reserved', o.reserved]);
  } else {
    lines.push(['overlay', `not compliant: ${overlayErrorsText(o.errors)}`]);
  }
  lines.push(['overlay osd', osd.text]);
  lines.push(['overlay burn-in', cfg.burn_in ? 'on (transcoded outputs)' : 'off']);
  const json: Record<string, unknown> = o.ok
    ? { ok: true, lines: o.lines, reserved: o.reserved ?? null, source: o.source, time: { position: 'top-right', format: 'YYYY-MM-DD HH:mm:ss', zone: 'UTC+8' } }
    : { ok: false, errors: o.errors };
  return { lines, json: { ...json, osd: osd.json, burnIn: cfg.burn_in } };
}

/** The warning `cameras add/edit` prints when a record cannot produce a compliant overlay yet. */
export function overlayWarning(cam: StoredCamera, cfg: OverlayConfig, nameOf: (field: string) => string = (f) => f): string | undefined {
  const o = cameraOverlay(cam, cfg);
  if (o.ok) return undefined;
  const named = o.errors.map((e) => ({ field: CONFIG_KEYS[e.field] ?? nameOf(e.field), message: e.message }));
  return `warning: camera ${cam.id} cannot show a compliant overlay (seed 003 Appendix B) yet: ${overlayErrorsText(named)}; stored anyway (complete it with vcgw cameras edit ${cam.id})`;
}

/** Overlay errors about gateway-wide defaults name the config key, not a camera field. */
const CONFIG_KEYS: Readonly<Record<string, string>> = { provinceAbbr: '[overlay] province_abbr', roadShortName: '[overlay] road_short_name' };
