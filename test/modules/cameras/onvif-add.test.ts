// `vcgw cameras add --onvif`: registration from what the camera says over ONVIF (issue 4 item 1).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { startOnvifCamera, type OnvifCameraOptions } from '../../../src/sim/onvif/index.js';
import { freePort } from '../../../src/sim/ports.js';
import { cliRunner, writeMinimalConfig } from '../../helpers/cli.js';

const RECORD = [
  '--department', '京珠北分公司', '--camera-name', '京港澳高速K1844+158上行', '--long-and-lati', '113.2644/23.1291',
  '--road', 'G4', '--road-name', '京港澳高速', '--road-sec', '京珠北段', '--classify', '0', '--poi-name', '京港澳高速',
  '--orientation', '1', '--pile-num', 'K1844+158', '--area-code', '440201', '--push-type', '2',
];

async function setup(t: Test, cam: OnvifCameraOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-onvif-add-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const onvif = await startOnvifCamera({ rtsp: { main: 'rtsp://127.0.0.1:8554/main', sub: 'rtsp://127.0.0.1:8554/sub' }, ...cam });
  t.teardown(() => onvif.close());
  return { run: cliRunner(writeMinimalConfig(dir)), onvif };
}

t.test('a bullet camera registered from ONVIF: device, profiles, URIs stored; the sub-stream feeds the 128 kbps output', async (t) => {
  const { run, onvif } = await setup(t, { manufacturer: 'SimVision', model: 'IPC-B1', serial: 'SN0042', mac: '00:11:22:33:44:55' });
  const base = `http://127.0.0.1:${onvif.port}`;
  const added = await run('cameras', 'add', '--id', 'cam-1', ...RECORD, '--onvif', base, '--user', 'admin', '--password', 'admin123');
  t.equal(added.code, 0, added.err);
  t.match(added.out, /added camera cam-1/);
  t.match(added.out, /ONVIF: SimVision IPC-B1 .*serial SN0042 MAC 00:11:22:33:44:55; PTZ no/);
  t.match(added.out, /main\s+H264 1920x1080 25 fps 4096 kb\/s GOP 50\s+rtsp:\/\/127\.0\.0\.1:8554\/main/);
  t.match(added.out, /sub\s+H264 352x288 25 fps 256 kb\/s GOP 50/);

  const show = await run('cameras', 'show', 'cam-1', '--json');
  t.equal(show.code, 0, show.err);
  const j = JSON.parse(show.out) as {
    record: { cameraType: number; hasControl: number };
    access: Record<string, string>;
    media: { onvif: { ptz: boolean; model: string }; streams: Array<{ role: string; url: string; width: number }>; outputs: Record<string, { stream: string; why: string }>; encoder: string };
  };
  t.equal(j.access['onvifUrl'], `${base}/onvif/device_service`, 'the device service path completed');
  t.equal(j.access['ip'], '127.0.0.1');
  t.equal(j.access['onvifPassword'], '********', 'password stored, shown masked');
  t.same([j.record.cameraType, j.record.hasControl], [1, 0], 'no PTZ service: a bullet without province PTZ');
  t.equal(j.media.onvif.model, 'IPC-B1');
  t.same(j.media.streams.map((s) => [s.role, s.width]), [['main', 1920], ['sub', 352]]);
  t.match(j.media.streams[0]!.url, /^rtsp:\/\/\*\*\*@127\.0\.0\.1:8554\/main$/, 'ONVIF credentials added to the stream URL, redacted when shown');
  t.equal(j.media.outputs['low']!.stream, 'sub');
  t.equal(j.media.outputs['high']!.stream, 'main');
  t.equal(j.media.encoder, 'gateway');

  const text = await run('cameras', 'show', 'cam-1');
  t.match(text.out, /output 128 kbps\s+← sub: sub stream 352x288: the smallest of at least CIF/);
  t.match(text.out, /output source\s+← main: main stream is H.264: copied/);
  t.match(text.out, /encoder\s+gateway/);

  // The override is a camera field like any other.
  const edited = await run('cameras', 'edit', 'cam-1', '--low-stream', 'main', '--encoder', 'camera');
  t.equal(edited.code, 0, edited.err);
  const after = await run('cameras', 'show', 'cam-1');
  t.match(after.out, /output 128 kbps\s+← main: lowStream = main \(set for this camera\)/);
  t.match(after.out, /encoder\s+camera — not checked yet/);
  const bad = await run('cameras', 'edit', 'cam-1', '--low-stream', 'fourth');
  t.equal(bad.code, 2);
  t.match(bad.err, /--low-stream: .*main.*sub.*third/);
});

t.test('a PTZ dome: camera type and hasControl follow; given values win', async (t) => {
  const { run, onvif } = await setup(t, { ptz: true });
  const url = `http://127.0.0.1:${onvif.port}/onvif/device_service`;
  t.equal((await run('cameras', 'add', '--id', 'dome', ...RECORD, '--onvif', url, '--user', 'admin', '--password', 'admin123')).code, 0);
  const j = JSON.parse((await run('cameras', 'show', 'dome', '--json')).out) as { record: { cameraType: number; hasControl: number } };
  t.same([j.record.cameraType, j.record.hasControl], [2, 1]);
  const given = await run('cameras', 'add', '--id', 'dome-2', ...RECORD, '--has-control', '0', '--camera-type', '3', '--onvif', url, '--user', 'admin', '--password', 'admin123');
  t.equal(given.code, 0, given.err);
  const g = JSON.parse((await run('cameras', 'show', 'dome-2', '--json')).out) as { record: { cameraType: number; hasControl: number } };
  t.same([g.record.cameraType, g.record.hasControl], [3, 0]);
});

t.test('wrong password, unreachable camera, missing flags: clear errors, nothing stored', async (t) => {
  const { run, onvif } = await setup(t);
  const url = `http://127.0.0.1:${onvif.port}`;
  const wrong = await run('cameras', 'add', '--id', 'x', ...RECORD, '--onvif', url, '--user', 'admin', '--password', 'nope');
  t.equal(wrong.code, 1);
  t.match(wrong.err, /--user \/ --password: the camera refused the user or password/);

  const closed = await freePort();
  const unreachable = await run('cameras', 'add', '--id', 'x', ...RECORD, '--onvif', `http://127.0.0.1:${closed}`, '--user', 'admin', '--password', 'admin123');
  t.equal(unreachable.code, 1);
  t.match(unreachable.err, /--onvif: cannot reach the camera/);

  // A socket that accepts and never answers: bounded by the per-call timeout, not a hang.
  const held = new Set<net.Socket>();
  const silent = net.createServer((s) => held.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const port = (silent.address() as net.AddressInfo).port;
  const started = Date.now();
  const hung = await run('cameras', 'add', '--id', 'x', ...RECORD, '--onvif', `http://127.0.0.1:${port}`, '--user', 'admin', '--password', 'admin123');
  t.equal(hung.code, 1);
  t.match(hung.err, /--onvif: .*(did not answer|cannot reach)/);
  t.ok(Date.now() - started < 40_000, 'gave up within the connect budget');

  t.match((await run('cameras', 'add', '--id', 'x', ...RECORD, '--onvif', url, '--user', 'admin')).err, /--onvif: give --user and --password too/);
  t.match((await run('cameras', 'add', '--id', 'x', ...RECORD, '--onvif', 'ftp://cam', '--user', 'a', '--password', 'b')).err, /--onvif: must be http:\/\/ or https:\/\//);
  t.match((await run('cameras', 'add', '--id', 'x', ...RECORD, '--user', 'a')).err, /--user \/ --password: only with --onvif/);
  const list = await run('cameras', 'list', '--json');
  t.same(JSON.parse(list.out), [], 'no camera stored by any failed add');
});
