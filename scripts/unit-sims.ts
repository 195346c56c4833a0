// The world around a gateway running under a real systemd (scripts/unit-check.sh): the province
// platform (HTTPS), its RTMP server (nginx-rtmp, checking each push URL with the platform) and two
// ONVIF cameras, all on this host's 127.0.0.1, which a container sharing the host's network reaches.
// Writes DIR/gateway.toml (for /etc/vcgw/gateway.toml in the box: data in /var/lib/vcgw, the
// platform's CA at /etc/vcgw/province-ca.pem) and DIR/province-ca.pem, prints one JSON line
// {cameras, apiUrl, metricsUrl} once everything listens, and runs until SIGTERM or stdin closes.
//   node --import tsx scripts/unit-sims.ts DIR
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { generateSm2KeyPair } from '../src/protocols/province/sm2.js';
import { MAIN_720P_H264, SUB_CIF_H264 } from '../src/sim/camera/index.js';
import { freePort } from '../src/sim/ports.js';
import { startProvinceSim } from '../src/sim/province/index.js';
import { startRtmpServer } from '../src/sim/rtmp/index.js';
import { sampleCameraEntry } from '../src/sim/sampleCamera.js';
import { startSimCamera } from '../src/sim/simCamera.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: unit-sims.ts DIR');
fs.mkdirSync(dir, { recursive: true });

const closers: Array<() => Promise<void>> = [];
let closing = false;
const closeAll = async () => {
  if (closing) return;
  closing = true;
  for (const close of closers.reverse()) await close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void closeAll());
process.on('SIGINT', () => void closeAll());
// The script that started us may die without a signal: its pipe closing is the signal then.
process.stdin.on('end', () => void closeAll()).resume();

const keys = generateSm2KeyPair();
const [apiPort, monitorPort, metricsPort, rtmpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const province = await startProvinceSim({
  deviceCode: 'vg-unit01',
  user: 'unit',
  initialToken: 'offline-token-unit',
  sm2PublicKey: keys.publicKeyHex,
  gatewayUrl: `https://127.0.0.1:${apiPort}`,
  rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/rtmp`,
  publishCheck: true,
});
closers.push(() => province.close());
const rtmp = await startRtmpServer({ port: rtmpPort, onPublishUrl: province.publishCheckUrl });
closers.push(() => rtmp.close());
const cams = [
  await startSimCamera({ main: MAIN_720P_H264, sub: SUB_CIF_H264, onvif: { model: 'SIM-B720', serial: 'UNIT0001' } }),
  await startSimCamera({ main: MAIN_720P_H264, sub: SUB_CIF_H264, onvif: { model: 'SIM-B720', serial: 'UNIT0002' } }),
];
for (const c of cams) closers.push(() => c.close());

fs.writeFileSync(path.join(dir, 'province-ca.pem'), province.certPem);
const config = {
  gateway: { device_code: 'vg-unit01', data_dir: '/var/lib/vcgw', log_level: 'info' },
  province: { base_url: province.url, user: 'unit', token: 'offline-token-unit', sm2_private_key: keys.privateKeyHex, ca_file: '/etc/vcgw/province-ca.pem' },
  api: { listen: `127.0.0.1:${apiPort}` },
  monitor: { listen: `127.0.0.1:${monitorPort}`, allow: ['127.0.0.1/32'] },
  metrics: { enabled: true, listen: `127.0.0.1:${metricsPort}` },
  media: { hardware: 'off', x264_preset: 'veryfast' },
  // The first camera pushes constantly, encoded by the camera itself (a remux: FFmpeg children
  // without a transcode's CPU); the second is pushed on demand only.
  cameras: cams.map((c, i) => {
    const { rtspMain: _byOnvif, ...entry } = sampleCameraEntry(i, {
      id: `unit-cam-${i}`,
      pushType: i === 0 ? 1 : 2,
      onvifUrl: c.onvif!.url,
      onvifUser: 'admin',
      onvifPassword: 'admin123',
      ...(i === 0 ? { encoder: 'camera' } : {}),
    });
    return entry;
  }),
};
fs.writeFileSync(path.join(dir, 'gateway.toml'), stringify(config));
process.stdout.write(
  `${JSON.stringify({ cameras: config.cameras.map((c) => c['id']), apiUrl: `https://127.0.0.1:${apiPort}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, province: province.url })}\n`,
);
