// /metrics over the gateway's real stores (SQLite in a temp dir): each figure is what the store
// holds, at a fixed clock; the listener lets in the allow-list or the scrape token, nobody else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { CameraService } from '../../../src/modules/cameras/service.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { createFigures } from '../../../src/modules/metrics/figures.js';
import { startMetricsServer } from '../../../src/modules/metrics/server.js';
import { sampleCameraEntry } from '../../../src/sim/sampleCamera.js';
import { CameraClockStore } from '../../../src/store/cameraClock.js';
import { CameraQualityStore } from '../../../src/store/cameraQuality.js';
import { openDb } from '../../../src/store/db.js';
import { MediaStatusStore } from '../../../src/store/mediaStatus.js';
import { SnapshotStore } from '../../../src/store/snapshots.js';
import { TokenStore } from '../../../src/store/tokens.js';
import { VERSION } from '../../../src/version.js';
import { parseSamples, scrape, valueOf } from '../../helpers/prometheus.js';

const NOW = 1_800_000_000_000;
const TOKEN = 'scrape-token-0123456789';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-metrics-'));
  const db = openDb(dir);
  const log = silentLogger();
  const config = parseConfig(
    {
      gateway: { device_code: 'vg-test01', data_dir: dir },
      province: { base_url: 'https://127.0.0.1:1', user: 'u', token: 'offline-0', sm2_private_key: '1'.repeat(64) },
      cameras: [sampleCameraEntry(1), sampleCameraEntry(2, { pushType: 2 })],
    },
    path.join(dir, 'gateway.toml'),
    dir,
  );
  const cameras = new CameraService({ db, now: () => NOW - 600_000 });
  cameras.provisionFromConfig(config.cameras);
  const num = (id: string) => cameras.get(id).record.cameraNum;
  const state = new CameraStateTracker({ db, cameras: cameras.cameras, outbox: cameras.outbox, fullIntervalMs: 3_600_000, log, now: () => NOW });
  const tokens = new TokenStore(db);
  tokens.seedFromConfig('offline-0', NOW - 7_200_000);
  tokens.rotate('platform-1', NOW - 90_000);
  const snapshots = new SnapshotStore(db);
  const quality = new CameraQualityStore(db);
  const clock = new CameraClockStore(db);
  const media = new MediaStatusStore(db);
  const figures = createFigures({
    version: VERSION,
    cameras: cameras.cameras,
    cameraState: state,
    media,
    outbox: cameras.outbox,
    tokens,
    tokenRefreshS: 3600,
    snapshots,
    quality,
    clock,
    disks: { data: dir },
    now: () => NOW,
  });
  return { dir, db, config, cameras, num, state, snapshots, quality, clock, media, figures, log };
}

t.test('each figure is read from its store', async (t) => {
  const s = setup();
  t.teardown(() => {
    s.db.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  });
  const [one, two] = [s.num('cam-1'), s.num('cam-2')];
  s.state.set(one, 1, 'reachable');
  s.state.set(two, 0, 'no answer');
  const row = { detail: '', frames: 100, lastError: null, since: NOW - 5000, updatedAt: NOW };
  s.media.replaceAll([
    { ...row, key: `constant:${one}`, cameraNum: one, role: 'constant', state: 'running', fps: 25, kbps: 128, restarts: 3 },
    { ...row, key: `source:${two}:main`, cameraNum: two, role: 'source', state: 'retrying', fps: null, kbps: null, restarts: 7 },
  ]);
  s.snapshots.insert({ cameraNum: one, takenAt: NOW - 42_000, path: `${one}/x.jpg`, width: 1, height: 1, bytes: 1, source: 'stream' });
  s.quality.put(one, { checkedAt: NOW - 300_000, bits: '0'.repeat(8), confidences: '0|0|0|0|0|0|0|0', details: {}, imageUrl: null, kind: 'snapshot' });
  s.clock.record(two, { at: NOW - 1000, driftMs: -2500 });
  // Only two reports pending, queued 600 s and 10 s before NOW.
  s.cameras.outbox.delivered(s.cameras.outbox.list({ pending: true, limit: 1000 }), NOW);
  s.cameras.outbox.enqueue('analyse', { events: [] }, undefined, NOW - 600_000);
  s.cameras.outbox.enqueue('analyse', { events: [] }, undefined, NOW - 10_000);
  s.figures.firstFrame('constant', 1500);
  s.figures.firstFrame('constant', 4000);
  s.figures.firstFrame('ondemand', 700);

  const m = parseSamples(await s.figures.registry.metrics());
  const cam = (id: string, num: string) => ({ camera: id, camera_num: num });
  t.equal(valueOf(m, 'vcgw_build_info', { version: VERSION }), 1);
  t.equal(valueOf(m, 'vcgw_camera_online', cam('cam-1', one)), 1);
  t.equal(valueOf(m, 'vcgw_camera_online', cam('cam-2', two)), 0);
  t.equal(valueOf(m, 'vcgw_pipeline_up', { camera: 'cam-1', role: 'constant' }), 1);
  t.equal(valueOf(m, 'vcgw_pipeline_up', { camera: 'cam-2', role: 'source' }), 0, 'retrying is not up');
  t.equal(valueOf(m, 'vcgw_pipeline_fps', { camera: 'cam-1' }), 25);
  t.equal(valueOf(m, 'vcgw_pipeline_fps', { camera: 'cam-2' }), undefined, 'no rate known: no sample, not 0');
  t.equal(valueOf(m, 'vcgw_pipeline_bitrate_bps', { camera: 'cam-1' }), 128_000);
  t.equal(valueOf(m, 'vcgw_pipeline_restarts', { camera: 'cam-2' }), 7);
  t.equal(valueOf(m, 'vcgw_push_first_frame_seconds_count', { role: 'constant' }), 2);
  t.equal(valueOf(m, 'vcgw_push_first_frame_seconds_bucket', { role: 'constant', le: '2' }), 1, 'the 1.5 s start in le=2');
  t.equal(valueOf(m, 'vcgw_push_first_frame_seconds_sum', { role: 'ondemand' }), 0.7);
  t.equal(valueOf(m, 'vcgw_outbox_pending'), 2);
  t.equal(valueOf(m, 'vcgw_outbox_oldest_pending_age_seconds'), 600);
  t.equal(valueOf(m, 'vcgw_token_age_seconds'), 90, 'the rotated token, 90 s old');
  t.equal(valueOf(m, 'vcgw_token_refresh_period_seconds'), 3600);
  t.equal(valueOf(m, 'vcgw_snapshot_age_seconds', cam('cam-1', one)), 42);
  t.equal(valueOf(m, 'vcgw_snapshot_age_seconds', cam('cam-2', two)), undefined, 'no snapshot yet');
  t.equal(valueOf(m, 'vcgw_quality_age_seconds', cam('cam-1', one)), 300);
  t.equal(valueOf(m, 'vcgw_camera_clock_drift_seconds', cam('cam-2', two)), -2.5);
  const st = fs.statfsSync(s.dir);
  t.equal(valueOf(m, 'vcgw_disk_size_bytes', { holds: 'data' }), st.blocks * st.bsize);
  t.ok(valueOf(m, 'vcgw_disk_free_bytes', { holds: 'data' })! > 0);
  t.ok(valueOf(m, 'vcgw_process_resident_memory_bytes')! > 0, 'process memory');
  t.ok(valueOf(m, 'vcgw_process_cpu_seconds_total')! > 0, 'process CPU');

  // Nothing is cached: a store change shows at the next scrape.
  s.cameras.outbox.delivered(s.cameras.outbox.list({ pending: true, limit: 1000 }), NOW);
  const after = parseSamples(await s.figures.registry.metrics());
  t.equal(valueOf(after, 'vcgw_outbox_pending'), 0);
  t.equal(valueOf(after, 'vcgw_outbox_oldest_pending_age_seconds'), 0);
});

t.test('the listener: allow-list or scrape token', async (t) => {
  const s = setup();
  t.teardown(() => {
    s.db.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  });
  const tokenFile = path.join(s.dir, 'metrics.token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  const listen = (allow: string[], token_file?: string) =>
    startMetricsServer({ config: { ...s.config, metrics: { ...s.config.metrics, enabled: true, listen: '127.0.0.1:0', tls: false, allow, token_file } }, figures: s.figures, log: s.log });

  const open = await listen(['127.0.0.0/8']);
  t.teardown(() => open.close());
  const ok = await scrape(`${open.url}/metrics`);
  t.equal(ok.status, 200, 'an allowed address');
  t.match(ok.type, /^text\/plain; version=0\.0\.4/);
  t.match(ok.text, /^vcgw_build_info\{version=".+"\} 1$/m);

  const guarded = await listen(['10.9.9.9/32'], tokenFile);
  t.teardown(() => guarded.close());
  const url = `${guarded.url}/metrics`;
  t.equal((await scrape(url)).status, 403, 'another address without a token');
  t.equal((await scrape(url, { authorization: 'Bearer wrong-token-0123456789' })).status, 403, 'a wrong token');
  t.equal((await scrape(url, { authorization: `Bearer ${TOKEN}` })).status, 200, "Prometheus' authorization (Bearer)");
  t.equal((await scrape(url, { tauth: TOKEN })).status, 200, 'TAuth');

  fs.writeFileSync(tokenFile, 'short');
  await t.rejects(listen([], tokenFile), /metrics\.token_file: .* holds 5 characters/, 'a token too short to be a secret is refused, naming the key');
  await t.rejects(listen(['not-an-ip']), /metrics\.allow: not-an-ip/);
});
