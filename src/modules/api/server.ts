// The HTTPS API the province calls (E-5.1 … E-5.5, CONTRACT §4): transport and authentication;
// the calls themselves are the routes the uplinks hand it.
import fs from 'node:fs';
import type https from 'node:https';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CODE } from '../../protocols/province/messages.js';
import type { TokenStore } from '../../store/tokens.js';
import { checkAuth, type AuthPolicy } from './auth.js';
import { bodyJson, createApp, listenOn, type App, type Listening } from './http.js';
import { fail } from './reply.js';
import { registerSnapshotRoutes, type SnapshotServing } from './routes/snapshots.js';
import type { ApiRoute } from './routes/route.js';
import { ensureServerTls, type ServerTls } from './tls.js';

export type { SnapshotServing } from './routes/snapshots.js';

export interface ApiServerDeps {
  config: Config;
  /** The tokens TAuth is checked against. */
  tokens: TokenStore;
  /** The calls served, from the uplinks (the province's: provinceRoutes). */
  routes: readonly ApiRoute[];
  log: Logger;
  /** The certificate to serve; made or loaded by ensureServerTls when absent. */
  tls?: ServerTls;
  now?: () => number;
  /** With it, GET /snapshots/… serves the JPEGs (TAuth or a signed URL). */
  snapshots?: SnapshotServing;
}

export interface RunningServer extends Listening {
  app: App;
  close(): Promise<void>;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** HTTPS options; mutual TLS when `api.client_ca_file` is set (CONTRACT §4). */
export function apiTlsOptions(tls: ServerTls, clientCaFile: string | undefined): https.ServerOptions {
  const base: https.ServerOptions = { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' };
  if (!clientCaFile) return base;
  let ca: string;
  try {
    ca = fs.readFileSync(clientCaFile, 'utf8');
  } catch (e) {
    throw new Error(`api.client_ca_file: cannot read ${clientCaFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { ...base, ca, requestCert: true, rejectUnauthorized: true };
}

export async function buildApiServer(deps: ApiServerDeps): Promise<App> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const tls = deps.tls ?? (await ensureServerTls(config.api, config.gateway.data_dir, deps.log));
  const routes = deps.routes;
  const { app, send } = createApp({
    log: deps.log,
    tls: apiTlsOptions(tls, config.api.client_ca_file),
    bodyLimit: config.api.body_limit_bytes,
    limits: config.api,
    backResultUrls: new Set(routes.filter((r) => r.backResult).map((r) => r.url)),
  });
  const policy: AuthPolicy = {
    tokens: deps.tokens,
    deviceCode: config.gateway.device_code,
    graceMs: config.api.token_grace_s * 1000,
    now,
  };
  const routeUrls = new Set(routes.map((r) => r.url));

  // onRequest runs before the body is read: an unauthenticated caller gets 403, never a parse error.
  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined || !routeUrls.has(url)) return;
    const auth = checkAuth({ tauth: header(req, 'tauth'), deviceCode: header(req, 'devicecode') }, policy);
    if (!auth.ok) return send(req, reply, fail(CODE.forbidden, auth.msg));
    if (auth.token === 'previous') req.log.info('accepted the previous token within the grace period');
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req, reply) => {
        const body = route.method === 'POST' ? bodyJson(req) : { ok: true as const, value: undefined };
        if (!body.ok) return send(req, reply, fail(CODE.badRequest, body.msg));
        return send(req, reply, await route.handle({ body: body.value, log: req.log }));
      },
    });
  }
  if (deps.snapshots) registerSnapshotRoutes(app, { ...deps.snapshots, auth: policy });
  return app;
}

/** Builds and listens on `api.listen` (port 0 picks a free one; the result says which). */
export async function startApiServer(deps: ApiServerDeps): Promise<RunningServer> {
  const app = await buildApiServer(deps);
  try {
    const where = await listenOn(app, deps.config.api.listen, 'https');
    deps.log.info({ url: where.url, mutualTls: Boolean(deps.config.api.client_ca_file) }, 'province API listening');
    return { ...where, app, close: () => app.close() };
  } catch (e) {
    await app.close();
    throw e;
  }
}
