// Fastify set-up shared by the province API and the monitor listener: JSON bodies parsed by us,
// every outcome as an envelope, nothing escaping as a stack trace.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ListenerLimitsConfig } from '../../config/schema/listener.js';
import type { Logger } from '../../log.js';
import { CODE } from '../../protocols/province/messages.js';
import { parseJson, type JsonParse } from './json.js';
import { fail, withBackResult, type ApiReply } from './reply.js';

export type App = FastifyInstance<http.Server | https.Server, http.IncomingMessage, http.ServerResponse, Logger>;

export interface AppOptions {
  log: Logger;
  /** HTTPS options; plain HTTP when absent. */
  tls?: https.ServerOptions;
  bodyLimit: number;
  /** Routes whose every reply also carries `backResult` (E-5.1, E-5.2). */
  backResultUrls?: ReadonlySet<string>;
  limits: ListenerLimitsConfig;
}

/** How often Node looks for requests past their header or request timeout (its default, 30 s, lets slow senders pile up). */
const TIMEOUT_CHECK_MS = 1000;

/**
 * The HTTP(S) server with every limit set where Node enforces it: the TLS handshake, the
 * headers, the whole request, idle sockets, and how many connections are open at once.
 */
function limitedServer(handler: http.RequestListener, tls: https.ServerOptions | undefined, l: ListenerLimitsConfig): http.Server | https.Server {
  const headersTimeout = l.header_timeout_s * 1000;
  const common: http.ServerOptions = {
    headersTimeout,
    // Node refuses a request timeout shorter than the header timeout.
    requestTimeout: Math.max(l.request_timeout_s * 1000, headersTimeout),
    keepAliveTimeout: l.idle_timeout_s * 1000,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  const server = tls ? https.createServer({ ...tls, ...common, handshakeTimeout: l.handshake_timeout_s * 1000 }, handler) : http.createServer(common, handler);
  server.setTimeout(l.idle_timeout_s * 1000, (socket) => socket.destroy());
  server.maxConnections = l.max_connections;
  return server;
}

export interface Listening {
  host: string;
  port: number;
  url: string;
}

/** `HOST:PORT` or `[v6]:PORT` from the config. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`listen address ${listen}: must be HOST:PORT`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

/** Parses the raw body our content-type parser kept; `undefined` when the request had none. */
export function bodyJson(req: FastifyRequest, lenient = false): JsonParse {
  if (req.body === undefined || req.body === null) return { ok: true, value: undefined };
  if (typeof req.body !== 'string') return { ok: true, value: req.body };
  return parseJson(req.body, 'body', lenient);
}

function errorReply(err: unknown, req: FastifyRequest, bodyLimit: number): ApiReply {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fail(CODE.badRequest, `body: larger than ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fail(CODE.badRequest, `Content-Type: must be application/json (got ${req.headers['content-type'] ?? 'none'})`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return fail(CODE.badRequest, `request: ${message}`);
  }
  req.log.error({ err }, 'unexpected error in handler');
  return fail(CODE.serverError, `internal error: ${message}`);
}

/** Fastify's own per-request lines are off: `send` logs one line per reply, with its outcome code. */
const quiet = () => new LogController({ disableRequestLogging: true });

export type Send = (req: FastifyRequest, reply: FastifyReply, result: ApiReply) => FastifyReply;

export function createApp(opts: AppOptions): { app: App; send: Send } {
  const app: App = Fastify({
    serverFactory: (handler) => limitedServer(handler, opts.tls, opts.limits),
    loggerInstance: opts.log,
    bodyLimit: opts.bodyLimit,
    logController: quiet(),
  });
  const backResultUrls = opts.backResultUrls ?? new Set<string>();

  /** Sends `result` with HTTP 200, adding backResult where the route wants it, and logs it. */
  const send: Send = (req, reply, result) => {
    const url = req.routeOptions.url;
    const body = url !== undefined && backResultUrls.has(url) ? withBackResult(result) : result;
    const level = body.code === CODE.ok || body.code === CODE.alreadyPushing ? 'info' : 'warn';
    req.log[level](
      { method: req.method, url: req.url, remote: req.ip, code: body.code, ms: Math.round(reply.elapsedTime) },
      body.msg,
    );
    return reply.code(200).send(body);
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, req, reply) => send(req, reply, errorReply(err, req, opts.bodyLimit)));
  app.setNotFoundHandler((req, reply) => {
    req.log.info({ method: req.method, url: req.url, remote: req.ip }, 'no such endpoint');
    return reply.code(404).send(fail(CODE.notFound, 'no such endpoint'));
  });
  return { app, send };
}

export async function listenOn(app: App, listen: string, scheme: 'http' | 'https'): Promise<Listening> {
  const { host, port } = parseListen(listen);
  await app.listen({ host, port });
  const addr = app.server.address() as AddressInfo;
  const shownHost = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return { host: addr.address, port: addr.port, url: `${scheme}://${shownHost}:${addr.port}` };
}
