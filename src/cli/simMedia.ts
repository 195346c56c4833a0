// `vcgw sim camera …` and `vcgw sim rtmp …`: RTSP cameras and an RTMP server on this box, for
// rehearsals and joint debugging (a technician can point a gateway or a player at them).
import type { Command } from 'commander';
import { MAIN_1080P_H264, MAIN_1080P_H265, MAIN_720P_H264, SUB_CIF_H264, SUB_D1_H264, type ClipSpec } from '../sim/camera/index.js';
import { startRtmpServer } from '../sim/rtmp/index.js';
import { SCENE_PICTURES, type ScenePicture } from '../sim/scene/pictures.js';
import { startSimCamera, type SimCamera } from '../sim/simCamera.js';
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

const PICTURES = ['normal', ...SCENE_PICTURES] as const;

export function registerSimMediaCommands(sim: Command, ctx: CliContext): void {
  sim
    .command('camera')
    .description('simulated ONVIF/RTSP cameras replaying pre-encoded clips (always "live": a client joins at the next keyframe)')
    .command('serve')
    .description('serve N cameras: ONVIF device/media/PTZ/imaging services, WS-Discovery, and RTSP main (+ sub, + third) streams')
    .option('--count <n>', 'number of cameras', '1')
    .option('--port <port>', 'port of the first camera (the next ones follow); 0 = any free port', '0')
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--main <profile>', `main stream: ${Object.keys(MAIN_CLIPS).join(', ')}`, '1080p')
    .option('--sub <profile>', `sub stream: ${Object.keys(SUB_CLIPS).join(', ')}`, 'cif')
    .option('--third', 'also a third stream (720p H.264 2 Mb/s; ONVIF Profile_3)')
    .option(
      '--picture <kind>',
      `what the cameras show: ${PICTURES.join(', ')} (normal: an FFmpeg test pattern, the cheapest; the others: a rendered road, normal by day, at night or in fog, or a broken camera's picture, for the image-quality diagnosis)`,
      'normal',
    )
    .option('--user <user>', 'ONVIF user, and RTSP Digest user with --password', 'admin')
    .option('--password <password>', 'ONVIF password (default admin123); also require RTSP Digest authentication')
    .option('--no-onvif', 'RTSP only: no ONVIF services and no WS-Discovery answers')
    .option('--json', 'print the camera URLs as JSON')
    .addHelpText(
      'after',
      '\nAn ONVIF SetVideoEncoderConfiguration re-encodes that stream and restarts it, as a real camera does.' +
        '\n\nExamples:\n  vcgw sim camera serve --count 4 --port 8554\n  vcgw sim camera serve --main 1080p-h265 --sub none --no-onvif --password secret\n  vcgw sim camera serve --third',
    )
    .action(
      async (o: { count: string; port: string; host: string; main: string; sub: string; third?: boolean; picture: string; user: string; password?: string; onvif: boolean; json?: boolean }) => {
        const count = intFlag('--count', o.count, 1, 200);
        if (!(PICTURES as readonly string[]).includes(o.picture)) throw new CliError(`--picture: expected one of ${PICTURES.join(', ')}, got ${o.picture}`, 2);
        const pictured = (c: ClipSpec | undefined): ClipSpec | undefined => (c && o.picture !== 'normal' ? { ...c, pattern: o.picture as ScenePicture } : c);
        const port = intFlag('--port', o.port, 0, 65535);
        const main = choice('--main', o.main, MAIN_CLIPS);
        const sub = choice('--sub', o.sub, SUB_CLIPS);
        if (o.onvif && main.codec === 'h265') {
          throw new CliError('--main 1080p-h265: ONVIF Media (ver10) cannot describe H.265; add --no-onvif', 2);
        }
        const password = o.password ?? 'admin123';
        const cams: SimCamera[] = [];
        try {
          for (let i = 0; i < count; i++) {
            cams.push(
              await startSimCamera({
                host: o.host,
                rtspPort: port === 0 ? 0 : port + i,
                main: pictured(main),
                sub: pictured(sub) ?? false,
                third: o.third ?? false,
                ...(o.password ? { rtspCredentials: { user: o.user, password: o.password } } : {}),
                onvif: o.onvif && {
                  user: o.user,
                  password,
                  serial: `SIM${String(i + 1).padStart(6, '0')}`,
                  mac: `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
                  ptz: i % 2 === 1,
                },
                discovery: o.onvif && { scopes: { name: `sim-camera-${i + 1}` } },
              }),
            );
          }
          const rows = cams.map((c, i) => ({
            camera: i + 1,
            onvif: c.onvif?.url ?? '',
            main: c.url('main', true),
            sub: c.streams.includes('sub') ? c.url('sub', true) : '',
            third: c.streams.includes('third') ? c.url('third', true) : '',
          }));
          const columns = ['camera', ...(o.onvif ? ['onvif'] : []), 'main', ...(sub ? ['sub'] : []), ...(o.third ? ['third'] : [])];
          println(ctx.stdout, o.json ? JSON.stringify(rows) : table(rows, columns));
          if (!o.json) {
            if (o.onvif) println(ctx.stdout, `ONVIF user ${o.user}, password ${password}; even-numbered cameras are PTZ domes; WS-Discovery on UDP 3702.`);
            println(ctx.stdout, 'Serving until Ctrl-C.');
          }
          await untilSignal();
        } finally {
          for (const c of cams) await c.close();
        }
      },
    );

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
