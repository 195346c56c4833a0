// /monitor/video.ReportAnalyse for local incident detectors (E-5.6): camera-network side,
// no token, limited by an address allow-list; events go to the outbox for the province.
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CODE } from '../../protocols/province/messages.js';
import type { CameraStore } from '../../store/cameras.js';
import type { OutboxStore } from '../../store/outbox.js';
import { buildAllowList } from './allowList.js';
import { bodyJson, createApp, listenOn, type App } from './http.js';
import { toProvinceEvents } from './monitorEvents.js';
import { fail, ok } from './reply.js';
import type { RunningServer } from './server.js';
import { ensureServerTls, type ServerTls } from './tls.js';

export interface MonitorDeps {
  config: Config;
  cameras: CameraStore;
  outbox: Pick<OutboxStore, 'enqueue'>;
  log: Logger;
  /** The gateway's certificate; made or loaded by ensureServerTls when absent and monitor.tls is on. */
  tls?: ServerTls;
}

export const MONITOR_PATH = '/monitor/video.ReportAnalyse';

export async function buildMonitorServer(deps: MonitorDeps): Promise<App> {
  const { config } = deps;
  const tls = config.monitor.tls
    ? (deps.tls ?? (await ensureServerTls(config.api, config.gateway.data_dir, deps.log)))
    : undefined;
  const allowed = buildAllowList(config.monitor.allow);
  const { app, send } = createApp({
    log: deps.log,
    ...(tls && { tls: { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' as const } }),
    bodyLimit: config.api.body_limit_bytes,
    limits: config.monitor,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (allowed(req.socket.remoteAddress)) return;
    req.log.warn({ remote: req.socket.remoteAddress, url: req.url }, 'monitor: address not allowed');
    return reply.code(403).send(fail(CODE.forbidden, 'address not allowed'));
  });

  app.post(MONITOR_PATH, async (req, reply) => {
    const body = bodyJson(req, true);
    if (!body.ok) return send(req, reply, fail(CODE.badRequest, body.msg));
    const result = toProvinceEvents(body.value, { cameras: deps.cameras, deviceMap: config.monitor.device_map });
    if (!result.ok) return send(req, reply, fail(CODE.badRequest, result.msg));
    for (const r of result.renamed) {
      req.log.info(r, 'detector eventId is not YYYYMMDD_<cameraNum>_<uuid>; forwarded under a new id');
    }
    deps.outbox.enqueue('analyse', { events: result.events });
    req.log.info({ events: result.events.map((e) => e.eventId) }, 'analysis events queued for the province');
    return send(req, reply, ok(undefined, '成功'));
  });
  return app;
}

export async function startMonitorServer(deps: MonitorDeps): Promise<RunningServer> {
  const app = await buildMonitorServer(deps);
  const scheme = deps.config.monitor.tls ? 'https' : 'http';
  try {
    const where = await listenOn(app, deps.config.monitor.listen, scheme);
    deps.log.info({ url: where.url, allow: deps.config.monitor.allow }, 'monitor listener up');
    return { ...where, app, close: () => app.close() };
  } catch (e) {
    await app.close();
    throw e;
  }
}
