// Client of a running sim's /sim/* control endpoints (used by `vcgw sim province …`).
import { Agent, request } from 'undici';
import { z } from 'zod';
import { describeError } from './control.js';
import type { GatewayCall, GatewayReply, OutageMode, ReceivedRequest } from './types.js';

const receivedSchema = z.array(
  z.object({
    seq: z.number(),
    at: z.number(),
    method: z.string(),
    path: z.string(),
    query: z.record(z.string(), z.string()),
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
    code: z.number(),
    msg: z.string(),
  }),
);
const gatewayReplySchema = z.object({ httpStatus: z.number(), body: z.unknown() });
const camerasSchema = z.array(z.record(z.string(), z.unknown()));
const errorSchema = z.object({ error: z.string() });

export class SimControlClient {
  // The sim's certificate is normally its own self-signed one and the sim is on loopback:
  // verifying it would only make technicians copy certificates around.
  private readonly agent = new Agent({ connect: { rejectUnauthorized: false } });
  private readonly base: URL;

  constructor(simUrl: string) {
    this.base = new URL(simUrl);
  }

  async received(filter: { path?: string; since?: number } = {}): Promise<ReceivedRequest[]> {
    const q = new URLSearchParams();
    if (filter.path) q.set('path', filter.path);
    if (filter.since !== undefined) q.set('since', String(filter.since));
    const query = q.size > 0 ? `?${q.toString()}` : '';
    return receivedSchema.parse(await this.send('GET', `/sim/received${query}`));
  }

  async call(call: GatewayCall, body?: unknown): Promise<GatewayReply> {
    const reply = gatewayReplySchema.parse(await this.send('POST', '/sim/call', { call, body }));
    return { httpStatus: reply.httpStatus, body: reply.body };
  }

  /** `forS` ends the outage by itself (the only way out of 'refuse', which closes this port too). */
  async setDown(down: boolean, mode?: OutageMode, forS?: number): Promise<void> {
    await this.send('POST', '/sim/down', { down, ...(mode && { mode }), ...(forS !== undefined && { forS }) });
  }

  async expireTokens(): Promise<void> {
    await this.send('POST', '/sim/expire-tokens', {});
  }

  async cameras(): Promise<Array<Record<string, unknown>>> {
    return camerasSchema.parse(await this.send('GET', '/sim/cameras'));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    let res;
    try {
      res = await request(url, {
        method,
        dispatcher: this.agent,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new Error(`cannot reach the province sim at ${this.base.origin}: ${describeError(err)}`);
    }
    const text = await res.body.text();
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`the province sim answered ${method} ${path} with HTTP ${res.statusCode} and no JSON`);
    }
    if (res.statusCode >= 300) {
      const e = errorSchema.safeParse(value);
      throw new Error(`the province sim refused ${method} ${path} (HTTP ${res.statusCode}): ${e.success ? e.data.error : text}`);
    }
    return value;
  }
}
