import { z } from 'zod';
import { file } from './common.js';

/**
 * A fontconfig family, not the .ttc path: drawtext opens a font file at face 0, which in Debian's
 * NotoSansCJK-Regular.ttc is the Japanese face (some Chinese characters drawn in Japanese forms).
 */
export const DEFAULT_OVERLAY_FONT = 'Noto Sans CJK SC';

export const overlay = z
  .strictObject({
    province_abbr: z
      .string()
      .regex(/^\p{Script=Han}$/u, 'must be one Chinese character, e.g. 粤')
      .optional()
      .describe("省份简称 that starts overlay line 1, e.g. 粤 (default: from each camera's areaCode, GB/T 2260)")
      .meta({ example: '粤' }),
    road_short_name: z
      .string()
      .min(1)
      .max(20)
      .optional()
      .describe("高速名称简称 as in the toll system, e.g. 京珠北 (default: each camera's roadSec without a trailing 路段/段)")
      .meta({ example: '京珠北' }),
    osd: z.boolean().default(true).describe("Write the overlay into every ONVIF camera's own OSD (at start, registration and record changes)"),
    burn_in: z.boolean().default(false).describe('Also draw the overlay into transcoded outputs (FFmpeg drawtext; copied streams keep the camera OSD)'),
    font: file.default(DEFAULT_OVERLAY_FONT).describe('Font of the burned-in text: a fontconfig family (default Noto Sans CJK SC, Debian fonts-noto-cjk) or a font file path starting with /'),
  })
  .describe('Overlay text (seed 003 Appendix B): 省份简称-高速编号-高速名称简称-场景 line, position line, time top right');

export type OverlayConfig = z.output<typeof overlay>;
