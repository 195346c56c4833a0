import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { startDaemon } from '../modules/daemon.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { generateSm2KeyPair } from '../protocols/province/sm2.js';
import { freePort } from '../sim/ports.js';
import { startProvinceSim, type ProvinceSim } from '../sim/province/index.js';
import { println, type CliContext } from './context.js';
import { untilSignal } from './run.js';

/** Stand-in for a camera's RTSP port: accepts TCP connections (the RTSP simulators come with the media issue). */
async function cameraPort(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: (srv.address() as net.AddressInfo).port, close: () => new Promise((r) => srv.close(() => r())) };
}

const DEMO_CAMERAS = [
  { id: 'K1844+158-up', cameraName: 'G4京港澳高速K1844+158上行', pileNum: 'K1844+158', cameraOrientation: 1, pushType: 1, hasControl: 1, classify: 0, poiName: '京港澳高速道路' },
  { id: 'K1850+300-tunnel', cameraName: 'G4京港澳高速K1850+300大宝山隧道', pileNum: 'K1850+300', cameraOrientation: 2, pushType: 2, hasControl: 1, classify: 3, poiName: '大宝山隧道' },
  { id: 'yuebei-toll', cameraName: 'G4京港澳高速粤北收费站', pileNum: '无', cameraOrientation: 3, pushType: 2, hasControl: 0, classify: 1, poiName: '粤北收费站' },
];

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run the gateway against built-in simulators and show what it does')
    .option('--keep', 'keep everything running until Ctrl-C')
    .option('--data-dir <dir>', 'where to put the demo config and database (default: a new temp dir)')
    .addHelpText('after', '\nExample:\n  vcgw demo\n  vcgw demo --keep --data-dir /tmp/vcgw-demo')
    .action(async (opts: { keep?: boolean; dataDir?: string }) => {
      const out = (s = '') => println(ctx.stdout, s);
      const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-demo-'));
      fs.mkdirSync(dir, { recursive: true });
      const cleanups: Array<() => Promise<void> | void> = [];
      try {
        const keys = generateSm2KeyPair();
        const [apiPort, monitorPort] = [await freePort(), await freePort()];
        const cams = [await cameraPort(), await cameraPort()];
        cleanups.push(...cams.map((c) => () => c.close()));
        const deadPort = await freePort();

        const sim: ProvinceSim = await startProvinceSim({
          deviceCode: 'vg-demo01',
          user: 'demo',
          initialToken: 'offline-token-0001',
          sm2PublicKey: keys.publicKeyHex,
          gatewayUrl: `https://127.0.0.1:${apiPort}`,
          analyseKey: 'demo-analyse-key',
          recordFile: path.join(dir, 'province-received.jsonl'),
        });
        cleanups.push(() => sim.close());
        fs.writeFileSync(path.join(dir, 'province-ca.pem'), sim.certPem);
        out(`▶ simulated province platform at ${sim.url}  (record: ${path.join(dir, 'province-received.jsonl')})`);

        const ports = [cams[0]!.port, cams[1]!.port, deadPort];
        const config = {
          gateway: { device_code: 'vg-demo01', data_dir: 'data', log_level: 'info' },
          province: {
            base_url: sim.url,
            user: 'demo',
            token: 'offline-token-0001',
            sm2_private_key: keys.privateKeyHex,
            ca_file: 'province-ca.pem',
            analyse_key: 'demo-analyse-key',
            org_id: 'demo-org',
          },
          api: { listen: `127.0.0.1:${apiPort}` },
          monitor: { listen: `127.0.0.1:${monitorPort}`, allow: ['127.0.0.1/32'] },
          health: { probe_interval_s: 5, probe_timeout_ms: 500 },
          cameras: DEMO_CAMERAS.map((c, i) => ({
            department: '广东省高速公路有限公司京珠北分公司',
            longAndLati: `113.59${i}/24.81${i}`,
            road: 'G4',
            roadName: '京港澳高速',
            roadSec: '京珠北段',
            cameraType: 2,
            areaCode: 440232,
            ...c,
            ip: '127.0.0.1',
            rtspMain: `rtsp://127.0.0.1:${ports[i]}/main`,
          })),
        };
        const configFile = path.join(dir, 'gateway.toml');
        fs.writeFileSync(configFile, stringify(config));
        out(`▶ gateway config ${configFile}; daemon log ${path.join(dir, 'vcgw.log')}`);

        const log = createLogger('info', fs.createWriteStream(path.join(dir, 'vcgw.log'), { flags: 'a' }));
        const daemon = await startDaemon(loadConfig(configFile), log);
        cleanups.push(() => daemon.stop());
        out(`▶ gateway API ${daemon.apiUrl} (certificate SHA-256 ${daemon.tlsFingerprint.slice(0, 23)}…), detectors post to ${daemon.monitorUrl}`);
        out();

        const token = await sim.waitFor((r) => r.path === '/service/token' && r.code === 200);
        out(`✔ token call signed with SM2, platform rotated the token (request #${token.seq})`);
        const reg = await sim.waitFor((r) => r.path === '/service/video.VideoInformation' && r.code === 200);
        out(`✔ VideoInformation: ${(reg.body as unknown[]).length} cameras registered at the province:`);
        for (const [num, rec] of sim.cameras()) out(`    ${num}  ${rec.pileNum.padEnd(10)} ${rec.cameraName}`);
        const status = await sim.waitFor(
          (r) => r.path === '/service/video.ReportCameraStatus' && r.code === 200 && (r.body as unknown[]).length >= 3,
          20_000,
        );
        const names = ['offline', 'online', 'fault'];
        const idOf = (cameraNum: string) => DEMO_CAMERAS.find((c) => c.cameraName === sim.cameras().get(cameraNum)?.cameraName)?.id ?? cameraNum;
        out(`✔ ReportCameraStatus: ${(status.body as Array<{ cameraNum: string; online: number }>).map((s) => `${idOf(s.cameraNum)}=${names[s.online]}`).join(', ')}`);
        out();

        const num = (i: number) => [...sim.cameras().keys()][i]!;
        const numOf = (id: string) => [...sim.cameras().entries()].find(([, r]) => r.cameraName === DEMO_CAMERAS.find((c) => c.id === id)!.cameraName)![0];
        const show = async (label: string, call: Parameters<ProvinceSim['callGateway']>[0], body?: unknown) => {
          const reply = await sim.callGateway(call, body);
          out(`✔ province → gateway ${label}: ${JSON.stringify(reply.body)}`);
        };
        await show('CheckGateway', 'CheckGateway');
        const begin = { cameraNum: numOf('K1850+300-tunnel'), videoType: 1, serverIp: '127.0.0.1', serverPort: 1935, pubName: numOf('K1850+300-tunnel'), authInfo: 't=demo&k=demo' };
        out('  (on-demand pushes are admitted, counted and answered; FFmpeg transcoding arrives with the media engine)');
        await show('VideoTransBegin 1 Mbps', 'VideoTransBegin', begin);
        await show('VideoTransBegin again', 'VideoTransBegin', begin);
        await show('VideoTransFinish', 'VideoTransFinish', { cameraNum: begin.cameraNum, videoType: 1 });
        await show('NetworkCheck', 'NetworkCheck', { cameras: [] });
        await show('PTZControl on a camera with hasControl=0', 'PTZControl', { cameraNum: numOf('yuebei-toll'), action: 1, step: 4 });
        await show('VideoTransBegin with a bad videoType', 'VideoTransBegin', { ...begin, videoType: 9 });
        out();

        const event = {
          data: [
            {
              eventId: 'det-0001',
              deviceCode: num(0),
              detectTime: beijingDateTime(Date.now()),
              Location: 'K1844+158',
              eventType: 0,
              mediaUrl: JSON.stringify({ name: 'accident.jpg', type: 'image/jpeg' }),
            },
          ],
        };
        const res = await fetchInsecure(`${daemon.monitorUrl}/monitor/video.ReportAnalyse`, event);
        out(`✔ local detector → gateway /monitor/video.ReportAnalyse: ${res}`);
        const analyse = await sim.waitFor((r) => r.path === '/service/video.ReportAnalyse' && r.code === 200);
        const a = analyse.body as { dateTime: string; sign: string; data: Array<{ eventId: string }> };
        out(`✔ gateway → province ReportAnalyse at ${a.dateTime}, sign ${a.sign}, eventId ${a.data[0]?.eventId}`);
        out();
        out(`The province simulator received ${sim.received().length} requests. Inspect the database with:`);
        out(`  vcgw --config ${configFile} status`);
        if (opts.keep) {
          out('Running until Ctrl-C.');
          await untilSignal();
        }
        out('demo complete');
      } finally {
        for (const c of cleanups.reverse()) await c();
      }
    });
}

/** The monitor listener uses the gateway's self-signed certificate; the demo trusts it knowingly. */
async function fetchInsecure(url: string, body: unknown): Promise<string> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
    return await res.body.text();
  } finally {
    await agent.close();
  }
}
