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
import { defaultProfiles, startDiscoveryResponder, startOnvifCamera, type OnvifCamera, type OnvifProfile } from '../sim/onvif/index.js';
import { startRtmpServer } from '../sim/rtmp/index.js';
import { CliError, println, table, type CliContext } from './context.js';
import { untilSignal } from './run.js';

const MAIN_CLIPS: Record<string, ClipSpec> = { '1080p': MAIN_1080P_H264, '720p': MAIN_720P_H264, '1080p-h265': MAIN_1080P_H265 };
const SUB_CLIPS: Record<string, ClipSpec | undefined> = { cif: SUB_CIF_H264, d1: SUB_D1_H264, none: undefined };

/** The ONVIF profiles describe the clips actually served, so what a client reads is true on the wire. */
function profilesFor(main: ClipSpec, sub: ClipSpec | undefined): OnvifProfile[] {
  const [mainProfile, subProfile] = defaultProfiles();
  const describe = (p: OnvifProfile, c: ClipSpec): OnvifProfile => ({
    ...p,
    encoder: { ...p.encoder, width: c.width, height: c.height, frameRateLimit: c.fps, bitrateLimit: c.bitrateKbps, govLength: c.gopFrames },
  });
  return [describe(mainProfile!, main), ...(sub ? [describe(subProfile!, sub)] : [])];
}

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
    .description('simulated ONVIF/RTSP cameras replaying pre-encoded clips (always "live": a client joins at the next keyframe)')
    .command('serve')
    .description('serve N cameras: ONVIF device/media/PTZ/imaging services, WS-Discovery, and RTSP main (+ sub) streams')
    .option('--count <n>', 'number of cameras', '1')
    .option('--port <port>', 'port of the first camera (the next ones follow); 0 = any free port', '0')
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--main <profile>', `main stream: ${Object.keys(MAIN_CLIPS).join(', ')}`, '1080p')
    .option('--sub <profile>', `sub stream: ${Object.keys(SUB_CLIPS).join(', ')}`, 'cif')
    .option('--user <user>', 'ONVIF user, and RTSP Digest user with --password', 'admin')
    .option('--password <password>', 'ONVIF password (default admin123); also require RTSP Digest authentication')
    .option('--no-onvif', 'RTSP only: no ONVIF services and no WS-Discovery answers')
    .option('--json', 'print the camera URLs as JSON')
    .addHelpText('after', '\nExamples:\n  vcgw sim camera serve --count 4 --port 8554\n  vcgw sim camera serve --main 1080p-h265 --sub none --password secret')
    .action(async (o: { count: string; port: string; host: string; main: string; sub: string; user: string; password?: string; onvif: boolean; json?: boolean }) => {
      const count = intFlag('--count', o.count, 1, 200);
      const port = intFlag('--port', o.port, 0, 65535);
      const main = choice('--main', o.main, MAIN_CLIPS);
      const sub = choice('--sub', o.sub, SUB_CLIPS);
      if (o.onvif && main.codec === 'h265') {
        throw new CliError('--main 1080p-h265: ONVIF Media (ver10) cannot describe H.265; add --no-onvif', 2);
      }
      const cams: RtspCamera[] = [];
      const onvifs: OnvifCamera[] = [];
      const stoppers: Array<() => Promise<void>> = [];
      try {
        for (let i = 0; i < count; i++) {
          const cam = await startRtspCamera({
            host: o.host,
            port: port === 0 ? 0 : port + i,
            streams: [{ path: 'main', clip: main }, ...(sub ? [{ path: 'sub', clip: sub }] : [])],
            user: o.password ? o.user : undefined,
            password: o.password,
          });
          cams.push(cam);
          if (o.onvif) {
            const onvif = await startOnvifCamera({
              host: o.host,
              user: o.user,
              password: o.password ?? 'admin123',
              serial: `SIM${String(i + 1).padStart(6, '0')}`,
              mac: `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
              rtsp: { main: cam.url('main'), ...(sub ? { sub: cam.url('sub') } : {}) },
              profiles: profilesFor(main, sub),
              ptz: i % 2 === 1,
            });
            onvifs.push(onvif);
            const discovery = await startDiscoveryResponder({ xaddrs: [onvif.url], scopes: { name: `sim-camera-${i + 1}` } });
            stoppers.push(() => discovery.close());
          }
        }
        const rows = cams.map((c, i) => ({
          camera: i + 1,
          onvif: onvifs[i]?.url ?? '',
          main: c.url('main', true),
          sub: sub ? c.url('sub', true) : '',
        }));
        println(ctx.stdout, o.json ? JSON.stringify(rows) : table(rows, ['camera', ...(o.onvif ? ['onvif'] : []), 'main', 'sub']));
        if (!o.json) {
          if (o.onvif) println(ctx.stdout, `ONVIF user ${o.user}, password ${o.password ?? 'admin123'}; even-numbered cameras are PTZ domes; WS-Discovery on UDP 3702.`);
          println(ctx.stdout, 'Serving until Ctrl-C.');
        }
        await untilSignal();
      } finally {
        for (const s of stoppers) await s();
        for (const c of onvifs) await c.close();
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
