// `vcgw sim camera …` and `vcgw sim rtmp …`: RTSP cameras and an RTMP server on this box, for
// rehearsals and joint debugging (a technician can point a gateway or a player at them).
import type { Command } from 'commander';
import {
  MAIN_1080P_H264,
  MAIN_1080P_H265,
  MAIN_720P_H264,
  startRtspCamera,
  SUB_CIF_H264,
  SUB_D1_H264,
  type ClipSpec,
  type RtspCamera,
} from '../sim/camera/index.js';
import { startRtmpServer } from '../sim/rtmp/index.js';
import { CliError, println, table, type CliContext } from './context.js';
import { untilSignal } from './run.js';

const MAIN_CLIPS: Record<string, ClipSpec> = { '1080p': MAIN_1080P_H264, '720p': MAIN_720P_H264, '1080p-h265': MAIN_1080P_H265 };
const SUB_CLIPS: Record<string, ClipSpec | undefined> = { cif: SUB_CIF_H264, d1: SUB_D1_H264, none: undefined };

function intFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag}: expected an integer ${min}–${max}, got ${value}`, 2);
  return n;
}

function choice<T>(flag: string, value: string, options: Record<string, T>): T {
  if (!(value in options)) throw new CliError(`${flag}: expected one of ${Object.keys(options).join(', ')}, got ${value}`, 2);
  return options[value] as T;
}

export function registerSimMediaCommands(sim: Command, ctx: CliContext): void {
  sim
    .command('camera')
    .description('simulated RTSP cameras replaying pre-encoded clips (always "live": a client joins at the next keyframe)')
    .command('serve')
    .description('serve N cameras, each on its own port with a main and an optional sub stream')
    .option('--count <n>', 'number of cameras', '1')
    .option('--port <port>', 'port of the first camera (the next ones follow); 0 = any free port', '0')
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--main <profile>', `main stream: ${Object.keys(MAIN_CLIPS).join(', ')}`, '1080p')
    .option('--sub <profile>', `sub stream: ${Object.keys(SUB_CLIPS).join(', ')}`, 'cif')
    .option('--user <user>', 'RTSP Digest user (with --password)', 'admin')
    .option('--password <password>', 'require RTSP Digest authentication with this password')
    .option('--json', 'print the camera URLs as JSON')
    .addHelpText('after', '\nExamples:\n  vcgw sim camera serve --count 4 --port 8554\n  vcgw sim camera serve --main 1080p-h265 --sub none --password secret')
    .action(async (o: { count: string; port: string; host: string; main: string; sub: string; user: string; password?: string; json?: boolean }) => {
      const count = intFlag('--count', o.count, 1, 200);
      const port = intFlag('--port', o.port, 0, 65535);
      const main = choice('--main', o.main, MAIN_CLIPS);
      const sub = choice('--sub', o.sub, SUB_CLIPS);
      const cams: RtspCamera[] = [];
      try {
        for (let i = 0; i < count; i++) {
          cams.push(
            await startRtspCamera({
              host: o.host,
              port: port === 0 ? 0 : port + i,
              streams: [{ path: 'main', clip: main }, ...(sub ? [{ path: 'sub', clip: sub }] : [])],
              user: o.password ? o.user : undefined,
              password: o.password,
            }),
          );
        }
        const rows = cams.map((c, i) => ({ camera: i + 1, main: c.url('main', true), sub: sub ? c.url('sub', true) : '' }));
        println(ctx.stdout, o.json ? JSON.stringify(rows) : table(rows, ['camera', 'main', 'sub']));
        if (!o.json) println(ctx.stdout, 'Serving until Ctrl-C.');
        await untilSignal();
      } finally {
        for (const c of cams) await c.close();
      }
    });

  sim
    .command('rtmp')
    .description('a real RTMP server (nginx with libnginx-mod-rtmp) standing in for the province ingest')
    .command('serve')
    .option('--port <port>', 'RTMP port; 0 = any free port', '1935')
    .option('--on-publish <url>', 'HTTP callback that accepts or refuses each publish (e.g. `vcgw sim province serve` publish check)')
    .addHelpText('after', '\nExample:\n  vcgw sim rtmp serve --port 1935\n  ffplay rtmp://127.0.0.1:1935/rtmp/<cameraNum>')
    .action(async (o: { port: string; onPublish?: string }) => {
      const port = intFlag('--port', o.port, 0, 65535);
      const server = await startRtmpServer({ port: port === 0 ? undefined : port, onPublishUrl: o.onPublish }).catch((e: unknown) => {
        throw new CliError(e instanceof Error ? e.message : String(e));
      });
      try {
        println(ctx.stdout, `RTMP server at ${server.baseUrl()} (nginx prefix ${server.dir}). Serving until Ctrl-C.`);
        await untilSignal();
      } finally {
        await server.close();
      }
    });
}
