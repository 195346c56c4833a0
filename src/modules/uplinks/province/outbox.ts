// The outbox as the daemon runs it: the dispatcher sending queued reports to the province (woken by
// the store on each new row and by the province link coming back), and the hourly pruning of
// delivered rows.
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog } from '../../../log.js';
import type { ProvinceCall } from '../../../protocols/province/reports.js';
import type { CameraStore } from '../../../store/cameras.js';
import type { OutboxStore } from '../../../store/outbox.js';
import type { GatewayBus } from '../../events.js';
import { simpleService, type Service } from '../../service.js';
import { OutboxDispatcher } from './outboxDispatcher.js';

const DAY_MS = 86_400_000;

export interface OutboxModule extends Service {
  readonly dispatcher: OutboxDispatcher;
}

export function outboxModule(o: {
  outbox: OutboxStore;
  cameras: CameraStore;
  /** Where rows go: the province uplink's authenticated call. */
  call: ProvinceCall;
  config: Config['outbox'];
  /** [province] analyse_key and org_id sign ReportAnalyse. */
  analyseKey: string;
  orgId: string;
  events: GatewayBus;
  log: Logger;
}): OutboxModule {
  const c = o.config;
  const dispatcher = new OutboxDispatcher({
    outbox: o.outbox,
    cameras: o.cameras,
    call: o.call,
    backoffS: c.backoff_s,
    batchMax: c.batch_max,
    probeMs: c.probe_s * 1000,
    analyseKey: o.analyseKey,
    orgId: o.orgId,
    log: moduleLog(o.log, 'outbox'),
  });
  const resume = () => dispatcher.resume();
  let pruner: NodeJS.Timeout | undefined;
  const service = simpleService('outbox', {
    start: () => {
      o.events.on('provinceReachable', resume);
      dispatcher.start();
      pruner = setInterval(() => o.outbox.pruneDelivered(c.keep_delivered_days * DAY_MS), DAY_MS / 24);
      pruner.unref();
    },
    stop: async () => {
      clearInterval(pruner);
      o.events.off('provinceReachable', resume);
      await dispatcher.stop();
    },
  });
  return Object.assign(service, { dispatcher });
}
