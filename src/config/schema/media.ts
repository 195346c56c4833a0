import { z } from 'zod';
import { file, seconds } from './common.js';

export const media = z
  .strictObject({
    max_outputs: z.number().int().min(1).max(200).default(30).describe('On-demand pushes at once, all rates (§6.1.2 f)'),
    max_4m: z.number().int().min(0).max(200).default(15).describe('On-demand 4 Mbps pushes at once'),
    max_source: z.number().int().min(0).max(200).default(15).describe('On-demand source-rate pushes at once'),
    rtmp_app: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('rtmp').describe('RTMP app used when pubName holds no app'),
    ffmpeg_path: file.optional().describe('FFmpeg binary (default: ffmpeg on PATH, then the @ffmpeg-installer package)'),
    ffprobe_path: file.optional().describe('ffprobe binary (default: ffprobe next to ffmpeg or on PATH)'),
    hardware: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('auto: use hardware H.264 encoders that pass a one-second trial encode at start; off: libx264 only'),
    hw_slots: z
      .strictObject({
        h264_nvenc: z.number().int().min(0).max(64).default(8),
        h264_qsv: z.number().int().min(0).max(64).default(8),
        h264_vaapi: z.number().int().min(0).max(64).default(4),
        h264_rkmpp: z.number().int().min(0).max(64).default(4),
        h264_v4l2m2m: z.number().int().min(0).max(64).default(2),
      })
      .default(() => ({ h264_nvenc: 8, h264_qsv: 8, h264_vaapi: 4, h264_rkmpp: 4, h264_v4l2m2m: 2 }))
      .describe('Concurrent encodes per hardware encoder; pipelines beyond them use libx264'),
    vaapi_device: z.string().default('/dev/dri/renderD128').describe('DRM render node for h264_vaapi'),
    x264_preset: z
      .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'])
      .default('veryfast')
      .describe('libx264 preset of transcoded outputs'),
    audio: z
      .enum(['silent', 'none'])
      .default('silent')
      .describe('silent: add a silent AAC track (FFmpeg-based players start ≈4 s sooner); none: video only'),
    hevc_passthrough: z
      .boolean()
      .default(false)
      .describe('Copy H.265 sources into FLV (enhanced RTMP, FFmpeg ≥ 6) instead of re-encoding to H.264 (CONTRACT §2)'),
    encoder: z
      .enum(['gateway', 'camera'])
      .default('gateway')
      .describe(
        "Section default for cameras' `encoder`: camera = configure the camera's sub (and third) stream over ONVIF to the 128 kbps CIF (and 1 Mbps 720p) output and push it by remux, verified by ffprobe, falling back to FFmpeg when refused or off-tier",
      ),
    encoding_check_s: seconds(60, 86400)
      .default(3600)
      .describe('How often camera-side encoding is read back and verified (and ONVIF profiles re-read); new cameras within 30 s'),
    rtsp_transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP lower transport towards cameras'),
    rtsp_timeout_s: seconds(1, 60).default(5).describe('Socket timeout of a camera pull; a silent camera is reconnected after it'),
    stall_s: seconds(2, 300).default(10).describe('A pipeline whose progress stops this long is restarted'),
    first_frame_s: seconds(2, 300).default(15).describe('A pipeline with no frame this long after it started is restarted'),
    backoff_s: z
      .array(seconds(0.1, 3600))
      .min(1)
      .default([1, 2, 4])
      .describe(
        'Delays between restarts of a failing pipeline, in steps; the last repeats. Only failures without a frame that repeat within 30 s climb the steps; a pipeline that delivered frames restarts at the first. A retry is one TCP connect to the camera or the RTMP server, so the last step stays short: the push is back within 5 s of the far end',
      ),
    start_timeout_s: seconds(1, 60)
      .default(8)
      .describe('VideoTransBegin waits this long for the first frame before answering with an error'),
    give_up_s: seconds(10, 86400)
      .default(120)
      .describe('An on-demand push that delivers no frame for this long (RTMP server refusing, camera gone) is stopped and its slot freed'),
    source_linger_s: seconds(0, 3600)
      .default(10)
      .describe('A camera pull with no outputs left stays open this long, so a quick stop/start does not reconnect'),
    push_url_max_age_s: seconds(5, 300)
      .default(300)
      .describe('A constant-push URL older than this is fetched again (GetPushAddress) before a (re)start (E-4.1: valid 5 min)'),
  })
  .describe('Media engine: FFmpeg, limits, tiers, recovery');
