// Shared fixtures of the RTMP-server tests (not a test file itself).
import type { ChildProcess } from 'node:child_process';
import { startRtmpServer, type RtmpServer, type RtmpServerOptions } from '../../src/sim/rtmp/index.js';
import { spawnInOwnGroup } from '../../src/protocols/ffmpeg/childGroup.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startServer(t: Teardown, opts: RtmpServerOptions = {}): Promise<RtmpServer> {
  const server = await startRtmpServer(opts);
  t.teardown(() => server.close());
  return server;
}

export interface Publisher {
  child: ChildProcess;
  spawnedAt: number;
  /** Resolves when the ffmpeg exits (code, signal), with its last stderr lines. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): Promise<void>;
}

/** The brief's CIF test publisher: `-re` lavfi testsrc2 352x288@25, x264 ultrafast GOP 25 at 128k, AAC. */
export function publishCif(t: Teardown, url: string, opts: { audio?: boolean; seconds?: number } = {}): Publisher {
  const audio = opts.audio ?? true;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=352x288:rate=25',
    ...(audio ? ['-f', 'lavfi', '-i', 'anullsrc'] : []),
    ...(opts.seconds ? ['-t', String(opts.seconds)] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '25',
    '-b:v',
    '128k',
    ...(audio ? ['-c:a', 'aac'] : ['-an']),
    '-f',
    'flv',
    url,
  ];
  const spawnedAt = Date.now();
  const { child, exited } = spawnInOwnGroup('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const done = exited.then(() => ({ code: child.exitCode, signal: child.signalCode, stderr }));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await exited;
  };
  t.teardown(kill);
  return { child, spawnedAt, exited: done, kill };
}

/** Rejects when `p` has not settled within `ms`: every wait in these tests is bounded. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
