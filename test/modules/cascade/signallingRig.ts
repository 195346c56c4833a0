// A cascade without media for the signalling tests: real SQLite, real SIP over UDP on 127.0.0.1
// against the upper-platform simulator, the real PtzService (with the driver the test gives).
import { cascadePlatformSchema, type CascadePlatformConfig } from '../../../src/config/schema/cascade.js';
import { silentLogger } from '../../../src/log.js';
import { cameraListPort, cameraStatePort, ptzPort } from '../../../src/modules/cascade/appPorts.js';
import { MediaRefusal } from '../../../src/modules/cascade/ports.js';
import { startCascade, type CascadeService } from '../../../src/modules/cascade/service.js';
import { CameraStateTracker } from '../../../src/modules/health/cameraState.js';
import { PtzService, type PtzServiceOptions } from '../../../src/modules/ptz/controller.js';
import { GbUpperPlatformSim, type UpperPlatformOptions } from '../../../src/sim/gbPlatform/index.js';
import { CameraStore } from '../../../src/store/cameras.js';
import { CascadeCodeStore } from '../../../src/store/cascadeCodes.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { PtzHoldStore } from '../../../src/store/ptzHolds.js';
import { PtzLogStore } from '../../../src/store/ptzLog.js';
import { tempDir, type Teardown } from '../api/helpers.js';

export const UPPER_ID = '44000000002000000001';
export const LOCAL_ID = '44020000002000000001';
const UPPER_DOMAIN = '4400000000';
const PASSWORD = 'cascade-secret';
const TIMERS = { T1: 50, T2: 400, T4: 500 };

export interface SignallingRig {
  db: Db;
  cameras: CameraStore;
  state: CameraStateTracker;
  ptzLog: PtzLogStore;
  ptz: PtzService;
  sim: GbUpperPlatformSim;
  /** Starts the cascade (one platform named `name`) and waits until it registered. */
  cascade(over?: Partial<CascadePlatformConfig>): Promise<CascadeService>;
}

export async function signallingRig(t: Teardown, o: { driverFor?: PtzServiceOptions['driverFor']; sim?: Partial<UpperPlatformOptions> } = {}): Promise<SignallingRig> {
  const db = openDb(tempDir(t, 'vcgw-cascade-'));
  t.teardown(() => db.close());
  const cameras = new CameraStore(db);
  const log = silentLogger();
  const state = new CameraStateTracker({ db, cameras, outbox: new OutboxStore(db), fullIntervalMs: 3_600_000, log });
  const ptzLog = new PtzLogStore(db);
  const ptz = new PtzService({ cameras, ptzLog, holds: new PtzHoldStore(db), log, driverFor: o.driverFor ?? (() => undefined) });
  const sim = await GbUpperPlatformSim.start({ serverId: UPPER_ID, domain: UPPER_DOMAIN, passwordOf: (id) => (id === LOCAL_ID ? PASSWORD : undefined), timers: TIMERS, ...o.sim });
  t.teardown(() => sim.close());
  // No media here: every INVITE is refused.
  const media = { openPs: () => Promise.reject(new MediaRefusal(503, 'no media in this test')) };
  return {
    db,
    cameras,
    state,
    ptzLog,
    ptz,
    sim,
    cascade: async (over = {}) => {
      const platform = cascadePlatformSchema.parse({
        name: 'city',
        upper_id: UPPER_ID,
        upper_domain: UPPER_DOMAIN,
        upper_address: '127.0.0.1',
        upper_port: sim.port,
        local_id: LOCAL_ID,
        local_address: '127.0.0.1',
        local_port: 0,
        password: PASSWORD,
        segments: [
          { from: '44020000002160000001', to: '44020000002160000999' },
          { from: '44020000001320000001', to: '44020000001320000999' },
        ],
        ...over,
      });
      const svc = startCascade({ platforms: [platform], cameras: cameraListPort(cameras), state: cameraStatePort(state), ptz: ptzPort(ptz), media, codes: new CascadeCodeStore(db), log, timers: TIMERS });
      await svc.start();
      t.teardown(() => svc.stop());
      await sim.until(() => sim.lowers.has(LOCAL_ID), 5000, 'registered');
      return svc;
    },
  };
}
