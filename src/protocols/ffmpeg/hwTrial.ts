// A listed hardware encoder is only a compile-time option: whether a device and driver are
// there is known only by encoding with it, so each one gets a one-second trial encode.
import { spawn } from 'node:child_process';
import type { FfmpegCapabilities } from './capabilities.js';

export const HW_H264_ENCODERS = ['h264_nvenc', 'h264_vaapi', 'h264_qsv', 'h264_rkmpp', 'h264_v4l2m2m'] as const;

export interface HwTrialDevices {
  /** DRM render node for VAAPI. */
  vaapi?: string;
}

export interface HwTrialResult {
  encoder: string;
  ok: boolean;
  reason?: string;
  ms: number;
}

export const DEFAULT_VAAPI_DEVICE = '/dev/dri/renderD128';

/** The trial argv for one encoder (pure, golden-tested). */
export function hwTrialArgs(encoder: string, devices: HwTrialDevices = {}): string[] {
  const init: string[] = [];
  const filter: string[] = [];
  if (encoder.endsWith('_vaapi')) {
    init.push('-vaapi_device', devices.vaapi ?? DEFAULT_VAAPI_DEVICE);
    filter.push('-vf', 'format=nv12,hwupload');
  } else if (encoder.endsWith('_qsv')) {
    init.push('-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw');
    filter.push('-vf', 'format=nv12');
  } else if (encoder.endsWith('_v4l2m2m') || encoder.endsWith('_rkmpp')) {
    // Their drivers take NV12 or YUV420P only, and do not negotiate on their own everywhere.
    filter.push('-vf', 'format=yuv420p');
  }
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...init,
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=352x288:rate=25',
    '-t',
    '1',
    ...filter,
    '-c:v',
    encoder,
    '-f',
    'null',
    '-',
  ];
}

/** "[h264_nvenc @ 0x55d…] Cannot load libcuda.so.1" → "Cannot load libcuda.so.1". */
export function trialFailureReason(stderr: string, code: number | null, signal: string | null): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((l) => l.length > 0);
  const detail = lines.slice(0, 2).join('; ');
  const exit = signal ? `killed by ${signal}` : `exit code ${code}`;
  return detail ? `${detail} (${exit})` : exit;
}

function trialOne(ffmpeg: string, encoder: string, devices: HwTrialDevices, timeoutMs: number): Promise<HwTrialResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(ffmpeg, hwTrialArgs(encoder, devices), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 16_384) stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const finish = (r: Omit<HwTrialResult, 'encoder' | 'ms'>) => {
      clearTimeout(timer);
      resolve({ encoder, ...r, ms: Date.now() - started });
    };
    child.once('error', (err) => finish({ ok: false, reason: `cannot run ${ffmpeg}: ${err.message}` }));
    child.once('exit', (code, signal) => {
      // Stray helpers of a driver must not outlive the trial.
      killGroup(child.pid);
      if (timedOut) finish({ ok: false, reason: `no result within ${timeoutMs} ms` });
      else if (code === 0) finish({ ok: true });
      else finish({ ok: false, reason: trialFailureReason(stderr, code, signal) });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Trial-encodes with every hardware H.264 encoder the build lists, one after the other (two
 * sessions at once on a small GPU could fail for a reason that is not the driver's).
 */
export async function trialHardwareEncoders(
  ffmpeg: string,
  caps: Pick<FfmpegCapabilities, 'encoders'>,
  opts: { timeoutMs?: number; devices?: HwTrialDevices } = {},
): Promise<HwTrialResult[]> {
  const results: HwTrialResult[] = [];
  for (const encoder of HW_H264_ENCODERS) {
    if (!caps.encoders.includes(encoder)) continue;
    results.push(await trialOne(ffmpeg, encoder, opts.devices ?? {}, opts.timeoutMs ?? 15_000));
  }
  return results;
}
