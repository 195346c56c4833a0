// Calls the platform makes to the gateway (E-5.1 … E-5.5, CONTRACT §4).
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { VERSION } from '../../version.js';
import type { GatewayCall, GatewayReply } from './types.js';

export const GATEWAY_CALLS: Readonly<Record<GatewayCall, { method: 'GET' | 'POST'; path: string }>> = {
  VideoTransBegin: { method: 'POST', path: '/service/video.VideoTransBegin' },
  VideoTransFinish: { method: 'POST', path: '/service/video.VideoTransFinish' },
  PTZControl: { method: 'POST', path: '/service/video.PTZControl' },
  NetworkCheck: { method: 'POST', path: '/service/video.NetworkCheck' },
  CheckGateway: { method: 'GET', path: '/service/status.CheckGateway' },
};

export function isGatewayCall(name: unknown): name is GatewayCall {
  return typeof name === 'string' && Object.hasOwn(GATEWAY_CALLS, name);
}

export const SIM_APP_VERSION = `vcgw-province-sim/${VERSION}`;
const CALL_TIMEOUT_MS = 15_000;

export interface GatewayCallerOptions {
  gatewayUrl: string | undefined;
  gatewayCa: string | undefined;
  clientTls: { cert: string; key: string } | undefined;
  deviceCode: string;
  token: () => string;
  log: Logger;
}

export class GatewayCaller {
  private agent: Agent | undefined;

  constructor(private readonly opts: GatewayCallerOptions) {}

  async call(call: GatewayCall, body?: unknown): Promise<GatewayReply> {
    const base = this.opts.gatewayUrl;
    if (!base) throw new Error('province sim: no gatewayUrl configured, cannot call the gateway');
    const { method, path } = GATEWAY_CALLS[call];
    const url = new URL(base);
    // A base URL with a path prefix keeps it: https://gw/api → https://gw/api/service/…
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    const headers: Record<string, string> = {
      AppVersion: SIM_APP_VERSION,
      DeviceCode: this.opts.deviceCode,
      TAuth: this.opts.token(),
    };
    let payload: string | undefined;
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body ?? (call === 'NetworkCheck' ? { cameras: [] } : {}));
    }
    this.opts.log.info({ call, url: url.href }, 'province sim: calling the gateway');
    const res = await request(url, {
      method,
      headers,
      body: payload,
      dispatcher: this.dispatcher(),
      headersTimeout: CALL_TIMEOUT_MS,
      bodyTimeout: CALL_TIMEOUT_MS,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: hand the text back so the caller sees what the gateway said.
    }
    this.opts.log.info({ call, httpStatus: res.statusCode }, 'province sim: gateway answered');
    return { httpStatus: res.statusCode, body: parsed };
  }

  async close(): Promise<void> {
    await this.agent?.close();
    this.agent = undefined;
  }

  private dispatcher(): Agent {
    if (!this.agent) {
      if (!this.opts.gatewayCa) {
        this.opts.log.warn('province sim: gatewayCa not set, NOT verifying the gateway certificate (test tool)');
      }
      this.agent = new Agent({
        connect: {
          ...(this.opts.gatewayCa ? { ca: this.opts.gatewayCa } : { rejectUnauthorized: false }),
          ...(this.opts.clientTls ?? {}),
        },
      });
    }
    return this.agent;
  }
}
