// The GB/T 28181 device side as one daemon service: the registrar starts with the service; the
// media engine pulls `gb28181:DEVICE/CHANNEL` streams through its source kind, and health and
// NetworkCheck read its devices' state, both once it runs.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import type { Db } from '../../store/db.js';
import type { StateProbe } from '../health/netcheck.js';
import { sourceKindOf, type SourceKind } from '../media/source.js';
import type { Service } from '../service.js';
import { startGbService, type GbService } from './service.js';

export interface GbDeviceSide extends Service {
  /** The running device side; undefined before start and after stop. */
  readonly running: GbService | undefined;
  readonly sourceKind: SourceKind;
  readonly stateOf: StateProbe;
}

export function gbDeviceSide(o: { config: Config['gb28181']; media: Config['media']; ptzPulseMs: number; db: Db; log: Logger }): GbDeviceSide {
  let running: GbService | undefined;
  return {
    name: 'gb28181',
    get running() {
      return running;
    },
    sourceKind: sourceKindOf('gb28181', () => running?.pullFactory(o.media) ?? (() => undefined)),
    stateOf: (cam) => running?.stateOf(cam),
    async start() {
      running = await startGbService({ config: o.config, db: o.db, log: o.log, ptzPulseMs: o.ptzPulseMs });
    },
    async stop() {
      const r = running;
      running = undefined;
      await r?.stop();
    },
    health: () => (running ? { ok: true, detail: `SIP ${o.config.transport} port ${running.registrar.port}` } : { ok: false, detail: 'not running' }),
  };
}
