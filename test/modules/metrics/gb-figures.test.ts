// GB/T 28181 figures in /metrics against the gateway's GB service and simulated devices on
// 127.0.0.1: registered and online devices, a silent device's keep-alive age past the limit, an
// active GB pull over a lossy UDP link (RTP lost and reordered counted), and a re-INVITE after
// media loss. Scraped through the real metrics listener.
import client from 'prom-client';
import t from 'tap';
import { configSchema } from '../../../src/config/schema/index.js';
import { silentLogger } from '../../../src/log.js';
import { gbStreamUrl, type GbPull } from '../../../src/modules/gb28181/pull.js';
import { registerGbFigures } from '../../../src/modules/metrics/gbFigures.js';
import { startMetricsServer } from '../../../src/modules/metrics/server.js';
import { gbDevice, gbNvr, gbService, nextEvent } from '../../helpers/gb.js';
import { mediaConfig, until } from '../../helpers/media.js';
import { parseSamples, scrape, valueOf } from '../../helpers/prometheus.js';

const KEEPALIVE_MS = 300;
const MISSES = 3;

t.test('GB figures: devices, keep-alive age, pulls with RTP loss and re-INVITEs', async (t) => {
  const svc = await gbService(t, { keepaliveIntervalMs: KEEPALIVE_MS, config: { keepalive_misses: MISSES, media_port_min: 41000 + Math.floor(Math.random() * 400) * 20, media_port_max: 59999 } });
  const nvr = await gbNvr(t, svc.registrar.port, { lossyLink: { lossRate: 0.02, reorderRate: 0.02, seed: 7 } });
  await nvr.device.register(3600);
  nvr.device.startKeepalive(KEEPALIVE_MS / 2);
  const silent = await gbDevice(t, svc, { deviceId: '44010000041320000002', channels: 0 });
  await silent.register(3600);
  const offline = nextEvent(svc, 'offline', silent.deviceId, 5000);

  const channelId = nvr.device.channelIds()[0]!;
  const pull = svc.pullFactory(mediaConfig({ backoff_s: [0.2] }))(gbStreamUrl(nvr.deviceId, channelId), silentLogger()) as GbPull;
  pull.on('spawn', ({ stdout }: { stdout: NodeJS.ReadableStream }) => stdout.resume());
  pull.start();
  t.teardown(() => pull.stop());
  await until('the pull receives media', () => pull.state === 'running' && pull.rtpTotals().received > 300, 20_000);
  await offline;

  const registry = new client.Registry();
  const limitS = (KEEPALIVE_MS * MISSES) / 1000;
  registerGbFigures(registry, { devices: () => svc.store.devices(), cameraDevices: () => new Set(), keepaliveLimitS: limitS, pulls: () => svc.pulls() }, Date.now);
  const base = configSchema.shape.metrics.parse({});
  const server = await startMetricsServer({
    config: configSchema.parse({
      gateway: { device_code: 'vg-test01', data_dir: '/tmp' },
      province: { base_url: 'https://127.0.0.1:1', user: 'u', token: 't', sm2_private_key: '1'.repeat(64) },
      metrics: { ...base, enabled: true, listen: '127.0.0.1:0', allow: ['127.0.0.1'] },
    }),
    figures: { registry, firstFrame: () => undefined },
    log: silentLogger(),
  });
  t.teardown(() => server.close());
  const read = async () => parseSamples((await scrape(`${server.url}/metrics`)).text);

  const first = await read();
  const labels = { device: nvr.deviceId, channel: channelId, transport: 'udp' };
  t.equal(valueOf(first, 'vcgw_gb_devices_registered'), 2);
  t.equal(valueOf(first, 'vcgw_gb_devices_online'), 1, 'the silent device is offline');
  t.equal(valueOf(first, 'vcgw_gb_keepalive_limit_seconds'), limitS);
  t.ok(valueOf(first, 'vcgw_gb_device_keepalive_age_seconds', { device: silent.deviceId })! > limitS, 'the silent device is past the limit');
  t.ok(valueOf(first, 'vcgw_gb_device_keepalive_age_seconds', { device: nvr.deviceId })! < limitS, 'the NVR keeps alive');
  t.equal(valueOf(first, 'vcgw_gb_pulls_active'), 1);
  const lost = valueOf(first, 'vcgw_gb_pull_rtp_lost_packets_total', labels)!;
  const reordered = valueOf(first, 'vcgw_gb_pull_rtp_reordered_packets_total', labels)!;
  t.ok(lost > 0, `lost packets counted (${lost})`);
  t.ok(reordered > 0, `reordered packets counted (${reordered})`);
  t.equal(valueOf(first, 'vcgw_gb_pull_reinvites_total', labels), 0);

  // Media loss: the stream stops; the pull gives it up and INVITEs again.
  await nvr.muteMedia();
  nvr.unmute();
  await until('re-INVITEd and receiving again', () => pull.invites >= 2 && pull.state === 'running', 30_000);
  const second = await read();
  t.ok(valueOf(second, 'vcgw_gb_pull_reinvites_total', labels)! >= 1, 're-INVITE counted');
  t.ok(valueOf(second, 'vcgw_gb_pull_rtp_lost_packets_total', labels)! >= lost, 'the loss count carries across INVITEs');

  await pull.stop();
  const after = await read();
  t.equal(valueOf(after, 'vcgw_gb_pulls_active'), 0, 'a stopped pull is no longer counted');
  t.equal(valueOf(after, 'vcgw_gb_pull_reinvites_total', labels), undefined, 'nor has series of its own');
});
