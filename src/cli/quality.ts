// `vcgw quality diagnose FILE|URL|CAMERA`: the image-quality diagnosis of a clip, a stream URL or a
// registered camera, now, in this process. For technicians at the box (does the camera I just
// cleaned still look occluded?) and for scoring outside labelled sets, so the output is stable:
// the nine cameraStatus flags, the eight confidences and the measure behind each.
import fs from 'node:fs';
import type { Command } from 'commander';
import { cameraStreamsOf } from '../modules/cameraEncoding/cameraStreams.js';
import { confidenceList, diagnose, statusBits, type DiagnoseOptions } from '../modules/quality/diagnose.js';
import { CONFIDENCE_DECIMALS } from '../modules/quality/format.js';
import { readFrames } from '../modules/quality/frames.js';
import { MIN_SAMPLES, type PictureReference } from '../modules/quality/reference.js';
import { CONDITIONS, type Diagnosis } from '../modules/quality/types.js';
import { locateFfmpeg } from '../protocols/ffmpeg/locate.js';
import { CameraQualityReferenceStore } from '../store/cameraQualityReference.js';
import { CameraStore } from '../store/cameras.js';
import { openDb } from '../store/db.js';
import { CliError, println, table, type CliContext } from './context.js';

const FPS = 25;

export interface QualityReport {
  target: string;
  kind: 'file' | 'url' | 'camera';
  frames: number;
  /** cameraStatus: offline, then the eight conditions ('0'/'1'). */
  status: string;
  /** The eight confidences, in cameraStatus order (flags 2–9). */
  confidence: number[];
  flags: Diagnosis['flags'];
  details: Diagnosis['details'];
  /** Whether the camera's own reference (its picture when last judged normal) was used. */
  reference: boolean;
}

export function parseSeconds(value: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0.5 || s > 10) throw new CliError(`--seconds: expected a number of seconds 0.5–10, got ${value}`, 2);
  return s;
}

export function qualityReport(target: string, kind: QualityReport['kind'], frames: number, d: Diagnosis, reference: boolean): QualityReport {
  return {
    target,
    kind,
    frames,
    status: statusBits(false, d),
    confidence: confidenceList(d).split('|').map(Number),
    flags: d.flags,
    details: d.details,
    reference,
  };
}

export function formatReport(r: QualityReport): string {
  const rows = CONDITIONS.map((c, i) => ({ flag: i + 2, condition: c, set: r.flags[c] ? 'YES' : 'no', confidence: r.confidence[i]!.toFixed(2), measure: r.details[c] }));
  return [
    `${r.kind} ${r.target}: ${r.frames} frames${r.reference ? ', judged against the camera’s reference' : ''}`,
    table(rows, ['flag', 'condition', 'set', 'confidence', 'measure']),
    `cameraStatus ${r.status}`,
    `cameraConfidence ${r.confidence.map((x) => x.toFixed(CONFIDENCE_DECIMALS)).join('|')}`,
  ].join('\n');
}

export function registerQualityCommand(program: Command, ctx: CliContext): void {
  const quality = program.command('quality').description('image-quality diagnosis (CONTRACT §3 flags 2–9)');
  quality
    .command('diagnose <target>')
    .description('diagnose a video FILE, a stream URL or a registered CAMERA (id or cameraNum) now: nine flags, eight confidences and the measure behind each')
    .option('--json', 'machine-readable output: status (9 chars), confidence (8 numbers), details')
    .option('--seconds <s>', 'seconds of video read (the hourly check reads 2)', '2')
    .addHelpText(
      'after',
      '\nA registered camera is judged against its own reference (its picture when last judged normal) when it has one.' +
        '\n\nExamples:\n  vcgw quality diagnose clip.ts\n  vcgw quality diagnose rtsp://10.0.0.5/sub --json\n  vcgw quality diagnose K1844+158-up --seconds 4',
    )
    .action(async (target: string, o: { json?: boolean; seconds: string }) => {
      const seconds = parseSeconds(o.seconds);
      let url: string;
      let kind: QualityReport['kind'];
      const opts: DiagnoseOptions = {};
      let ffmpegPath: string | undefined;
      if (fs.existsSync(target) && fs.statSync(target).isFile()) {
        url = target;
        kind = 'file';
      } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        url = target;
        kind = 'url';
      } else {
        kind = 'camera';
        const config = ctx.loadConfig();
        ffmpegPath = await locateFfmpeg({ ffmpegPath: config.media.ffmpeg_path, ffprobePath: config.media.ffprobe_path }).then(
          (f) => f.ffmpeg,
          () => undefined,
        );
        const db = openDb(config.gateway.data_dir);
        try {
          const cam = new CameraStore(db).find(target);
          if (!cam) throw new CliError(`TARGET: ${target} is no file, no URL (scheme://…) and no registered camera (see vcgw cameras list)`, 2);
          const streams = cameraStreamsOf(db, config.media.encoder);
          const stream = streams.selection(cam)?.low.stream;
          const found = stream && streams.urlOf(cam, stream);
          if (!found) throw new CliError(`${cam.id}: no stream known yet (no RTSP URL, ONVIF stream URIs not read yet)`);
          url = found;
          const refs: NonNullable<DiagnoseOptions['references']> = {};
          for (const r of new CameraQualityReferenceStore(db).get<PictureReference>(cam.record.cameraNum)) refs[r.regime] = { samples: r.samples, measures: r.measures };
          opts.references = refs;
        } finally {
          db.close();
        }
      }
      const burst = await readFrames(url, { maxFrames: Math.round(seconds * FPS), seconds: kind === 'file' ? undefined : seconds, timeoutMs: seconds * 1000 + 15_000, ffmpegPath });
      if (burst.frames.length === 0) throw new CliError(`${target}: no frames decoded (${burst.ended}): ${burst.error ?? 'no picture'}`);
      const d = diagnose(burst.frames, opts);
      const ref = d.measures && opts.references?.[d.measures.regime];
      const usedReference = ref !== undefined && ref.samples >= MIN_SAMPLES;
      const report = qualityReport(target, kind, burst.frames.length, d, usedReference);
      println(ctx.stdout, o.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });
}
