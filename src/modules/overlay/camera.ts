// The overlay of one registered camera: its province record, its local overlay fields
// (cameraAccessShape) and the gateway's [overlay] defaults, fed to buildOverlay.
import type { OverlayConfig } from '../../config/schema/overlay.js';
import type { StoredCamera } from '../../store/cameras.js';
import { buildOverlay, sceneOf, type OverlayError, type OverlayExtra } from './overlay.js';

/** The overlay facts a camera's access JSON may hold (validated by cameraAccessShape on the way in). */
export type OverlayAccess = Pick<
  OverlayExtra,
  'travelDirection' | 'destination' | 'cameraIndex' | 'interchange' | 'tollLayout' | 'plazaSide' | 'entryExit' | 'annex' | 'serviceObject' | 'reserved'
> & { overlayText?: string };

export const OVERLAY_ACCESS_FIELDS = [
  'travelDirection',
  'destination',
  'cameraIndex',
  'interchange',
  'tollLayout',
  'plazaSide',
  'entryExit',
  'annex',
  'serviceObject',
  'reserved',
] as const satisfies ReadonlyArray<keyof OverlayAccess>;

export type OverlayDefaults = Pick<OverlayConfig, 'province_abbr' | 'road_short_name'>;

export type CameraOverlay =
  | {
      ok: true;
      /** Top-left lines, in order. */
      lines: string[];
      /** Bottom-left 预留信息, when set. */
      reserved?: string;
      /** 'overlayText': a toll-lane camera whose text the technician typed (B.二.(三) defines none). */
      source: 'appendix-b' | 'overlayText';
    }
  | { ok: false; errors: OverlayError[] };

export function overlayExtraOf(access: OverlayAccess, defaults: OverlayDefaults): OverlayExtra {
  const extra: OverlayExtra = {};
  if (defaults.province_abbr !== undefined) extra.provinceAbbr = defaults.province_abbr;
  if (defaults.road_short_name !== undefined) extra.roadShortName = defaults.road_short_name;
  for (const f of OVERLAY_ACCESS_FIELDS) {
    const v = access[f];
    if (v !== undefined) (extra as Record<string, unknown>)[f] = v;
  }
  return extra;
}

/** Lines of a typed overlayText: one per line break or '|', blanks dropped. */
const textLines = (s: string): string[] =>
  s
    .split(/\r?\n|\|/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

export function cameraOverlay(cam: Pick<StoredCamera, 'record' | 'access'>, defaults: OverlayDefaults): CameraOverlay {
  const access = cam.access as OverlayAccess;
  const extra = overlayExtraOf(access, defaults);
  // B.二.(三): lane/booth text follows the toll software; only then does a typed text stand in.
  if (sceneOf(cam.record, extra) === 'tollLane' && access.overlayText !== undefined && textLines(access.overlayText).length > 0) {
    const reserved = extra.reserved?.trim();
    return { ok: true, lines: textLines(access.overlayText), ...(reserved ? { reserved } : {}), source: 'overlayText' };
  }
  const r = buildOverlay(cam.record, extra);
  if (!r.ok) return r;
  return { ok: true, lines: r.lines, ...(r.reserved !== undefined ? { reserved: r.reserved } : {}), source: 'appendix-b' };
}

/** One line for a warning or `cameras show`: what blocks a compliant overlay, field by field. */
export function overlayErrorsText(errors: readonly OverlayError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
