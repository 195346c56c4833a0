// GB/T 28181 cameras in the whole daemon, through the same paths as RTSP cameras: a simulated NVR
// registers to the daemon's registrar; two of its channels are cameras with the constant 128 kbps
// push (province sim + real nginx-rtmp), one on the default stream transport (UDP) and one with its
// own (TCP active). Each gets its snapshot on the round (a JPEG FFmpeg decodes, at the channel's
// size) and a quality diagnosis, and each channel is INVITEd once however many consumers read it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { startDaemon } from '../../src/modules/daemon.js';
import { jpegSize } from '../../src/modules/snapshots/jpeg.js';
import { startRtmpServer } from '../../src/sim/rtmp/index.js';
import { CameraStore } from '../../src/store/cameras.js';
import { CameraQualityStore } from '../../src/store/cameraQuality.js';
import { SnapshotStore } from '../../src/store/snapshots.js';
import { cameraEntry, freePort, generateSm2KeyPair, startSim, writeGatewayConfig } from '../helpers/fixture.js';
import { GB_DOMAIN, GB_PASSWORD, GB_SIP_ID, gbNvr } from '../helpers/gb.js';
import { until } from '../helpers/media.js';

const NVR = '44010000041180000001';

t.test('GB cameras: per-camera transport, 5-minute snapshot and quality through the engine, one INVITE per channel', async (t) => {
  const keys = generateSm2KeyPair();
  const rtmpPort = await freePort();
  const sim = await startSim(keys, { rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/rtmp` });
  t.teardown(() => sim.close());
  const rtmp = await startRtmpServer({ port: rtmpPort });
  t.teardown(() => rtmp.close());
  const channel = (i: number) => `${NVR.slice(0, 10)}131${String(i).padStart(7, '0')}`;
  const gbEntry = (i: number, extra: Record<string, unknown>) => {
    const entry = cameraEntry(i, { pushType: 1, gbDeviceId: NVR, gbChannelId: channel(i), ...extra });
    delete entry['rtspMain'];
    return entry;
  };
  const files = await writeGatewayConfig(
    t.testdir(),
    sim,
    keys,
    { media: { hardware: 'off', x264_preset: 'ultrafast', backoff_s: [0.5, 1] }, snapshots: { interval_s: 10 } },
    [
      gbEntry(1, {}),
      gbEntry(2, { gbTransport: 'tcp-active' }),
    ],
  );
  const min = 40000 + Math.floor(Math.random() * 499) * 40;
  fs.appendFileSync(
    files.configFile,
    `\n[gb28181]\nenabled = true\nlisten = "127.0.0.1:0"\npassword = "${GB_PASSWORD}"\nsip_id = "${GB_SIP_ID}"\ndomain = "${GB_DOMAIN}"\n` +
      `stream_transport = "udp"\nmedia_port_min = ${min}\nmedia_port_max = ${min + 39}\n`,
  );
  const daemon = await startDaemon(loadConfig(files.configFile), silentLogger());
  t.teardown(() => daemon.stop());
  const nvr = await gbNvr(t, daemon.gb!.registrar.port, { deviceId: NVR });
  t.ok((await nvr.device.register(3600)).ok, 'the NVR registered');

  const cameras = new CameraStore(daemon.db);
  const nums = ['cam-1', 'cam-2'].map((id) => cameras.byId(id)!.record.cameraNum);
  const snaps = new SnapshotStore(daemon.db);
  const quality = new CameraQualityStore(daemon.db);
  await until('a snapshot and a quality check of both cameras', () => nums.every((n) => snaps.latest(n) && quality.get(n)), 90_000);

  for (const [i, num] of nums.entries()) {
    const snap = snaps.latest(num)!;
    const file = daemon.snapshots!.fileOf(snap);
    t.same(jpegSize(fs.readFileSync(file)), { width: 352, height: 288 }, `cam-${i + 1}: a CIF JPEG`);
    const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    t.same([decoded.status, decoded.stderr], [0, ''], `cam-${i + 1}: FFmpeg decodes it without error`);
    t.match(quality.get(num)!.bits, /^[01]{9}$/, `cam-${i + 1}: diagnosed (cameraStatus bits)`);
  }
  t.same(
    nvr.invites.map((inv) => [inv.channelId, inv.transport]).sort(),
    [
      [channel(1), 'udp'],
      [channel(2), 'tcp-active'],
    ],
    'one INVITE per channel for the push, the snapshot and the diagnosis; cam-2 on its own transport',
  );
});
