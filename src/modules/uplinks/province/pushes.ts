// The province's push orders as a service, after the media engine in the daemon's order: the
// on-demand pushes it orders (VideoTransBegin/Finish; a slot of the engine's budget each) and the
// constant 128 kbps push of every pushType=1 camera (GetPushAddress; standing outputs of the engine).
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog } from '../../../log.js';
import type { ProvinceCall } from '../../../protocols/province/reports.js';
import type { CameraStore } from '../../../store/cameras.js';
import type { GatewayBus } from '../../events.js';
import type { MediaModule } from '../../media/start.js';
import type { Service } from '../../service.js';
import { ConstantPushManager, PushAddressBook } from './constantPush.js';
import { PushRegistry } from './pushOrders.js';

const RECONCILE_MS = 10_000;

export interface ProvincePushes extends Service {
  readonly orders: PushRegistry;
}

export function provincePushes(o: {
  media: Pick<MediaModule, 'engine' | 'streams'>;
  config: Pick<Config['media'], 'rtmp_app' | 'push_url_max_age_s'>;
  cameras: CameraStore;
  call: ProvinceCall;
  events: GatewayBus;
  log: Logger;
}): ProvincePushes {
  const log = moduleLog(o.log, 'media');
  const orders = new PushRegistry(o.media.engine, o.config, o.log);
  const forget = (key: string, reason: string) => orders.forget(key, reason);
  let constant: ConstantPushManager | undefined;
  return {
    name: 'province-pushes',
    orders,
    async start() {
      o.events.on('outputGone', forget);
      const book = new PushAddressBook({ call: o.call, maxAgeMs: o.config.push_url_max_age_s * 1000, log });
      constant = new ConstantPushManager({ engine: o.media.engine, cameras: o.cameras, book, streams: o.media.streams, reconcileMs: RECONCILE_MS, log });
      constant.start();
    },
    async stop() {
      o.events.off('outputGone', forget);
      await orders.stopAll();
      await constant?.stop();
      constant = undefined;
    },
    health: () => ({ ok: true, detail: `${orders.list().length} on-demand push(es)` }),
  };
}
