// The naive baseline: one plain FFmpeg per push, each opening its own RTSP session to the camera's
// main stream, as a shell one-liner would.
import { onLines, Ring, spawnChild, type Child } from './children.js';
import type { FrameSeries } from './frames.js';

const input = (rtsp: string): string[] => ['-rtsp_transport', 'tcp', '-i', rtsp];

/** 128 kb/s CIF, as the constant push (issue 3 baseline). */
export function naiveLowArgs(rtsp: string, rtmp: string): string[] {
  return [...input(rtsp), '-s', '352x288', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '128k', '-g', '25', '-an', '-f', 'flv', rtmp];
}

/** Source rate, copied. */
export function naiveCopyArgs(rtsp: string, rtmp: string): string[] {
  return [...input(rtsp), '-c', 'copy', '-f', 'flv', rtmp];
}

/** 720p 1 Mb/s. */
export function naiveHighArgs(rtsp: string, rtmp: string): string[] {
  return [...input(rtsp), '-s', '1280x720', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1M', '-g', '25', '-f', 'flv', rtmp];
}

export interface NaiveProcess extends Child {
  stderr: Ring;
}

/**
 * Runs `ffmpeg <args>` with `-progress pipe:1`; with `frames`, every progress block's frame= is
 * recorded under `key`.
 */
export function startNaive(args: string[], o: { key?: string; frames?: FrameSeries } = {}): NaiveProcess {
  const argv = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', ...args];
  const proc = spawnChild('ffmpeg', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new Ring();
  onLines(proc.child.stderr, (l) => stderr.push(l));
  let frame: number | undefined;
  onLines(proc.child.stdout, (line) => {
    const m = /^frame=(\d+)/.exec(line);
    if (m) frame = Number(m[1]);
    // The block ends with progress=…: stamp the reading then, once per block.
    if (line.startsWith('progress=') && frame !== undefined && o.frames && o.key) o.frames.observe(o.key, frame);
  });
  return { ...proc, stderr };
}
