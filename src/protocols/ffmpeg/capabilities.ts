// What the installed FFmpeg can do, read once at start from its list outputs (-encoders,
// -hwaccels, -filters), whose table layout has been stable for a decade; the banner is only
// read for the version line.
import { execFile } from 'node:child_process';

export interface FfmpegCapabilities {
  /** As printed: "5.1.9-0+deb12u1", "6.1.1", "N-112233-g0123abcd". */
  version: string;
  /** Release major; for git builds ("N-…") derived from libavformat. */
  major: number;
  minor: number;
  /** libavformat [major, minor, micro] when printed. */
  libavformat?: [number, number, number];
  /** Present encoders among ENCODERS_OF_INTEREST. */
  encoders: string[];
  hwaccels: string[];
  /** Present filters among FILTERS_OF_INTEREST. */
  filters: string[];
  /** HEVC in FLV/RTMP ("enhanced RTMP"): muxer support arrived in FFmpeg 6.1 (flvenc, July 2023). */
  hevcInFlv: boolean;
}

export const ENCODERS_OF_INTEREST = [
  'libx264',
  'libx265',
  'h264_nvenc',
  'h264_vaapi',
  'h264_qsv',
  'h264_rkmpp',
  'h264_v4l2m2m',
  'hevc_nvenc',
  'hevc_vaapi',
  'hevc_qsv',
  'hevc_rkmpp',
  'aac',
  'libfdk_aac',
  'mjpeg',
] as const;

export const FILTERS_OF_INTEREST = [
  'fps',
  'scale',
  'setsar',
  'format',
  'split',
  'null',
  'drawtext',
  'blurdetect',
  'blackdetect',
  'freezedetect',
  'signalstats',
  'select',
  'thumbnail',
  'hwupload',
  'hwdownload',
  'scale_vaapi',
  'scale_qsv',
  'scale_cuda',
  'scale_npp',
  'scale_rkrga',
  'vpp_qsv',
] as const;

export interface ParsedVersion {
  version: string;
  major: number;
  minor: number;
  libavformat?: [number, number, number];
}

// libavformat of each release, to date git builds that print "N-…" instead of a version.
const LAVF_RELEASES: Array<{ lavf: [number, number]; release: [number, number] }> = [
  { lavf: [61, 7], release: [7, 1] },
  { lavf: [61, 1], release: [7, 0] },
  { lavf: [60, 16], release: [6, 1] },
  { lavf: [60, 3], release: [6, 0] },
  { lavf: [59, 27], release: [5, 1] },
  { lavf: [59, 16], release: [5, 0] },
  { lavf: [58, 76], release: [4, 4] },
];

function atLeast(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/** Parses `ffmpeg -version`. Throws when the first line is not an FFmpeg banner. */
export function parseVersion(text: string): ParsedVersion {
  const m = /^ffmpeg version (\S+)/m.exec(text);
  if (!m?.[1]) throw new Error(`not an FFmpeg version output: ${JSON.stringify(text.slice(0, 80))}`);
  const version = m[1];
  const lm = /^libavformat\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(text);
  const libavformat: [number, number, number] | undefined = lm
    ? [Number(lm[1]), Number(lm[2]), Number(lm[3])]
    : undefined;
  // "5.1.9-0+deb12u1", "n6.1.1", "6.0-static", "7.1-full_build-www.gyan.dev"
  const vm = /^n?(\d+)\.(\d+)/.exec(version);
  if (vm) return { version, major: Number(vm[1]), minor: Number(vm[2]), ...(libavformat ? { libavformat } : {}) };
  if (libavformat) {
    const rel = LAVF_RELEASES.find((r) => atLeast([libavformat[0], libavformat[1]], r.lavf));
    if (rel) return { version, major: rel.release[0], minor: rel.release[1], libavformat };
  }
  return { version, major: 0, minor: 0, ...(libavformat ? { libavformat } : {}) };
}

/**
 * Names from a `-encoders` / `-decoders` table: lines of a 6-letter flag field and a name,
 * after the `------` separator.
 */
export function parseEncoders(text: string): string[] {
  return tableNames(text, /^\s*[VASD.][A-Z.]{5}\s+(\S+)\s/);
}

/** Names from a `-filters` table: 3 flag letters, name, `in->out`, description. */
export function parseFilters(text: string): string[] {
  return tableNames(text, /^\s*[T.][S.][C.]\s+(\S+)\s+\S*->\S*/);
}

function tableNames(text: string, row: RegExp): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = row.exec(line);
    if (m?.[1] && m[1] !== '=') names.push(m[1]);
  }
  return names;
}

/** Names from `-hwaccels`: one per line after the header. */
export function parseHwaccels(text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const start = lines.findIndex((l) => /^Hardware acceleration methods:?$/i.test(l));
  return lines.slice(start + 1).filter((l) => /^[a-z0-9_]+$/i.test(l));
}

export function supportsHevcInFlv(v: ParsedVersion): boolean {
  return atLeast([v.major, v.minor], [6, 1]);
}

function run(ffmpeg: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${ffmpeg} ${args.join(' ')}: ${err.message}${stderr ? `: ${String(stderr).trim().slice(-300)}` : ''}`));
      else resolve(String(stdout));
    });
  });
}

export async function probeCapabilities(ffmpeg: string, opts: { timeoutMs?: number } = {}): Promise<FfmpegCapabilities> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const [versionText, encodersText, hwaccelsText, filtersText] = await Promise.all([
    run(ffmpeg, ['-hide_banner', '-version'], timeoutMs),
    run(ffmpeg, ['-hide_banner', '-encoders'], timeoutMs),
    run(ffmpeg, ['-hide_banner', '-hwaccels'], timeoutMs),
    run(ffmpeg, ['-hide_banner', '-filters'], timeoutMs),
  ]);
  const v = parseVersion(versionText);
  const encoders = new Set(parseEncoders(encodersText));
  const filters = new Set(parseFilters(filtersText));
  return {
    version: v.version,
    major: v.major,
    minor: v.minor,
    ...(v.libavformat ? { libavformat: v.libavformat } : {}),
    encoders: ENCODERS_OF_INTEREST.filter((e) => encoders.has(e)),
    hwaccels: parseHwaccels(hwaccelsText),
    filters: FILTERS_OF_INTEREST.filter((f) => filters.has(f)),
    hevcInFlv: supportsHevcInFlv(v),
  };
}
