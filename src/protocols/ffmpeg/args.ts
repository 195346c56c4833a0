// FFmpeg argv builders: pure functions from a plan to `string[]` (ARCHITECTURE convention 5),
// golden-tested in test/protocols/ffmpeg/args.test.ts. Never build a command string and split it.
//
// fd layout shared with the Supervisor: stdin takes 'q', fd 3 carries -progress, a source writes
// MPEG-TS on stdout, an output reads MPEG-TS from fd 4 (fed by the GOP-cache fan-out).

export const PROGRESS_FD = 3;
export const DATA_IN_FD = 4;
/** Enough for the tables and a keyframe's parameter sets; more only waits for data. */
const PROBE_BYTES = 4096;

const common = (loglevel: string): string[] => [
  '-hide_banner',
  '-loglevel',
  loglevel,
  '-nostats',
  '-progress',
  `pipe:${PROGRESS_FD}`,
  // Progress four times a second: the first frame (and so the answer to VideoTransBegin) is
  // seen within 250 ms, at a negligible cost.
  '-stats_period',
  '0.25',
];

export interface SourceArgs {
  url: string;
  /** RTSP lower transport; ignored for other schemes. */
  rtspTransport: 'tcp' | 'udp';
  /** Socket I/O timeout: FFmpeg blocked on an RTSP read ignores SIGTERM without it. */
  timeoutS: number;
  loglevel?: string;
}

/**
 * One pull of a camera stream, relayed unchanged as MPEG-TS on stdout. Parameter sets are
 * repeated before every keyframe so that a consumer joining at any GOP can decode it.
 */
export function sourceArgs(a: SourceArgs): string[] {
  const input: string[] = [];
  if (/^rtsps?:/i.test(a.url)) {
    input.push('-rtsp_transport', a.rtspTransport, '-timeout', String(Math.round(a.timeoutS * 1e6)));
  } else if (/^https?:/i.test(a.url)) {
    input.push('-rw_timeout', String(Math.round(a.timeoutS * 1e6)));
  }
  return [
    ...common(a.loglevel ?? 'warning'),
    ...input,
    // Probing a camera's RTSP stream for 5 s by default costs the first screen: the SDP
    // already names the codec, and copying needs no more (issue 3: ≈1.4 s → ≈0.3 s). 4 KiB, not
    // 32: a 256 kb/s sub-stream takes a second to fill 32 KiB (bench: cold low 2.2 s → 1.1 s).
    '-analyzeduration',
    '0',
    '-probesize',
    String(PROBE_BYTES),
    // Cameras' first RTP packets often precede the RTCP report that dates them.
    '-fflags',
    '+genpts',
    '-i',
    a.url,
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    '-bsf:v',
    'dump_extra=freq=keyframe',
    '-f',
    'mpegts',
    '-muxdelay',
    '0',
    '-muxpreload',
    '0',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

export type H264Encoder = 'libx264' | 'h264_nvenc' | 'h264_vaapi' | 'h264_qsv' | 'h264_rkmpp' | 'h264_v4l2m2m';

/** What a transcoded output must look like. */
export interface VideoTarget {
  /** 'exact': scale to width×height (setsar=1); 'within': fit inside, never upscale, keep aspect. */
  fit: 'exact' | 'within';
  width: number;
  height: number;
  /** Output frame rate; undefined keeps the source's. */
  fps?: number;
  bitrateKbps: number;
  gopFrames: number;
  /**
   * Filter chain drawn on the scaled picture before encoding, e.g. the burned-in overlay text
   * (modules/overlay/drawtext.ts); already escaped for a filtergraph.
   */
  overlayFilter?: string;
}

export interface VideoEncode extends VideoTarget {
  encoder: H264Encoder;
  /** x264 preset (libx264 only). */
  preset: string;
  /** Encoder threads; 0 = encoder default. */
  threads: number;
  /** Cheaper decoding (no loop filter): right for big downscales where the artefacts vanish. */
  fastDecode: boolean;
  /** DRM render node, for h264_vaapi. */
  vaapiDevice?: string;
}

export interface OutputArgs {
  /** undefined = copy the video as it is. */
  encode?: VideoEncode;
  /**
   * 'silent' adds a silent AAC track: FFmpeg-based RTMP readers wait ≈5 s for audio an FLV
   * stream does not announce, ≈1 s with one (issue 3 measurements).
   */
  audio: 'silent' | 'none';
  url: string;
  loglevel?: string;
}

function scaleFilter(v: VideoEncode): string {
  const flags = v.fastDecode ? 'fast_bilinear' : 'bicubic';
  if (v.fit === 'exact') return `scale=${v.width}:${v.height}:flags=${flags},setsar=1`;
  return (
    `scale=w='min(${v.width},iw)':h='min(${v.height},ih)':force_original_aspect_ratio=decrease` +
    `:force_divisible_by=2:flags=${flags}`
  );
}

function videoFilter(v: VideoEncode): string {
  const chain = [...(v.fps !== undefined ? [`fps=${v.fps}`] : []), scaleFilter(v)];
  // After scaling: drawtext sizes its glyphs for the output frame, not the camera's.
  if (v.overlayFilter) chain.push(v.overlayFilter);
  switch (v.encoder) {
    case 'h264_vaapi':
      chain.push('format=nv12', 'hwupload');
      break;
    case 'h264_qsv':
    case 'h264_rkmpp':
      chain.push('format=nv12');
      break;
    default:
      chain.push('format=yuv420p');
  }
  return chain.join(',');
}

function rateControl(v: VideoEncode): string[] {
  const b = `${v.bitrateKbps}k`;
  return ['-b:v', b, '-maxrate', b, '-bufsize', b];
}

function encoderArgs(v: VideoEncode): string[] {
  const gop = ['-g', String(v.gopFrames), '-keyint_min', String(v.gopFrames)];
  switch (v.encoder) {
    case 'libx264':
      return [
        '-c:v', 'libx264', '-preset', v.preset, '-tune', 'zerolatency', '-profile:v', 'main',
        ...rateControl(v),
        // nal-hrd=cbr pads to the bitrate of the CONTRACT §2 tier: the platform's players are sized for that rate.
        '-x264-params', 'nal-hrd=cbr:force-cfr=1',
        ...gop, '-sc_threshold', '0', '-bf', '0',
        ...(v.threads > 0 ? ['-threads', String(v.threads)] : []),
      ];
    case 'h264_nvenc':
      return ['-c:v', 'h264_nvenc', '-preset', 'p1', '-tune', 'll', '-rc', 'cbr', ...rateControl(v), ...gop, '-bf', '0'];
    case 'h264_vaapi':
      return ['-c:v', 'h264_vaapi', '-rc_mode', 'CBR', ...rateControl(v), ...gop, '-bf', '0'];
    case 'h264_qsv':
      return ['-c:v', 'h264_qsv', '-preset', 'veryfast', ...rateControl(v), ...gop, '-bf', '0'];
    case 'h264_rkmpp':
      return ['-c:v', 'h264_rkmpp', '-rc_mode', 'CBR', ...rateControl(v), ...gop];
    case 'h264_v4l2m2m':
      return ['-c:v', 'h264_v4l2m2m', ...rateControl(v), ...gop];
  }
}

/** One RTMP push fed with MPEG-TS on fd 4: a copy or a transcode to H.264, FLV out. */
export function outputArgs(a: OutputArgs): string[] {
  const v = a.encode;
  const args = common(a.loglevel ?? 'error');
  if (v?.encoder === 'h264_vaapi') args.push('-vaapi_device', v.vaapiDevice ?? '/dev/dri/renderD128');
  if (v?.fastDecode) args.push('-flags2', 'fast', '-skip_loop_filter', 'all');
  if (v) args.push('-threads', '1');
  // The fan-out starts every consumer with the programme tables and a keyframe: nothing to probe.
  args.push('-f', 'mpegts', '-analyzeduration', '0', '-probesize', String(PROBE_BYTES), '-i', `pipe:${DATA_IN_FD}`);
  if (a.audio === 'silent') args.push('-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono');
  args.push('-map', '0:v:0');
  if (a.audio === 'silent') args.push('-map', '1:a:0');
  if (v) args.push('-vf', videoFilter(v), ...encoderArgs(v));
  else args.push('-c:v', 'copy');
  if (a.audio === 'silent') args.push('-c:a', 'aac', '-b:a', '32k', '-shortest');
  args.push('-f', 'flv', '-flvflags', 'no_duration_filesize', a.url);
  return args;
}
