// /sim/* control endpoints the CLI drives (received, call, down, expire-tokens, cameras).
// Not part of the platform interface: plain HTTP status codes, no TAuth, loopback only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeIssue } from '../../protocols/province/messages.js';
import { GATEWAY_CALLS, isGatewayCall } from './caller.js';
import type { Recorder } from './recorder.js';
import { OUTAGE_MODES, type CameraRecord, type GatewayCall, type GatewayReply, type OutageMode } from './types.js';

export interface ControlDeps {
  recorder: Recorder;
  callGateway(call: GatewayCall, body?: unknown): Promise<GatewayReply>;
  setDown(down: boolean, mode?: OutageMode): Promise<void>;
  isDown(): boolean;
  expireTokens(): void;
  cameras(): Map<string, CameraRecord>;
}

const callRequestSchema = z.strictObject({
  call: z.string().refine(isGatewayCall, { message: `must be one of ${Object.keys(GATEWAY_CALLS).join(', ')}` }),
  body: z.unknown().optional(),
});
const downRequestSchema = z.strictObject({ down: z.boolean(), mode: z.enum(OUTAGE_MODES).optional(), forS: z.number().positive().max(86400).optional() });

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/sim/') && !isLoopback(req.socket.remoteAddress)) {
      return reply.code(403).send({ error: 'the /sim/ control endpoints answer loopback clients only' });
    }
    return undefined;
  });

  app.get('/sim/received', async (req) => {
    const q = new URLSearchParams(req.url.split('?')[1] ?? '');
    const since = Number(q.get('since') ?? 0);
    return deps.recorder.received({
      path: q.get('path') || undefined,
      sinceSeq: Number.isFinite(since) ? since : 0,
    });
  });

  app.get('/sim/cameras', async () => [...deps.cameras().values()]);

  app.get('/sim/status', async () => ({
    down: deps.isDown(),
    cameras: deps.cameras().size,
    lastSeq: deps.recorder.lastSeq,
  }));

  app.post('/sim/expire-tokens', async () => {
    deps.expireTokens();
    return { expired: true };
  });

  app.post('/sim/down', async (req, reply) => {
    const parsed = parseJson(req, reply, downRequestSchema);
    if (!parsed) return reply;
    if (parsed.down && parsed.mode === 'refuse' && parsed.forS === undefined) {
      return reply.code(400).send({ error: "forS: required with mode 'refuse' (it closes this port too)" });
    }
    // Answered before a 'refuse' outage closes the port this reply goes out on.
    setImmediate(() => void deps.setDown(parsed.down, parsed.mode));
    if (parsed.down && parsed.forS !== undefined) setTimeout(() => void deps.setDown(false), parsed.forS * 1000).unref();
    return { down: parsed.down, ...(parsed.mode && { mode: parsed.mode }), ...(parsed.forS !== undefined && { forS: parsed.forS }) };
  });

  app.post('/sim/call', async (req, reply) => {
    const parsed = parseJson(req, reply, callRequestSchema);
    if (!parsed) return reply;
    try {
      return await deps.callGateway(parsed.call as GatewayCall, parsed.body);
    } catch (err) {
      return reply.code(502).send({ error: describeError(err) });
    }
  });
}

function parseJson<S extends z.ZodType>(req: FastifyRequest, reply: FastifyReply, schema: S): z.output<S> | undefined {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  let value: unknown;
  try {
    value = JSON.parse(raw || '{}');
  } catch (err) {
    void reply.code(400).send({ error: `body: malformed JSON (${(err as Error).message})` });
    return undefined;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    void reply.code(400).send({ error: describeIssue(r.error) });
    return undefined;
  }
  return r.data;
}

/** undici wraps the socket error (ECONNREFUSED, certificate…) in `cause`; show both. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
