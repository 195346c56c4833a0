// GET /metrics for the operations Prometheus: let in by address (metrics.allow) or by the scrape
// token of metrics.token_file (Authorization: Bearer, as Prometheus' `authorization` sends it, or TAuth).
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Config } from '../../config/schema/index.js';
import type { Logger } from '../../log.js';
import { CODE } from '../../protocols/province/messages.js';
import { buildAllowList } from '../api/allowList.js';
import { createApp, listenOn } from '../api/http.js';
import { fail } from '../api/reply.js';
import type { RunningServer } from '../api/server.js';
import type { ServerTls } from '../api/tls.js';
import type { Figures } from './figures.js';

export const METRICS_PATH = '/metrics';

function readToken(file: string): string {
  let token: string;
  try {
    token = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`metrics.token_file: cannot read ${file}: ${(err as Error).message}`);
  }
  if (token.length < 16) throw new Error(`metrics.token_file: ${file} holds ${token.length} characters; a scrape token needs at least 16`);
  return token;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from answer times. */
function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice('Bearer '.length).trim();
  const tauth = headers.tauth;
  return typeof tauth === 'string' ? tauth : undefined;
}

export async function startMetricsServer(deps: { config: Config; figures: Figures; tls?: ServerTls; log: Logger }): Promise<RunningServer> {
  const m = deps.config.metrics;
  const allowed = buildAllowList(m.allow, 'metrics.allow');
  const token = m.token_file === undefined ? undefined : readToken(m.token_file);
  if (m.tls && !deps.tls) throw new Error('metrics.tls: no gateway certificate was given to the metrics listener');
  const { app } = createApp({
    log: deps.log,
    ...(m.tls && deps.tls && { tls: { cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' as const } }),
    bodyLimit: 1024,
    limits: m,
  });
  app.addHook('onRequest', async (req, reply) => {
    if (allowed(req.socket.remoteAddress)) return;
    if (token !== undefined && sameToken(presentedToken(req.headers), token)) return;
    req.log.warn({ remote: req.socket.remoteAddress, url: req.url }, 'metrics: neither an allowed address nor the scrape token');
    return reply.code(403).send(fail(CODE.forbidden, 'address not allowed and no valid scrape token'));
  });
  app.get(METRICS_PATH, async (_req, reply) => {
    const text = await deps.figures.registry.metrics();
    return reply.type(deps.figures.registry.contentType).send(text);
  });
  try {
    const where = await listenOn(app, m.listen, m.tls ? 'https' : 'http');
    deps.log.info({ url: `${where.url}${METRICS_PATH}`, allow: m.allow, scrapeToken: token !== undefined }, 'metrics listener up');
    return { ...where, app, close: () => app.close() };
  } catch (e) {
    await app.close();
    throw e;
  }
}
