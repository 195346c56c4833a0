// Shared set-up for tests that run the gateway against the province simulator.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { generateSm2KeyPair, type Sm2KeyPair } from '../../src/protocols/province/sm2.js';
import { freePort } from '../../src/sim/ports.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { startProvinceSim, type ProvinceSim, type ProvinceSimOptions } from '../../src/sim/province/index.js';

export const DEVICE_CODE = 'vg-test01';
export const USER = 'tester';
export const OFFLINE_TOKEN = 'offline-token-0';

export async function startSim(keys: Sm2KeyPair, extra: Partial<ProvinceSimOptions> = {}): Promise<ProvinceSim> {
  return startProvinceSim({
    deviceCode: DEVICE_CODE,
    user: USER,
    initialToken: OFFLINE_TOKEN,
    sm2PublicKey: keys.publicKeyHex,
    ...extra,
  });
}

/** A valid constant-push camera entry numbered `i` (see src/sim/sampleCamera.ts). */
export const cameraEntry = sampleCameraEntry;

export interface GatewayFiles {
  dir: string;
  configFile: string;
  dataDir: string;
  keys: Sm2KeyPair;
}

/** Writes gateway.toml for `sim` into `dir`; `overrides` are merged per section. */
export async function writeGatewayConfig(
  dir: string,
  sim: ProvinceSim,
  keys: Sm2KeyPair,
  overrides: Record<string, Record<string, unknown>> = {},
  cameras: Array<Record<string, unknown>> = [cameraEntry(1), cameraEntry(2)],
): Promise<GatewayFiles> {
  fs.writeFileSync(path.join(dir, 'province-ca.pem'), sim.certPem);
  const config = {
    gateway: { device_code: DEVICE_CODE, data_dir: 'data', log_level: 'warn', ...overrides['gateway'] },
    province: {
      base_url: sim.url,
      user: USER,
      token: OFFLINE_TOKEN,
      sm2_private_key: keys.privateKeyHex,
      ca_file: 'province-ca.pem',
      analyse_key: 'k',
      org_id: 'org',
      ...overrides['province'],
    },
    api: { listen: `127.0.0.1:${await freePort()}`, ...overrides['api'] },
    monitor: { listen: `127.0.0.1:${await freePort()}`, ...overrides['monitor'] },
    health: { probe_interval_s: 3600, probe_timeout_ms: 200, ...overrides['health'] },
    outbox: { backoff_s: [0.2, 0.5], ...overrides['outbox'] },
    // Tests do not need hardware trials at every start.
    media: { hardware: 'off', ...overrides['media'] },
    ...(overrides['snapshots'] ? { snapshots: overrides['snapshots'] } : {}),
    ...(overrides['quality'] ? { quality: overrides['quality'] } : {}),
    ...(overrides['metrics'] ? { metrics: overrides['metrics'] } : {}),
    cameras,
  };
  const configFile = path.join(dir, 'gateway.toml');
  fs.writeFileSync(configFile, stringify(config));
  return { dir, configFile, dataDir: path.join(dir, 'data'), keys };
}

export { freePort, generateSm2KeyPair };

/** A valid camera as a technician would enter it (id + record fields). */
export function sampleCamera(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'K1844+158-up',
    department: '广东省高速公路有限公司京珠北分公司',
    cameraName: '京港澳高速K1844+158上行',
    longAndLati: '113.2644/23.1291',
    road: 'G4',
    roadName: '京港澳高速',
    roadSec: '京珠北段',
    classify: 0,
    poiName: '京港澳高速',
    cameraOrientation: 1,
    pileNum: 'K1844+158',
    cameraType: 1,
    hasControl: 1,
    areaCode: 440201,
    pushType: 2,
    ...over,
  };
}
