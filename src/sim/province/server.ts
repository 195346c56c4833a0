// The HTTPS server of the province sim: wires TLS, the outage switch, the /service/* interface,
// recording and the /sim/* control endpoints together.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { CODE, type Envelope } from '../../protocols/province/messages.js';
import { GatewayCaller } from './caller.js';
import { registerControlRoutes } from './control.js';
import { resolveOptions } from './options.js';
import { Recorder } from './recorder.js';
import { CameraRegistry } from './registry.js';
import { ProvinceService } from './service.js';
import { resolveServerTls } from './tls.js';
import { TokenBook } from './tokens.js';
import type { OutageMode, ProvinceSim, ProvinceSimOptions, ReceivedRequest } from './types.js';

/** CONTRACT §5: an oversized body is a 400, never a crash. */
export const BODY_LIMIT = 1024 * 1024;
/** Where nginx-rtmp's `on_publish` posts its form (publishCheckUrl), and its recorded path. */
export const PUBLISH_CHECK_PATH = '/rtmp/on_publish';
const PUBLISH_FORM_LIMIT = 64 * 1024;

export async function startProvinceSim(options: ProvinceSimOptions): Promise<ProvinceSim> {
  const o = resolveOptions(options);
  const tlsMaterial = await resolveServerTls(options.tls);
  const tokens = new TokenBook(o.initialToken, o.tokenGraceMs, o.clock);
  const registry = new CameraRegistry({ rejectCameraNums: options.rejectCameraNums, rtmpBase: o.rtmpBase, pushUrlTtlS: o.pushUrlTtlS });
  const recorder = new Recorder(o.log, options.recordFile);
  const service = new ProvinceService({
    deviceCode: o.deviceCode,
    user: o.user,
    publicKeyHex: o.publicKeyHex,
    tokens,
    registry,
    pushVideo: o.pushVideo,
    analyseKey: options.analyseKey,
    clock: o.clock,
  });
  const caller = new GatewayCaller({
    gatewayUrl: options.gatewayUrl,
    gatewayCa: options.gatewayCa,
    clientTls: options.gatewayClientTls,
    deviceCode: o.deviceCode,
    token: () => tokens.currentToken,
    log: o.log,
  });
  let outage: OutageMode | undefined;
  /** Replies held by a 'hang' outage, ended when it is over. */
  const hung = new Set<http.ServerResponse>();

  const record = (req: IncomingMessage, body: unknown, envelope: Pick<Envelope, 'code' | 'msg'>): ReceivedRequest => {
    const url = new URL(req.url ?? '/', 'https://sim.invalid');
    const entry = recorder.record({
      at: o.clock(),
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req),
      body,
      code: envelope.code,
      msg: envelope.msg,
    });
    o.log.debug({ seq: entry.seq, method: entry.method, path: entry.path, code: entry.code }, 'province sim: request');
    return entry;
  };
  const answer = (req: FastifyRequest, reply: FastifyReply, body: unknown, envelope: Envelope): FastifyReply => {
    record(req.raw, body, envelope);
    return reply.code(200).send(envelope);
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    exposeHeadRoutes: false,
    forceCloseConnections: true,
    serverFactory: (handler) =>
      https.createServer(
        {
          cert: tlsMaterial.cert,
          key: tlsMaterial.key,
          // Certificates are checked per request (below), so a refused gateway gets a 403
          // that names the problem instead of a bare handshake failure.
          ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        (req, res) => {
          if (outage && (req.url ?? '').startsWith('/service/')) {
            record(req, undefined, { code: 0, msg: `no answer: simulated outage (${outage})` });
            if (outage === '503') res.writeHead(503, { 'content-type': 'text/plain' }).end('503 Service Unavailable (simulated outage)');
            else if (outage === 'hang') {
              hung.add(res);
              res.once('close', () => hung.delete(res));
            } else req.socket.destroy();
            return;
          }
          handler(req, res);
        },
      ),
  });

  app.removeAllContentTypeParsers();
  // Every body arrives as bytes; service.ts decides what is malformed, so it is recorded too.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const isService = req.url.startsWith('/service/');
    let msg = `request: ${err.message}`;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') msg = `body: larger than ${BODY_LIMIT} bytes`;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') msg = 'Content-Type: must be application/json';
    const clientError = (err.statusCode ?? 500) < 500;
    if (!clientError) o.log.error({ err, url: req.url }, 'province sim: internal error');
    if (!isService) return reply.code(err.statusCode ?? 500).send({ error: msg });
    return answer(req, reply, undefined, clientError ? { code: CODE.badRequest, msg } : { code: CODE.serverError, msg });
  });

  app.all('/service/*', async (req, reply) => {
    const socket = req.raw.socket as TLSSocket;
    if (options.clientCa && !socket.authorized) {
      const why = socket.authorizationError ? String(socket.authorizationError) : 'none presented';
      return answer(req, reply, undefined, { code: CODE.forbidden, msg: `client certificate: ${why}` });
    }
    const url = new URL(req.url, 'https://sim.invalid');
    const { envelope, recordedBody } = service.handle({
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
    });
    return answer(req, reply, recordedBody, envelope);
  });

  // The ingest's auth hook is plain HTTP: nginx-rtmp's notify client speaks nothing else.
  const publishCheck = o.publishCheck
    ? http.createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
        if (req.method !== 'POST' || path !== PUBLISH_CHECK_PATH) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end(`${PUBLISH_CHECK_PATH}: POST only\n`);
          return;
        }
        readSmallBody(req, PUBLISH_FORM_LIMIT).then(
          (raw) => {
            const form = new URLSearchParams(raw);
            const decision = service.publishCheck(form);
            record(req, Object.fromEntries(form), { code: decision.status, msg: decision.reason });
            o.log.info({ stream: form.get('name'), status: decision.status, reason: decision.reason }, 'province sim: publish check');
            res.writeHead(decision.status, { 'content-type': 'text/plain' }).end(`${decision.reason}\n`);
          },
          (err: Error) => {
            record(req, undefined, { code: 400, msg: `body: ${err.message}` });
            res.writeHead(400, { 'content-type': 'text/plain' }).end(`${err.message}\n`);
          },
        );
      })
    : undefined;

  const sim: ProvinceSim = {
    url: '',
    publishCheckUrl: undefined,
    refusePublish: (streamNameOrAll, on) => {
      service.refusePublish(streamNameOrAll, on);
      o.log.info({ stream: streamNameOrAll === true ? '*' : streamNameOrAll, refuse: on }, 'province sim: refuse publish');
    },
    certPem: tlsMaterial.cert,
    received: (filter) => recorder.received(filter),
    waitFor: (predicate, timeoutMs) => recorder.waitFor(predicate, timeoutMs),
    currentToken: () => tokens.currentToken,
    expireTokens: () => {
      tokens.expire();
      o.log.info('province sim: every token expired; the gateway must re-authenticate');
    },
    setDown: async (value, mode = 'drop') => {
      const was = outage;
      outage = value ? mode : undefined;
      o.log.info({ down: value, mode }, 'province sim: outage switch');
      if (was === 'hang' && outage !== 'hang') for (const res of hung) res.socket?.destroy();
      if (outage === 'refuse' && was !== 'refuse') {
        // Stop accepting, and end what is open: every connection attempt is refused.
        const closed = new Promise<void>((resolve) => app.server.close(() => resolve()));
        app.server.closeAllConnections();
        await closed;
      } else if (was === 'refuse' && outage !== 'refuse') {
        await new Promise<void>((resolve, reject) => {
          app.server.once('error', reject);
          app.server.listen(listenPort, listenHost, () => {
            app.server.off('error', reject);
            resolve();
          });
        });
      }
    },
    callGateway: (call, body) => caller.call(call, body),
    cameras: () => registry.snapshot(),
    close: async () => {
      recorder.close();
      await caller.close();
      await app.close();
      if (publishCheck?.listening) {
        publishCheck.closeAllConnections();
        await new Promise<void>((resolve) => publishCheck.close(() => resolve()));
      }
    },
  };

  registerControlRoutes(app, {
    recorder,
    callGateway: sim.callGateway,
    setDown: sim.setDown,
    isDown: () => outage !== undefined,
    expireTokens: sim.expireTokens,
    cameras: sim.cameras,
  });

  app.setNotFoundHandler((req, reply) => {
    const envelope = { code: CODE.notFound, msg: `${req.url.split('?')[0]}: unknown interface` };
    if (!req.url.startsWith('/sim/')) record(req.raw, undefined, envelope);
    return reply.code(404).send(envelope);
  });

  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address() as AddressInfo;
  const listenPort = address.port;
  const listenHost = address.address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host}:${address.port}`;
  let publishCheckUrl: string | undefined;
  if (publishCheck && o.publishCheck) {
    const { host: pcHost, port: pcPort } = o.publishCheck;
    try {
      await new Promise<void>((resolve, reject) => {
        publishCheck.once('error', reject);
        publishCheck.listen(pcPort, pcHost, () => resolve());
      });
    } catch (err) {
      await app.close();
      throw err;
    }
    const pcAddress = publishCheck.address() as AddressInfo;
    const pcHostForUrl = pcAddress.family === 'IPv6' ? `[${pcAddress.address}]` : pcAddress.address;
    publishCheckUrl = `http://${pcHostForUrl}:${pcAddress.port}${PUBLISH_CHECK_PATH}`;
  }
  o.log.info({ url, publishCheckUrl }, 'province sim: listening');
  return { ...sim, url, publishCheckUrl };
}

function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > limit) {
        reject(new Error(`larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
