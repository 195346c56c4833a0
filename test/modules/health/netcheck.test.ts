// NetworkCheck probes: real TCP connects on 127.0.0.1 (CONTRACT §4).
import { spawn } from 'node:child_process';
import net from 'node:net';
import t from 'tap';
import { freePort } from '../../../src/sim/ports.js';
import { cameraEndpoint, probeCameras, tcpReachable } from '../../../src/modules/health/netcheck.js';
import type { CameraAccess, StoredCamera } from '../../../src/store/cameras.js';

function camera(cameraNum: string, access: CameraAccess): StoredCamera {
  return {
    id: cameraNum,
    record: { cameraNum } as StoredCamera['record'],
    access,
    source: 'cli',
    syncState: 'synced',
    syncMsg: null,
    createdAt: 0,
    updatedAt: 0,
  };
}

async function listen(t: { teardown(fn: () => unknown): void }): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    s.destroy();
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
}

t.test('cameraEndpoint picks RTSP, then ONVIF, then the IP', async (t) => {
  const ep = (access: CameraAccess) => cameraEndpoint({ access });
  t.same(ep({ rtspMain: 'rtsp://admin:p%40ss@10.0.0.5:8554/ch1', onvifUrl: 'http://10.0.0.6/onvif', ip: '10.0.0.7' }), { host: '10.0.0.5', port: 8554 });
  t.same(ep({ rtspMain: 'rtsp://10.0.0.5/Streaming/Channels/101' }), { host: '10.0.0.5', port: 554 });
  t.same(ep({ rtspMain: 'rtsps://cam.local/x' }), { host: 'cam.local', port: 322 });
  t.same(ep({ rtspMain: 'rtsp://[fd00::5]/x' }), { host: 'fd00::5', port: 554 });
  t.same(ep({ onvifUrl: 'http://10.0.0.6/onvif/device_service' }), { host: '10.0.0.6', port: 80 });
  t.same(ep({ onvifUrl: 'https://10.0.0.6/onvif/device_service' }), { host: '10.0.0.6', port: 443 });
  t.same(ep({ onvifUrl: 'http://10.0.0.6:8080/onvif' }), { host: '10.0.0.6', port: 8080 });
  t.same(ep({ ip: '10.0.0.7' }), { host: '10.0.0.7', port: 554 });
  t.same(ep({ rtspMain: 'not a url', ip: '10.0.0.7' }), { host: '10.0.0.7', port: 554 }, 'falls through an unusable URL');
  t.equal(ep({ gbDeviceId: '34020000001320000001' }), undefined);
});

t.test('probeCameras connects for real, concurrently, within the timeout', async (t) => {
  const up = await listen(t);
  const down = await freePort();
  const cams = [
    camera('a', { rtspMain: `rtsp://127.0.0.1:${up.port}/main` }),
    camera('b', { rtspMain: `rtsp://127.0.0.1:${down}/main` }),
    camera('c', {}),
    camera('d', { onvifUrl: `http://127.0.0.1:${up.port}/onvif/device_service` }),
  ];
  const results = await probeCameras(cams, 1000, 2);
  t.same(results, [
    { cameraNum: 'a', status: 1, reason: 'reachable' },
    { cameraNum: 'b', status: 0, reason: `no TCP answer from 127.0.0.1:${down}` },
    { cameraNum: 'c', status: 0, reason: 'no address configured (ip, onvifUrl or rtspMain)' },
    { cameraNum: 'd', status: 1, reason: 'reachable' },
  ]);
  t.equal(up.accepted(), 2, 'each reachable camera was connected to once');
  t.same(await probeCameras([], 1000), []);

  const many = Array.from({ length: 100 }, (_, i) => camera(String(i), { rtspMain: `rtsp://127.0.0.1:${up.port}/x` }));
  const all = await probeCameras(many, 2000, 16);
  t.equal(all.filter((r) => r.status === 1).length, 100);
  t.same(all.map((r) => r.cameraNum), many.map((c) => c.record.cameraNum), 'results keep the input order');
});

/**
 * A port whose SYNs go unanswered: a child process listens with backlog 1 and never accepts
 * (its event loop is blocked), and two connections fill the accept queue (Linux holds backlog+1).
 */
async function silentPort(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const code = `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{
    process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000);});`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`listener child exited (${code})`)));
  });
  for (let i = 0; i < 2; i++) {
    const filler = net.connect({ host: '127.0.0.1', port });
    t.teardown(() => filler.destroy());
    await new Promise<void>((resolve) => filler.once('connect', () => resolve()));
  }
  return port;
}

t.test('a connect that never completes is 0 after the timeout', async (t) => {
  const port = await silentPort(t);
  const started = Date.now();
  t.equal(await tcpReachable({ host: '127.0.0.1', port }, 300), false);
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 290 && elapsed < 3000, `gave up after the timeout (${elapsed} ms)`);
  t.same(await probeCameras([camera('x', { ip: '127.0.0.1', rtspMain: `rtsp://127.0.0.1:${port}/` })], 200), [{ cameraNum: 'x', status: 0, reason: `no TCP answer from 127.0.0.1:${port}` }]);
});
