// The real daemon (`vcgw run`) as a child process, against the province simulator running in the
// benchmark's process, with a generated gateway.toml — as test/e2e/media.test.ts runs it.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { generateSm2KeyPair } from '../../src/protocols/province/sm2.js';
import { freePort } from '../../src/sim/ports.js';
import { startProvinceSim, type ProvinceSim } from '../../src/sim/province/index.js';
import { onCleanup, onLines, Ring, spawnChild, until, type Child } from './children.js';
import type { FarmCamera } from './cameraFarm.js';
import { INSPECTOR_URL } from './inspector.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEVICE_CODE = 'vg-bench01';
const USER = 'bench';
const OFFLINE_TOKEN = 'offline-token-0';

export interface Province {
  sim: ProvinceSim;
  keys: ReturnType<typeof generateSm2KeyPair>;
  close(): Promise<void>;
}

export async function startProvince(rtmpBase: string): Promise<Province> {
  const keys = generateSm2KeyPair();
  const sim = await startProvinceSim({ deviceCode: DEVICE_CODE, user: USER, initialToken: OFFLINE_TOKEN, sm2PublicKey: keys.publicKeyHex, rtmpBase });
  const unregister = onCleanup(() => sim.close());
  return {
    sim,
    keys,
    close: async () => {
      unregister();
      await sim.close();
    },
  };
}

export interface Daemon extends Child {
  stderr: Ring;
  dir: string;
  /** The DevTools URL of the daemon's Node (it runs with --inspect on a loopback port). */
  inspectorUrl: string | undefined;
  stop(): Promise<void>;
}

function cameraEntry(i: number, cam: FarmCamera): Record<string, unknown> {
  return sampleCameraEntry(i, { id: `bench-${i}`, rtspMain: cam.main, rtspSub: cam.sub });
}

export interface DaemonOptions {
  /** Merged into [media]. */
  media?: Record<string, unknown>;
  /** One [[cameras]] entry; default: the farm camera's RTSP URLs. */
  entry?: (i: number, cam: FarmCamera) => Record<string, unknown>;
}

/** Starts `vcgw run` with `cameras` as constant-push cameras; resolves once its API accepts TCP. */
export async function startDaemon(province: Province, cameras: FarmCamera[], o: DaemonOptions = {}): Promise<Daemon & { apiPort: number; configFile: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-bench-daemon-'));
  fs.writeFileSync(path.join(dir, 'province-ca.pem'), province.sim.certPem);
  const apiPort = await freePort();
  const config = {
    gateway: { device_code: DEVICE_CODE, data_dir: 'data', log_level: 'warn' },
    province: {
      base_url: province.sim.url,
      user: USER,
      token: OFFLINE_TOKEN,
      sm2_private_key: province.keys.privateKeyHex,
      ca_file: 'province-ca.pem',
      analyse_key: 'k',
      org_id: 'org',
    },
    api: { listen: `127.0.0.1:${apiPort}` },
    monitor: { listen: `127.0.0.1:${await freePort()}` },
    health: { probe_interval_s: 3600, probe_timeout_ms: 200 },
    media: { hardware: 'off', ...o.media },
    cameras: cameras.map((c, i) => (o.entry ?? cameraEntry)(i, c)),
  };
  const configFile = path.join(dir, 'gateway.toml');
  fs.writeFileSync(configFile, stringify(config));
  // --inspect lets the benchmark force a GC before reading memory; it costs the same in every state.
  const proc = spawnChild(process.execPath, ['--inspect=127.0.0.1:0', '--import', 'tsx', path.join(ROOT, 'src/cli/bin.ts'), 'run', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = new Ring(50);
  let inspectorUrl: string | undefined;
  onLines(proc.child.stderr, (l) => {
    inspectorUrl ??= INSPECTOR_URL.exec(l)?.[1];
    if (!/Debugger|For help, see/.test(l)) stderr.push(l);
  });
  const removeDir = onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const stop = async () => {
    // SIGTERM is the daemon's orderly stop (pipelines closed); SIGKILL only if it hangs.
    await proc.kill(15_000);
    removeDir();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'the daemon API to accept connections',
      async () => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`daemon exited: ${stderr.tail()}`);
        return acceptsTcp(apiPort);
      },
      60_000,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ...proc,
    apiPort,
    configFile,
    stderr,
    dir,
    stop,
    get inspectorUrl() {
      return inspectorUrl;
    },
  };
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}
