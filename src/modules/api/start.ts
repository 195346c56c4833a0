// The gateway's two listeners as daemon services: the HTTPS API the province calls and the monitor
// listener local detectors post to. Their address is known once they listen (port 0 picks one).
import type { Service } from '../service.js';
import type { Listening } from './http.js';
import { startMonitorServer, type MonitorDeps } from './monitor.js';
import { startApiServer, type ApiServerDeps, type RunningServer } from './server.js';

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

export function provinceApiListener(deps: ApiServerDeps): ListenerService {
  return listenerService('api', () => startApiServer(deps));
}

export function monitorListener(deps: MonitorDeps): ListenerService {
  return listenerService('monitor', () => startMonitorServer(deps));
}
