// `vcgw sim camera serve --third`: three streams printed, Profile_3 advertised, and an ONVIF encoder
// change reaching the wire of a camera the CLI started.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { connectOnvif } from '../../src/protocols/onvif/index.js';
import { measureStream } from '../../src/protocols/ffmpeg/measure.js';
import { probe } from './camera-helpers.js';

const root = path.resolve(import.meta.dirname, '../..');

interface Row {
  camera: number;
  onvif: string;
  main: string;
  sub: string;
  third: string;
}

t.test('sim camera serve --third --json: every stream URL printed and playable; encoder changes re-encode', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/bin.ts'), 'sim', 'camera', 'serve', '--main', '720p', '--third', '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    // The first run encodes the 720p third-stream clip; later runs find it cached.
    const timer = setTimeout(() => reject(new Error(`no JSON line; stderr: ${stderr}`)), 90_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.split('\n')[0]!);
      }
    });
    child.once('exit', () => reject(new Error(`exited; stderr: ${stderr}`)));
  });
  const rows = JSON.parse(line) as Row[];
  t.equal(rows.length, 1);
  const row = rows[0]!;
  t.match(row, { camera: 1, onvif: /^http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service$/, main: /\/main$/, sub: /\/sub$/, third: /\/third$/ });

  const [third, main] = await Promise.all([probe(t, row.third), probe(t, row.main)]);
  t.match(third.streams, [{ codec_name: 'h264', width: 1280, height: 720 }], third.result.stderr);
  t.match(main.streams, [{ codec_name: 'h264', width: 1280, height: 720 }], main.result.stderr);

  const dev = await connectOnvif({ url: row.onvif, user: 'admin', password: 'admin123' });
  const profiles = await dev.profiles();
  t.match(profiles.map((p) => [p.token, p.width, p.height]), [['Profile_1', 1280, 720], ['Profile_2', 352, 288], ['Profile_3', 1280, 720]]);
  t.equal(await dev.streamUri('Profile_3'), row.third);

  await dev.setEncoder('VideoEncoder_2', { encoding: 'H264', width: 352, height: 288, fps: 25, bitrateKbps: 128, gop: 25 });
  const m = await measureStream(row.sub, { seconds: 3 });
  t.match(m, { width: 352, height: 288, gopFrames: 25 }, JSON.stringify(m));
  t.ok(m.videoKbps > 100 && m.videoKbps < 170, `≈128 kb/s (${m.videoKbps})`);

  child.kill('SIGTERM');
  t.equal(await exited, 0, stderr);
});
