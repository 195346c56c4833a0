// Finds the FFmpeg and ffprobe binaries: the configured path, else PATH, else an optional npm build.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface LocateOptions {
  /** `media.ffmpeg_path` from the config. */
  ffmpegPath?: string;
  /** `media.ffprobe_path` from the config. */
  ffprobePath?: string;
  /** The PATH to search; defaults to `process.env.PATH` (tests pass their own). */
  pathEnv?: string;
  /** npm packages tried last; defaults to the @ffmpeg-installer / @ffprobe-installer builds. */
  npmPackages?: { ffmpeg: string; ffprobe: string };
}

export interface LocatedFfmpeg {
  ffmpeg: string;
  ffprobe?: string;
  source: 'config' | 'system' | 'npm';
}

export class FfmpegNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegNotFoundError';
  }
}

const INSTALL_HINT =
  'install FFmpeg with `apt-get install ffmpeg` (Debian/Ubuntu), or set media.ffmpeg_path to an FFmpeg binary';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function configured(file: string, key: string, pathEnv: string): Promise<string> {
  // A bare name ("ffmpeg-6") is looked up on PATH like a shell would.
  const abs = file.includes('/') ? path.resolve(file) : await findOnPath(file, pathEnv);
  if (abs === undefined || !(await isExecutableFile(abs))) {
    throw new FfmpegNotFoundError(`${key}: ${file} does not exist or is not an executable file`);
  }
  return abs;
}

/** `which`: the first executable `name` on `pathEnv`. */
export async function findOnPath(name: string, pathEnv = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The `path` export of an installer package, or undefined when it is not installed. */
async function npmBinary(pkg: string): Promise<string | undefined> {
  try {
    // A variable keeps the optional package out of type-checking and bundling.
    const mod = (await import(pkg)) as { path?: unknown; default?: { path?: unknown } };
    const p = mod.path ?? mod.default?.path;
    return typeof p === 'string' && (await isExecutableFile(p)) ? p : undefined;
  } catch {
    return undefined;
  }
}

export async function locateFfmpeg(opts: LocateOptions = {}): Promise<LocatedFfmpeg> {
  const pathEnv = opts.pathEnv ?? process.env['PATH'] ?? '';
  if (opts.ffmpegPath) {
    const ffmpeg = await configured(opts.ffmpegPath, 'media.ffmpeg_path', pathEnv);
    const ffprobe = opts.ffprobePath
      ? await configured(opts.ffprobePath, 'media.ffprobe_path', pathEnv)
      : await siblingOrPath(ffmpeg, pathEnv);
    return { ffmpeg, ...(ffprobe ? { ffprobe } : {}), source: 'config' };
  }
  const sysFfmpeg = await findOnPath('ffmpeg', pathEnv);
  if (sysFfmpeg) {
    const ffprobe = opts.ffprobePath
      ? await configured(opts.ffprobePath, 'media.ffprobe_path', pathEnv)
      : await siblingOrPath(sysFfmpeg, pathEnv);
    return { ffmpeg: sysFfmpeg, ...(ffprobe ? { ffprobe } : {}), source: 'system' };
  }
  const pkgs = opts.npmPackages ?? { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };
  const npmFfmpeg = await npmBinary(pkgs.ffmpeg);
  if (npmFfmpeg) {
    const ffprobe = opts.ffprobePath
      ? await configured(opts.ffprobePath, 'media.ffprobe_path', pathEnv)
      : await npmBinary(pkgs.ffprobe);
    return { ffmpeg: npmFfmpeg, ...(ffprobe ? { ffprobe } : {}), source: 'npm' };
  }
  throw new FfmpegNotFoundError(`ffmpeg not found (media.ffmpeg_path unset, none on PATH, no ${pkgs.ffmpeg}): ${INSTALL_HINT}`);
}

// ffprobe from the same build first: a different version could disagree on stream layouts.
async function siblingOrPath(ffmpeg: string, pathEnv: string): Promise<string | undefined> {
  const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
  if (await isExecutableFile(sibling)) return sibling;
  return findOnPath('ffprobe', pathEnv);
}
