import { z } from 'zod';
import { flag, httpUrl } from './common.js';
import { cameraNumSchema, cameraRecordShape, checkPileNum } from '../../protocols/province/messages.js';

/** Appendix B facts the province record lacks (OverlayExtra in modules/overlay/overlay.ts); all optional. */
const overlayAccessShape = {
  travelDirection: z
    .enum(['东行', '西行', '南行', '北行'], { error: 'must be 东行, 西行, 南行 or 北行' })
    .optional()
    .describe('Overlay: travel direction of the carriageway the camera is on (公路行车方向); not for median cameras')
    .meta({ example: '南行' }),
  destination: z
    .string()
    .regex(/^往?.{1,20}(省|市|自治区|特别行政区)$/u, 'must name a province or city, e.g. 广州市 or 湖南省')
    .optional()
    .describe('Overlay: 往地名方向, the province or main city that carriageway leads to, e.g. 广州市')
    .meta({ example: '广州市' }),
  cameraIndex: z
    .string()
    .regex(/^[0-9A-Za-z]{1,8}$/, 'must be 1–8 letters or digits')
    .optional()
    .describe('Overlay: camera number, only when several cameras share one pile number')
    .meta({ example: '2' }),
  interchange: flag
    .optional()
    .describe('Overlay, classify 0: true when the camera watches an interchange named by poiName (××互通)')
    .meta({ example: false }),
  tollLayout: z
    .enum(['all-direction', 'mainline', 'one-way-ramp', 'diamond', 'lane'], {
      error: 'must be all-direction, mainline, one-way-ramp, diamond or lane',
    })
    .optional()
    .describe('Overlay, classify 1: toll-station plaza layout (lane: a lane/booth camera, text left to the toll software)')
    .meta({ example: 'all-direction' }),
  plazaSide: z
    .enum(['内', '外'], { error: 'must be 内 or 外' })
    .optional()
    .describe('Overlay, classify 1: 内 plaza nearer this road section, 外 farther')
    .meta({ example: '内' }),
  entryExit: z
    .enum(['入口', '出口'], { error: 'must be 入口 or 出口' })
    .optional()
    .describe('Overlay, classify 1 diamond layout: 入口 or 出口 plaza')
    .meta({ example: '入口' }),
  annex: flag
    .optional()
    .describe('Overlay, classify 1: true for the second plaza of the same direction and function (收费站名附属)')
    .meta({ example: false }),
  serviceObject: z
    .enum(['入口', '出口', '停车场', '加油站', '公共场所'], { error: 'must be 入口, 出口, 停车场, 加油站 or 公共场所' })
    .optional()
    .describe('Overlay, classify 2: what the camera watches in the service area')
    .meta({ example: '停车场' }),
  reserved: z
    .string()
    .max(40)
    .optional()
    .describe('Overlay: reserved bottom-left line (预留信息), e.g. the section between two interchanges')
    .meta({ example: '韶关—乐昌区间' }),
} as const;

/** Local access fields of a camera (never sent to the province). */
const streamRole = z.enum(['main', 'sub', 'third']);

export const cameraAccessShape = {
  ip: z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address').optional().describe('Camera IP address'),
  onvifUrl: httpUrl.optional().describe('ONVIF device service, e.g. http://10.0.0.5/onvif/device_service'),
  onvifUser: z.string().optional().describe('ONVIF user'),
  onvifPassword: z.string().optional().describe('ONVIF password'),
  rtspMain: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Main-stream RTSP URL'),
  rtspSub: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Sub-stream RTSP URL'),
  rtspThird: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Third-stream RTSP URL (cameras with a 720p third stream)'),
  encoder: z
    .enum(['gateway', 'camera'])
    .optional()
    .describe('Who encodes the 128 kbps / 1 Mbps outputs: gateway (FFmpeg) or camera (its own encoder, set over ONVIF, pushed by remux); default [media] encoder'),
  lowStream: streamRole.optional().describe('Camera stream the 128 kbps output is made from (default: the smallest stream of at least CIF)'),
  highStream: streamRole.optional().describe('Camera stream the 1 Mbps output is made from (default: the smallest stream of at least 720p)'),
  gbDeviceId: z.string().regex(/^\d{20}$/, 'must be 20 digits').optional().describe('GB/T 28181 device id'),
  gbChannelId: z.string().regex(/^\d{20}$/, 'must be 20 digits').optional().describe('GB/T 28181 channel id'),
  gbTransport: z
    .enum(['udp', 'tcp-passive', 'tcp-active'])
    .optional()
    .describe('GB/T 28181 media transport for this camera where it differs from [gb28181] stream_transport'),
  overlayText: z.string().max(200).optional().describe('On-screen text (§6.1.2 b)'),
  ...overlayAccessShape,
} as const;

/** How the gateway reaches a camera and what it draws on it (the access part of a camera; never sent to the province). */
export type CameraAccessFields = { -readonly [K in keyof typeof cameraAccessShape]?: Exclude<z.output<(typeof cameraAccessShape)[K]>, undefined> };

export const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
export const cameraIdSchema = z
  .string()
  .regex(CAMERA_ID, 'must be 1–64 letters, digits, _ . + - (a short local name such as K1844+158-up)');

export const cameraConfigSchema = z
  .strictObject({
    id: cameraIdSchema.describe('Local short name, unique on this gateway'),
    ...cameraRecordShape,
    cameraNum: cameraNumSchema.optional().describe('Pin an existing registration; generated once when absent'),
    ...cameraAccessShape,
  })
  .superRefine(checkPileNum)
  .describe('Cameras provisioned at start (idempotent; keyed by id)');

export type CameraConfig = z.output<typeof cameraConfigSchema>;
