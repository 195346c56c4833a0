// `vcgw doctor`, `vcgw sim camera serve`, `vcgw sim rtmp serve`.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import t from 'tap';
import { runCli } from '../../src/cli/main.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(argv, out, err);
  return { code, stdout, stderr };
}

/** Runs `vcgw …` as a child until its first stdout line matching `ready`, then returns it. */
function serve(args: string[], ready: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/bin.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
  });
  return { child, exited, line };
}

t.test('doctor reports FFmpeg, its encoders and the hardware trials', async (t) => {
  const r = await cli('--config', '/nonexistent/gateway.toml', 'doctor', '--json');
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { checks: Array<{ check: string; result: string; detail: string }>; ffmpeg: { encoders: string[]; hardwareTrials: Array<{ ok: boolean }> } };
  t.equal(report.checks.find((c) => c.check === 'ffmpeg')?.result, 'ok');
  t.equal(report.checks.find((c) => c.check === 'config')?.result, 'warn', 'a missing config is a warning: doctor helps before setup');
  t.ok(report.ffmpeg.encoders.includes('libx264'));
  t.ok(report.ffmpeg.hardwareTrials.every((h) => h.ok === false), 'no GPU here: every hardware encoder fails its trial');
  const human = await cli('--config', '/nonexistent/gateway.toml', 'doctor');
  t.match(human.stdout, /hardware encode\s+ok\s+none works: libx264 on the CPU/);
});

t.test('bad flags are refused with the flag named', async (t) => {
  for (const [argv, message] of [
    [['sim', 'camera', 'serve', '--count', 'x'], /--count: expected an integer 1–200/],
    [['sim', 'camera', 'serve', '--main', '4k'], /--main: expected one of 1080p, 720p, 1080p-h265/],
    [['sim', 'camera', 'serve', '--sub', 'qcif'], /--sub: expected one of cif, d1, none/],
    [['sim', 'camera', 'serve', '--picture', 'snow'], /--picture: expected one of normal, road, night, fog, black, blue, frozen, occluded, blurred, dark, overexposed, noise, flicker, stripes, got snow/],
    [['sim', 'camera', 'serve', '--main', '1080p-h265'], /ONVIF Media \(ver10\) cannot describe H\.265; add --no-onvif/],
    [['sim', 'rtmp', 'serve', '--port', '70000'], /--port: expected an integer 0–65535/],
  ] as const) {
    const r = await cli(...argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, message);
  }
});

t.test('sim camera serve: ONVIF cameras whose streams a player can read, stopped by SIGTERM', async (t) => {
  const s = serve(['sim', 'camera', 'serve', '--count', '2', '--main', '720p', '--json'], /\]\n/);
  t.teardown(() => s.child.kill('SIGKILL'));
  const urls = JSON.parse(await s.line) as Array<{ onvif: string; main: string; sub: string }>;
  t.equal(urls.length, 2);
  const soap = `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>`;
  const res = await fetch(urls[0]!.onvif, { method: 'POST', body: soap, headers: { 'content-type': 'application/soap+xml' } });
  t.equal(res.status, 200, 'the ONVIF device service answers');
  t.match(await res.text(), /SystemDateAndTime/);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-of', 'json', '-show_streams', urls[1]!.sub], { timeout: 20_000 });
  const stream = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number }> }).streams[0]!;
  t.same([stream.codec_name, stream.width], ['h264', 352], 'the CIF sub-stream of camera 2');
  s.child.kill('SIGTERM');
  t.equal(await s.exited, 0);
});

t.test('sim rtmp serve: an nginx-rtmp server, gone after SIGTERM', async (t) => {
  const s = serve(['sim', 'rtmp', 'serve', '--port', '0'], /Serving until Ctrl-C/);
  t.teardown(() => s.child.kill('SIGKILL'));
  const m = /RTMP server at rtmp:\/\/127\.0\.0\.1:(\d+)\/rtmp \(nginx prefix (\S+)\)/.exec(await s.line);
  t.ok(m, 'URL printed');
  s.child.kill('SIGTERM');
  t.equal(await s.exited, 0);
  const net = await import('node:net');
  const refused = await new Promise<boolean>((resolve) => {
    const sock = net.connect(Number(m![1]), '127.0.0.1');
    sock.once('connect', () => (sock.destroy(), resolve(false)));
    sock.once('error', () => resolve(true));
  });
  t.ok(refused, 'nginx stopped with it');
});
