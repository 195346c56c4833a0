// Burned-in overlay (seed 003 Appendix B) as an FFmpeg filter chain: one drawtext per top-left line,
// the Beijing time top right, the reserved line bottom left. Pure: the caller appends the result
// after scaling (VideoEncode.overlayFilter) and runs FFmpeg with OVERLAY_FFMPEG_ENV.
import type { OverlayConfig } from '../../config/schema/overlay.js';
import type { StoredCamera } from '../../store/cameras.js';
import { cameraOverlay } from './camera.js';

/**
 * drawtext's %{localtime} formats with the FFmpeg process's TZ. The POSIX form needs no tzdata
 * (unlike Asia/Shanghai) and China has had no DST since 1991: B.一.(一) 4 asks for GMT+8.
 */
export const OVERLAY_TZ = 'CST-8';

/** Environment the FFmpeg child of a burned-in output must run with (merge over process.env). */
export const OVERLAY_FFMPEG_ENV: Readonly<Record<string, string>> = { TZ: OVERLAY_TZ };

export interface DrawtextOptions {
  /** A font file path (starts with /) or a fontconfig family name. */
  fontFile: string;
  /** Size of the encoded output frame (after scaling): the font is sized against it. */
  width: number;
  height: number;
  /** Bottom-left 预留信息. */
  reserved?: string;
  /** Glyph height in px; raised to the B.一.(二) 2 minimum of width/32 when smaller. */
  fontSize?: number;
  /** Fixed text in place of the running clock (snapshots of a known instant, tests). */
  timeText?: string;
}

/** B.一.(二) 2 (1): characters no smaller than 1/32 of the image width. */
export const minFontSize = (width: number): number => Math.ceil(width / 32);

/** drawtext's own expansion (level 3): '\' escapes the next character, '%' starts %{…}. */
const literal = (s: string): string => s.replace(/[\\%]/g, (c) => `\\${c}`);
/** Option value (level 2, av_opt_set_from_string): single quotes keep ':', '\\' and spaces literal. */
const quoteOption = (s: string): string => (/^[\p{L}\p{N}_./+-]+$/u.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
/** Filtergraph (level 1): the graph parser unescapes once more before the filter sees its options. */
const escapeGraph = (s: string): string => s.replace(/[\\'[\],;]/g, (c) => `\\${c}`);

function drawtext(opts: Record<string, string | number>): string {
  const args = Object.entries(opts)
    .map(([k, v]) => `${k}=${quoteOption(String(v))}`)
    .join(':');
  return `drawtext=${escapeGraph(args)}`;
}

/** Time in the B.一.(一) 4 form yyyy-mm-dd hh:mm:ss; ':' inside %{…} separates arguments, so it is escaped. */
export const TIME_EXPANSION = '%{localtime:%Y-%m-%d %H\\:%M\\:%S}';

export function overlayDrawtext(lines: readonly string[], o: DrawtextOptions): string {
  if (!(o.width > 0 && o.height > 0)) throw new RangeError(`output size ${o.width}x${o.height}`);
  const fs = Math.max(o.fontSize ?? 0, minFontSize(o.width));
  const margin = Math.max(2, Math.round(fs / 2));
  const step = Math.round(fs * 1.3);
  // White with a dark border reads on bright and dark scenes alike (B.一.(二) 3: adapt to the image).
  const face: Record<string, string> = o.fontFile.startsWith('/') ? { fontfile: o.fontFile } : { font: o.fontFile };
  const style = { ...face, fontsize: fs, fontcolor: 'white', borderw: Math.max(1, Math.round(fs / 12)), bordercolor: 'black' };
  const chain = lines.map((text, i) => drawtext({ ...style, text: literal(text), x: margin, y: margin + i * step }));
  const time = o.timeText === undefined ? TIME_EXPANSION : literal(o.timeText);
  chain.push(drawtext({ ...style, text: time, x: `w-tw-${margin}`, y: margin }));
  if (o.reserved !== undefined && o.reserved.trim() !== '') {
    chain.push(drawtext({ ...style, text: literal(o.reserved.trim()), x: margin, y: o.height - margin - fs }));
  }
  return chain.join(',');
}

/**
 * The burn-in filter of one camera's transcoded output, or undefined when [overlay] burn_in is off
 * or the record cannot produce a compliant overlay (`vcgw cameras show` says why).
 */
export function overlayFilterFor(
  camera: Pick<StoredCamera, 'record' | 'access'>,
  cfg: OverlayConfig,
  output: { width: number; height: number },
): string | undefined {
  if (!cfg.burn_in) return undefined;
  const o = cameraOverlay(camera, cfg);
  if (!o.ok) return undefined;
  return overlayDrawtext(o.lines, { fontFile: cfg.font, width: output.width, height: output.height, ...(o.reserved !== undefined ? { reserved: o.reserved } : {}) });
}
