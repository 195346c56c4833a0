// The province as an uplink: its link (signed client, token session), the reports the outbox sends
// it, and the pushes it orders. Three services, placed apart in the daemon's order: the link and
// the outbox start first, the push orders once the media engine runs. The HTTPS server its calls
// come in on is the api module's (transport); its routes are here (./routes), handed to it.
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import type { CameraStore } from '../../../store/cameras.js';
import type { OutboxStore } from '../../../store/outbox.js';
import type { ProvinceAcceptedStore } from '../../../store/provinceAccepted.js';
import type { TokenStore } from '../../../store/tokens.js';
import type { GatewayBus } from '../../events.js';
import type { ApiRoute } from '../../api/routes/route.js';
import type { StateProbe } from '../../health/netcheck.js';
import type { MediaModule } from '../../media/start.js';
import type { PtzService } from '../../ptz/controller.js';
import type { Service } from '../../service.js';
import { provinceLink } from './link.js';
import { outboxModule } from './outbox.js';
import type { OutboxDispatcher } from './outboxDispatcher.js';
import { provincePushes } from './pushes.js';
import type { PushRegistry } from './pushOrders.js';
import { provinceRoutes } from './routes/index.js';
import type { ProvinceSession } from './session.js';

export interface ProvinceUplink {
  /** Signed client and token session. */
  readonly link: Service;
  /** Reports for the province, sent as the outbox announces them. */
  readonly outbox: Service;
  /** Its push orders (after media in the start order). */
  readonly pushes: Service;
  readonly session: ProvinceSession;
  readonly dispatcher: OutboxDispatcher;
  readonly orders: PushRegistry;
  /** Its calls into the gateway (E-5.1 … E-5.5), for the API server. */
  readonly routes: readonly ApiRoute[];
}

export function provinceUplink(o: {
  config: Pick<Config, 'province' | 'gateway' | 'outbox' | 'media' | 'health'>;
  tokens: TokenStore;
  accepted: ProvinceAcceptedStore;
  outbox: OutboxStore;
  cameras: CameraStore;
  media: Pick<MediaModule, 'engine' | 'streams'>;
  /** PTZControl moves cameras through it. */
  ptz: PtzService;
  /** NetworkCheck of cameras reached without a TCP port (GB/T 28181). */
  stateOf?: StateProbe;
  events: GatewayBus;
  log: Logger;
}): ProvinceUplink {
  const p = o.config.province;
  const link = provinceLink({ config: p, deviceCode: o.config.gateway.device_code, tokens: o.tokens, accepted: o.accepted, events: o.events, log: o.log });
  const call = link.session.call.bind(link.session);
  const outbox = outboxModule({ outbox: o.outbox, cameras: o.cameras, call, config: o.config.outbox, analyseKey: p.analyse_key, orgId: p.org_id, events: o.events, log: o.log });
  const pushes = provincePushes({ media: o.media, config: o.config.media, cameras: o.cameras, call, events: o.events, log: o.log });
  const routes = provinceRoutes({ cameras: o.cameras, config: o.config, push: pushes.orders, ptz: o.ptz, stateOf: o.stateOf, now: Date.now });
  return { link, outbox, pushes, session: link.session, dispatcher: outbox.dispatcher, orders: pushes.orders, routes };
}
