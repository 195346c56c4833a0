import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { startDaemon, type Daemon as RunningDaemon } from '../modules/daemon.js';
import { beijingDateTime } from '../protocols/province/reports.js';
import { generateSm2KeyPair } from '../protocols/province/sm2.js';
import { MAIN_720P_H264, SUB_CIF_H264 } from '../sim/camera/index.js';
import { startSimCamera, type SimCamera } from '../sim/simCamera.js';
import { GbCameraSim } from '../sim/gb28181/index.js';
import { probe, type DiscoveredCamera } from '../protocols/onvif/index.js';
import { CameraClockStore } from '../store/cameraClock.js';
import { CameraEncodingStore } from '../store/cameraEncoding.js';
import { freePort } from '../sim/ports.js';
import { PUBLISH_CHECK_PATH, startProvinceSim, type ProvinceSim } from '../sim/province/index.js';
import { startRtmpServer, waitFirstFrame, type RtmpServer } from '../sim/rtmp/index.js';
import { measureStream } from '../protocols/ffmpeg/measure.js';
import { println, type CliContext } from './context.js';
import { untilSignal } from './run.js';

const DEMO_CAMERAS = [
  { id: 'K1844+158-up', cameraName: 'G4京港澳高速K1844+158上行', pileNum: 'K1844+158', cameraOrientation: 1, pushType: 1, hasControl: 1, classify: 0, poiName: '京港澳高速道路' },
  { id: 'K1850+300-tunnel', cameraName: 'G4京港澳高速K1850+300大宝山隧道', pileNum: 'K1850+300', cameraOrientation: 2, pushType: 2, hasControl: 1, classify: 3, poiName: '大宝山隧道' },
  { id: 'yuebei-toll', cameraName: 'G4京港澳高速粤北收费站', pileNum: '无', cameraOrientation: 3, pushType: 2, hasControl: 0, classify: 1, poiName: '粤北收费站' },
];

/**
 * Where the demo writes its config, database, SM2 key and logs. A temp dir it made is removed at
 * the end unless --keep (then the closing lines say where it is); a --data-dir is the user's and stays.
 */
export function demoWorkspace(opts: { keep?: boolean; dataDir?: string }): { dir: string; remove: () => void } {
  if (opts.dataDir !== undefined) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    return { dir: opts.dataDir, remove: () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-demo-'));
  return { dir, remove: () => (opts.keep ? undefined : fs.rmSync(dir, { recursive: true, force: true })) };
}

/** The demo's last lines: how to look around while it runs (--keep) or how to make it stay. */
export function closingLines(o: { keep: boolean; configFile: string; received: number; removed: boolean }): string[] {
  const lines = [`The province simulator received ${o.received} requests.`];
  if (o.keep) lines.push('While the demo runs, see every camera and pipeline with:', `  vcgw --config ${o.configFile} status`, 'Running until Ctrl-C.');
  else lines.push(`Run \`vcgw demo --keep\` to leave it running and look around (vcgw status, ffplay rtmp://…)${o.removed ? '; its temp directory is removed now' : ''}.`);
  return lines;
}

/**
 * The demo's own cameras among the WS-Discovery answers (matched by their ONVIF service address):
 * other simulators on the machine (tests, another demo) answer the multicast probe too.
 */
export function ownDevices(found: readonly DiscoveredCamera[], ownServiceUrls: readonly string[]): { own: DiscoveredCamera[]; others: DiscoveredCamera[] } {
  const hostOf = (u: string) => {
    try {
      return new URL(u).host;
    } catch {
      return u;
    }
  };
  const own = new Set(ownServiceUrls.map(hostOf));
  const isOwn = (f: DiscoveredCamera) => f.xaddrs.some((x) => own.has(hostOf(x)));
  return { own: found.filter(isOwn), others: found.filter((f) => !isOwn(f)) };
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run the gateway against built-in simulators and show what it does')
    .option('--keep', 'keep everything running until Ctrl-C')
    .option('--data-dir <dir>', 'where to put the demo config and database (default: a new temp dir)')
    .addHelpText('after', '\nExample:\n  vcgw demo\n  vcgw demo --keep --data-dir /tmp/vcgw-demo')
    .action(async (opts: { keep?: boolean; dataDir?: string }) => {
      const out = (s = '') => println(ctx.stdout, s);
      const workspace = demoWorkspace(opts);
      const dir = workspace.dir;
      const cleanups: Array<() => Promise<void> | void> = [workspace.remove];
      try {
        const keys = generateSm2KeyPair();
        const [apiPort, monitorPort] = [await freePort(), await freePort()];
        // Two simulated ONVIF cameras (720p main + CIF sub, replaying pre-encoded clips; the second a PTZ
        // dome whose clock is 95 s fast), the third is unplugged.
        out('▶ preparing simulated cameras (the first run encodes their clips once, ≈ 30 s)…');
        const cams = [
          await startSimCamera({ main: MAIN_720P_H264, sub: SUB_CIF_H264, onvif: { model: 'SIM-B720', serial: 'DEMO0001' }, discovery: true }),
          await startSimCamera({ main: MAIN_720P_H264, sub: false, onvif: { model: 'SIM-D720', serial: 'DEMO0002', ptz: true, clockOffsetMs: 95_000 }, discovery: true }),
        ];
        cleanups.push(...cams.map((c) => () => c.close()));
        const deadPort = await freePort();
        const rtmpPort = await freePort();
        const gbPort = await freePort();

        const sim: ProvinceSim = await startProvinceSim({
          deviceCode: 'vg-demo01',
          user: 'demo',
          initialToken: 'offline-token-0001',
          sm2PublicKey: keys.publicKeyHex,
          gatewayUrl: `https://127.0.0.1:${apiPort}`,
          analyseKey: 'demo-analyse-key',
          recordFile: path.join(dir, 'province-received.jsonl'),
          rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/rtmp`,
          publishCheck: true,
        });
        cleanups.push(() => sim.close());
        let rtmp: RtmpServer | undefined;
        try {
          rtmp = await startRtmpServer({ port: rtmpPort, onPublishUrl: sim.publishCheckUrl });
          cleanups.push(() => rtmp!.close());
          out(`▶ simulated province video cloud (nginx-rtmp) at ${rtmp.baseUrl()}, checking every push URL's signature and expiry`);
        } catch (err) {
          out(`✘ no RTMP server, the media part is skipped: ${err instanceof Error ? err.message : String(err)}`);
        }
        fs.writeFileSync(path.join(dir, 'province-ca.pem'), sim.certPem);
        out(`▶ simulated province platform at ${sim.url}  (record: ${path.join(dir, 'province-received.jsonl')})`);

        const onvifOf = (c: SimCamera) => ({ onvifUrl: c.onvif!.url, onvifUser: 'admin', onvifPassword: 'admin123' });
        // The first camera encodes the 128 kbps output itself (camera-side encoding, set over ONVIF).
        const access = [{ ...onvifOf(cams[0]!), encoder: 'camera' }, onvifOf(cams[1]!), { rtspMain: `rtsp://127.0.0.1:${deadPort}/main` }];
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
          media: { x264_preset: 'veryfast', backoff_s: [1, 2, 5] },
          // A snapshot round every 20 s instead of 5 min, so the demo shows one.
          snapshots: { interval_s: 20 },
          // Issue 14: a GB/T 28181 NVR registers to the gateway (below).
          gb28181: { enabled: true, listen: `127.0.0.1:${gbPort}`, password: 'demo-gb-pass', media_port_min: gbPort + 1, media_port_max: gbPort + 40 },
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
            travelDirection: '南行',
            destination: '广州市',
            ...access[i],
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
        const tunnel = numOf('K1850+300-tunnel');
        const begin = { cameraNum: tunnel, videoType: 1, serverIp: '127.0.0.1', serverPort: rtmpPort, pubName: `live/${tunnel}`, authInfo: 'session=demo' };
        if (rtmp) {
          await demoMedia(out, sim, rtmp, daemon, numOf('K1844+158-up'), begin);
        }
        await demoOnvif(out, daemon, cams, sim, tunnel);
        await demoPicture(out, sim, idOf);
        if (rtmp) await demoGb(out, daemon, sim, rtmp, gbPort, cleanups);
        await show('VideoTransBegin again (same URL)', 'VideoTransBegin', begin);
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
        for (const line of closingLines({ keep: opts.keep === true, configFile, received: sim.received().length, removed: opts.dataDir === undefined })) out(line);
        if (opts.keep) await untilSignal();
        out('demo complete');
      } finally {
        for (const c of cleanups.reverse()) await c();
      }
    });
}

/** Shows the constant push of a pushType=1 camera and an on-demand push, measured at the RTMP server. */
async function demoMedia(
  out: (s?: string) => void,
  sim: ProvinceSim,
  rtmp: RtmpServer,
  daemon: RunningDaemon,
  constantNum: string,
  begin: { cameraNum: string; videoType: number; pubName: string },
): Promise<void> {
  const accepted = await sim.waitFor((r) => r.path === PUBLISH_CHECK_PATH && r.code === 200 && (r.body as { name?: string }).name === constantNum, 30_000);
  out(`✔ constant push of K1844+158-up: GetPushAddress URL accepted by the RTMP server (${(accepted.body as { name: string }).name})`);
  const encoding = new CameraEncodingStore(daemon.db);
  const encoded = await waitUntil(() => encoding.get(constantNum), 60_000);
  const v = encoded?.streams.low?.measured;
  out(
    encoded?.state === 'camera' && v
      ? `✔ camera-side encoding: K1844+158-up's sub-stream set over ONVIF to H.264 CIF 128 kb/s GOP 25, ffprobe measured ${v.width}x${v.height} ${v.fps} fps GOP ${v.gopFrames} ${v.kbps} kb/s: the constant push is now a remux (no transcoding)`
      : `✘ camera-side encoding fell back to the gateway: ${encoded?.reason ?? 'no check yet'}`,
  );
  // The push moved from a transcode to the remux: measure what runs now.
  await waitUntil(() => (daemon.media.ffmpeg?.statusRows().some((r) => r.key === `constant:${constantNum}` && r.state === 'running' && /copy/.test(r.detail)) ? true : undefined), 20_000);
  const low = await measureStream(rtmp.url('rtmp', constantNum), { seconds: 4, timeoutMs: 20_000 });
  out(`    on the wire: ${low.codec} ${low.width}x${low.height} ${low.fps.toFixed(1)} fps, GOP ${low.gopFrames}, ${Math.round(low.videoKbps)} kb/s video, audio ${low.audio?.codec ?? 'none'}`);
  const reader = waitFirstFrame(rtmp.url('live', begin.cameraNum), { timeoutMs: 20_000 });
  try {
    await reader.ready;
    const t0 = Date.now();
    const reply = await sim.callGateway('VideoTransBegin', begin);
    out(`✔ province → gateway VideoTransBegin 1 Mbps: ${JSON.stringify(reply.body)}`);
    const first = await reader.firstFrame;
    out(`    first decodable frame at the RTMP server ${first - t0} ms after the request (camera not pulled before; spec: < 4 s)`);
  } finally {
    await reader.close();
  }
  const high = await measureStream(rtmp.url('live', begin.cameraNum), { seconds: 4, timeoutMs: 20_000 });
  out(`    on the wire: ${high.codec} ${high.width}x${high.height} ${high.fps.toFixed(1)} fps, GOP ${high.gopFrames}, ${Math.round(high.videoKbps)} kb/s video`);
}

/** Issue 14: a GB/T 28181 NVR registers, its catalogue is read, one of its channels becomes a camera and is pushed. */
async function demoGb(
  out: (s?: string) => void,
  daemon: RunningDaemon,
  sim: ProvinceSim,
  rtmp: RtmpServer,
  sipPort: number,
  cleanups: Array<() => Promise<void> | void>,
): Promise<void> {
  const gb = daemon.gb;
  if (!gb) return;
  const nvr = await GbCameraSim.start({
    deviceId: '44023200001180000001',
    password: 'demo-gb-pass',
    registrar: { address: '127.0.0.1', port: sipPort, transport: 'UDP', serverId: '44010000002000000001', domain: '4401000000' },
    channels: 8,
    catalogPageSize: 3,
    clip: SUB_CIF_H264,
  });
  // The NVR lives as long as the other simulated cameras: with --keep its channel stays a working camera.
  cleanups.push(() => nvr.close());
  const reg = await nvr.device.register(3600);
  nvr.device.startKeepalive(20_000);
  out(`✔ GB/T 28181 NVR ${nvr.deviceId} registered over SIP/UDP with digest${reg.ok && reg.serverDate ? ` (gateway time in the 200: ${reg.serverDate})` : ''}`);
  const channels = await waitUntil(() => (gb.store.channels(nvr.deviceId).length >= 8 ? gb.store.channels(nvr.deviceId) : undefined), 15_000);
  out(`    catalogue: ${channels?.length ?? 0} channels in pages of 3 (vcgw gb channels ${nvr.deviceId}): ${(channels ?? []).slice(0, 3).map((c) => `${c.channelId} ${c.name ?? ''}`).join(', ')} …`);
  const channel = nvr.device.channelIds()[0]!;
  const cam = daemon.cameras.add(
    {
      id: 'gb-K1852+000',
      department: '广东省高速公路有限公司京珠北分公司',
      cameraName: 'G4（京港澳高速）京珠北路段广东省韶关市K1852+000（下行）（路面）',
      longAndLati: '113.5980/24.8200',
      road: 'G4',
      roadName: '京港澳高速',
      roadSec: '京珠北段',
      classify: 0,
      poiName: '京港澳高速道路',
      cameraOrientation: 2,
      pileNum: 'K1852+000',
      cameraType: 2,
      hasControl: 1,
      areaCode: 440232,
      pushType: 2,
      gbChannelId: channel,
    },
    'cli',
  );
  out(`✔ channel ${channel} added as camera ${cam.id} (vcgw cameras add --gb-channel ${channel} …), device found from the catalogue`);
  const begin = { cameraNum: cam.record.cameraNum, videoType: 1, serverIp: '127.0.0.1', serverPort: Number(new URL(rtmp.url('live', 'x')).port), pubName: `live/${cam.record.cameraNum}`, authInfo: 'session=demo' };
  const reader = waitFirstFrame(rtmp.url('live', cam.record.cameraNum), { timeoutMs: 20_000 });
  try {
    await reader.ready;
    const t0 = Date.now();
    const reply = await sim.callGateway('VideoTransBegin', begin);
    out(`✔ province → gateway VideoTransBegin 1 Mbps of the GB channel: ${JSON.stringify(reply.body)}`);
    const first = await reader.firstFrame;
    out(`    INVITE → PS over RTP → first decodable frame at the RTMP server ${first - t0} ms after the request`);
  } finally {
    await reader.close();
  }
  const m = await measureStream(rtmp.url('live', cam.record.cameraNum), { seconds: 3, timeoutMs: 20_000 });
  out(`    on the wire: ${m.codec} ${m.width}x${m.height} ${m.fps.toFixed(1)} fps, ${Math.round(m.videoKbps)} kb/s video`);
  await sim.callGateway('VideoTransFinish', { cameraNum: cam.record.cameraNum, videoType: 1 });
  out();
}

/** Issue 4: discovery, camera-side encoding, clock, overlay and PTZ on the simulated ONVIF cameras. */
async function demoOnvif(out: (s?: string) => void, daemon: RunningDaemon, cams: SimCamera[], sim: ProvinceSim, domeNum: string): Promise<void> {
  out();
  const { own, others } = ownDevices(await probe({ interface: '127.0.0.1', timeoutMs: 1500 }), cams.map((c) => c.onvif!.url));
  out(`✔ WS-Discovery: ${own.length} of the demo's ${cams.length} ONVIF cameras answered (${own.map((f) => f.xaddrs[0]).join(', ')})`);
  if (others.length > 0) out(`    ${others.length} other ONVIF device(s) on this machine answered too, not counted (${others.map((f) => f.xaddrs[0]).join(', ')})`);
  const clocks = new CameraClockStore(daemon.db);
  const clock = await waitUntil(() => clocks.get(domeNum)?.driftMs ?? undefined, 30_000);
  if (clock !== undefined) out(`✔ camera clock set over ONVIF (UTC, Beijing time zone): the dome was ${(clock / 1000).toFixed(1)} s fast before`);
  const osd = await waitUntil(() => (cams[1]!.onvif!.osds().some((o) => o.textType === 'Plain') ? cams[1]!.onvif!.osds() : undefined), 30_000);
  if (osd) out(`✔ overlay written to the dome's OSD: ${osd.filter((o) => o.textType === 'Plain').map((o) => o.plainText).join(' | ')} + clock top right`);
  const reply = await sim.callGateway('PTZControl', { cameraNum: domeNum, action: 1, step: 4 });
  const ptz = cams[1]!.onvif!.calls().filter((c) => c.service === 'ptz' && ['ContinuousMove', 'Stop'].includes(c.action));
  out(`✔ province → gateway PTZControl left step 4: ${JSON.stringify(reply.body)}; the dome received ${ptz.map((c) => c.action).join(' → ') || 'nothing yet'}`);
}

/** Issue 5: the diagnosis report and a snapshot round, with one snapshot fetched as the province would. */
async function demoPicture(out: (s?: string) => void, sim: ProvinceSim, idOf: (cameraNum: string) => string): Promise<void> {
  // A new anomaly is reported at once, the rest at the end of the round: wait until every camera was.
  type Item = { cameraNum: string; cameraStatus: string };
  const latest = new Map<string, string>();
  const reported = () => {
    for (const r of sim.received()) {
      if (r.path === '/service/video.ReportCameraQuality' && r.code === 200) for (const i of r.body as Item[]) latest.set(i.cameraNum, i.cameraStatus);
    }
    return latest.size >= sim.cameras().size ? true : undefined;
  };
  await waitUntil(reported, 90_000);
  out(`✔ ReportCameraQuality (flags: offline, signal lost, occluded, blurred, brightness, frozen, noise, flicker, stripes): ${[...latest].map(([n, bits]) => `${idOf(n)}=${bits}`).join(', ')}`);
  const snaps = await sim.waitFor((r) => r.path === '/service/video.ReportSnapshot' && r.code === 200, 60_000);
  const first = (snaps.body as Array<{ cameraNum: string; snapshotUrl: string }>)[0];
  if (!first) return;
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(first.snapshotUrl, { dispatcher: agent });
    const bytes = (await res.body.arrayBuffer()).byteLength;
    out(`✔ ReportSnapshot: ${(snaps.body as unknown[]).length} snapshot(s); the province fetches ${idOf(first.cameraNum)}'s signed URL without headers: ${res.statusCode} ${String(res.headers['content-type'])}, ${bytes} bytes`);
  } finally {
    await agent.close();
  }
}

async function waitUntil<T>(get: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (let v = get(); Date.now() < end; v = get()) {
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  return get();
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
