// Shared fixtures of the API tests: a real store in a temp dir, real HTTPS servers, undici clients.
import { OutputBudget } from '../../../src/modules/media/budget.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { configSchema, type Config } from '../../../src/config/schema/index.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { startApiServer, type RunningServer } from '../../../src/modules/api/server.js';
import { ensureServerTls, type ServerTls } from '../../../src/modules/api/tls.js';
import { PushRegistry } from '../../../src/modules/uplinks/province/pushOrders.js';
import { provinceRoutes } from '../../../src/modules/uplinks/province/routes/index.js';
import { PtzService, type PtzDriver } from '../../../src/modules/ptz/controller.js';
import { cameraRecordSchema } from '../../../src/protocols/province/messages.js';
import type { CameraRecord } from '../../../src/domain/camera.js';
import { CameraStore, type CameraAccess } from '../../../src/store/cameras.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { TokenStore } from '../../../src/store/tokens.js';
import { sampleCamera } from '../../helpers/fixture.js';
import { RecordingEngine } from '../../helpers/recordingEngine.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export function tempDir(t: Teardown, prefix = 'vcgw-api-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type ConfigOverrides = { [K in 'api' | 'monitor' | 'media' | 'health']?: Record<string, unknown> };

export function testConfig(dataDir: string, over: ConfigOverrides = {}): Config {
  return configSchema.parse({
    gateway: { device_code: 'vg-108121', data_dir: dataDir },
    province: { base_url: 'https://127.0.0.1:1', user: 'Jzbgs', token: 'tok-config', sm2_private_key: '1'.repeat(64) },
    api: { listen: '127.0.0.1:0', ...over.api },
    monitor: { listen: '127.0.0.1:0', ...over.monitor },
    media: over.media ?? {},
    health: { probe_timeout_ms: 500, ...over.health },
  });
}

export function cameraRecord(over: Partial<CameraRecord> = {}): CameraRecord {
  const { id: _localId, ...fields } = sampleCamera({ cameraName: 'K1844+158 上行', cameraType: 2 });
  return cameraRecordSchema.parse({ ...fields, cameraNum: randomUUID(), ...over });
}

let seq = 0;
export function addCamera(cameras: CameraStore, over: Partial<CameraRecord> = {}, access: CameraAccess = {}): CameraRecord {
  const record = cameraRecord(over);
  cameras.put({ id: `cam-${++seq}`, record, access, source: 'cli' });
  return record;
}

export interface Reply {
  status: number;
  body: { code: number; msg: string; data?: unknown; backResult?: { cameraName: string; code: string; msg: string } };
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly agent: Agent,
    public headers: Record<string, string> = {},
  ) {}

  async send(method: 'GET' | 'POST', urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await request(`${this.baseUrl}${urlPath}`, {
      method,
      dispatcher: this.agent,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...this.headers, ...headers },
      ...(body !== undefined && { body }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: JSON.parse(text) as Reply['body'] };
  }

  post(urlPath: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send('POST', urlPath, JSON.stringify(body), headers);
  }

  get(urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send('GET', urlPath, undefined, headers);
  }
}

export interface ApiFixture {
  db: Db;
  config: Config;
  cameras: CameraStore;
  tokens: TokenStore;
  engine: RecordingEngine;
  push: PushRegistry;
  ptz: PtzService;
  ptzLog: PtzLogStore;
  tls: ServerTls;
  server: RunningServer;
  client: Client;
  clock: { now: number };
}

export async function startApi(
  t: Teardown,
  opts: { over?: ConfigOverrides; driver?: PtzDriver; holdMs?: number; log?: Logger } = {},
): Promise<ApiFixture> {
  const dir = tempDir(t);
  const config = testConfig(dir, opts.over);
  const log = opts.log ?? silentLogger();
  const db = openDb(dir);
  const clock = { now: Date.now() };
  const cameras = new CameraStore(db);
  const tokens = new TokenStore(db);
  tokens.seedFromConfig(config.province.token, clock.now);
  const engine = new RecordingEngine(new OutputBudget(config.media));
  const push = new PushRegistry(engine, config.media, log);
  const ptzLog = new PtzLogStore(db);
  const driver = opts.driver;
  const ptz = new PtzService({
    cameras,
    ptzLog,
    holds: new PtzHoldStore(db),
    log,
    ...(driver && { driverFor: () => driver }),
    ...(opts.holdMs !== undefined && { holdMs: opts.holdMs }),
    now: () => clock.now,
  });
  const tls = await ensureServerTls(config.api, dir, log);
  const routes = provinceRoutes({ cameras, config, push, ptz, now: () => clock.now });
  const server = await startApiServer({ config, tokens, routes, tls, log, now: () => clock.now });
  const agent = new Agent({ connect: { ca: tls.cert } });
  t.teardown(async () => {
    await agent.close();
    await server.close();
    db.close();
  });
  const client = new Client(server.url, agent, { TAuth: 'tok-config', DeviceCode: 'vg-108121', AppVersion: '1.0' });
  return { db, config, cameras, tokens, engine, push, ptz, ptzLog, tls, server, client, clock };
}

export const BEGIN = '/service/video.VideoTransBegin';
export const FINISH = '/service/video.VideoTransFinish';
export const PTZ = '/service/video.PTZControl';
export const NETCHECK = '/service/video.NetworkCheck';
export const CHECK = '/service/status.CheckGateway';

export function beginBody(cameraNum: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cameraNum,
    videoType: 1,
    serverIp: '12.7.0.1',
    serverPort: 1935,
    pubName: cameraNum,
    authInfo: 't=52946dd7&k=2f94cdaf8ea4bdca793e64aba7cb1dea',
    video: { width: 1280, height: 720, bitRate: 1024, frameRate: 25, iframe: 1 },
    ...over,
  };
}
