// What the media engine found on this box at start: FFmpeg, its capabilities, working hardware
// encoders and the slots to schedule on them. Shown by `vcgw doctor` and logged at start.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { probeCapabilities, type FfmpegCapabilities } from '../../protocols/ffmpeg/capabilities.js';
import { trialHardwareEncoders, type HwTrialResult } from '../../protocols/ffmpeg/hwTrial.js';
import { locateFfmpeg } from '../../protocols/ffmpeg/locate.js';
import { EncoderScheduler } from '../../protocols/ffmpeg/scheduler.js';

const run = promisify(execFile);

export type MediaConfig = Config['media'];

/** What this box has for media (found at start); the [media] keys are given to each part apart. */
export interface MediaRuntime {
  ffmpeg: string;
  ffprobe?: string;
  ffmpegSource: 'config' | 'system' | 'npm';
  caps: FfmpegCapabilities;
  hwTrials: HwTrialResult[];
  scheduler: EncoderScheduler;
  /** setpriv, when it can give children a parent-death signal (children die with the daemon). */
  deathSignalHelper?: string;
}

async function findDeathSignalHelper(): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      await run(candidate, ['--pdeathsig', 'SIGKILL', '--', 'true'], { timeout: 5000 });
      return candidate;
    } catch {
      // not there, or too old for --pdeathsig
    }
  }
  return undefined;
}

export async function createMediaRuntime(config: MediaConfig, log: Logger): Promise<MediaRuntime> {
  const found = await locateFfmpeg({ ffmpegPath: config.ffmpeg_path, ffprobePath: config.ffprobe_path });
  const caps = await probeCapabilities(found.ffmpeg);
  if (!caps.encoders.includes('libx264')) {
    throw new Error(`${found.ffmpeg} has no libx264 encoder; install Debian's ffmpeg (apt-get install ffmpeg)`);
  }
  const hwTrials = config.hardware === 'auto' ? await trialHardwareEncoders(found.ffmpeg, caps, { devices: { vaapi: config.vaapi_device } }) : [];
  const working = hwTrials.filter((t) => t.ok);
  const scheduler = new EncoderScheduler(
    working.map((t) => ({ encoder: t.encoder, slots: config.hw_slots[t.encoder as keyof MediaConfig['hw_slots']] ?? 0 })).filter((d) => d.slots > 0),
  );
  const deathSignalHelper = await findDeathSignalHelper();
  const rt: MediaRuntime = { ffmpeg: found.ffmpeg, ffprobe: found.ffprobe, ffmpegSource: found.source, caps, hwTrials, scheduler, deathSignalHelper };
  log.info(
    {
      ffmpeg: found.ffmpeg,
      version: caps.version,
      from: found.source,
      hardware: hwTrials.map((t) => `${t.encoder}:${t.ok ? 'ok' : `no (${t.reason ?? 'failed'})`}`),
      deathSignal: deathSignalHelper ?? 'none (children rely on pipe EOF to exit with the daemon)',
    },
    'media engine ready',
  );
  return rt;
}
