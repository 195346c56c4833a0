// The gateway's two listeners as daemon services: the HTTPS API the province calls and the monitor
// listener local detectors post to. Their address is known once they listen (port 0 picks one).
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import type { Service } from '../service.js';
import type { Listening } from './http.js';
import { startMonitorServer, type MonitorDeps } from './monitor.js';
import { startApiServer, type ApiServerDeps, type RunningServer } from './server.js';
import { ensureServerTls, type ServerTls } from './tls.js';

export interface CertificateService extends Service {
  /** The gateway's certificate and key; throws before start. */
  readonly tls: ServerTls;
}

/** The gateway's own certificate (made at first start, then loaded), served by the listeners below. */
export function serverCertificate(o: { api: Config['api']; dataDir: string; log: Logger }): CertificateService {
  let tls: ServerTls | undefined;
  return {
    name: 'certificate',
    get tls(): ServerTls {
      if (!tls) throw new Error('the gateway certificate is not loaded yet');
      return tls;
    },
    async start() {
      tls = await ensureServerTls(o.api, o.dataDir, o.log);
    },
    async stop() {},
    health: () => (tls ? { ok: true, detail: `SHA-256 ${tls.fingerprint256}` } : { ok: false, detail: 'not loaded' }),
  };
}

export interface ListenerService extends Service {
  /** Where it listens; throws before start. */
  readonly listening: Listening;
}

function listenerService(name: string, listen: () => Promise<RunningServer>): ListenerService {
  let server: RunningServer | undefined;
  return {
    name,
    get listening(): Listening {
      if (!server) throw new Error(`${name} is not listening`);
      return { host: server.host, port: server.port, url: server.url };
    },
    async start() {
      server = await listen();
    },
    async stop() {
      const s = server;
      server = undefined;
      await s?.close();
    },
    health: () => (server ? { ok: true, detail: server.url } : { ok: false, detail: 'not listening' }),
  };
}

/** `deps` are read when it starts (the certificate is loaded by then). */
export function provinceApiListener(deps: () => ApiServerDeps): ListenerService {
  return listenerService('api', () => startApiServer(deps()));
}

export function monitorListener(deps: () => MonitorDeps): ListenerService {
  return listenerService('monitor', () => startMonitorServer(deps()));
}
