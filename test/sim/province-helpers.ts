// Shared fixtures of the province-sim tests (not a test file itself).
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { generateSm2KeyPair, sm2Sign, tokenSignMessage, type SignFormat } from '../../src/protocols/province/sm2.js';
import {
  selfSignedLoopbackCert,
  startProvinceSim,
  type ProvinceSim,
  type ProvinceSimOptions,
} from '../../src/sim/province/index.js';

export const DEVICE = 'vg-108121';
export const USER = 'Jzbgs';
export const TOKEN = 'FhpQWdqdShB1ZJ1u';
export const KEYS = generateSm2KeyPair();
export const CAM_A = 'aef89ecc-4cc6-4a6d-80fd-283196105b0b';
export const CAM_B = 'aef89ecc-4cc6-4a6d-80fd-283196105b0f';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startSim(t: Teardown, extra: Partial<ProvinceSimOptions> = {}): Promise<ProvinceSim> {
  const sim = await startProvinceSim({
    deviceCode: DEVICE,
    user: USER,
    initialToken: TOKEN,
    sm2PublicKey: KEYS.publicKeyHex,
    ...extra,
  });
  t.teardown(() => sim.close());
  return sim;
}

/** An undici agent that trusts exactly the sim's certificate. */
export function trustingAgent(t: Teardown, sim: ProvinceSim, extra: { cert?: string; key?: string } = {}): Agent {
  const agent = new Agent({ connect: { ca: sim.certPem, ...extra } });
  t.teardown(() => agent.close());
  return agent;
}

export interface Reply {
  status: number;
  json: { code: number; msg: string; data?: unknown };
}

export async function call(
  agent: Agent,
  sim: ProvinceSim,
  path: string,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer; token?: string | null } = {},
): Promise<Reply> {
  const method = opts.method ?? (path.startsWith('/service/token') ? 'GET' : 'POST');
  const headers: Record<string, string> = { AppVersion: '0.1.0-test', DeviceCode: DEVICE };
  if (opts.token !== null && !path.startsWith('/service/token')) headers['TAuth'] = opts.token ?? sim.currentToken();
  if (method === 'POST') headers['Content-Type'] = 'application/json';
  Object.assign(headers, opts.headers);
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  const res = await request(new URL(path, sim.url), { method, headers, body: opts.body, dispatcher: agent });
  const json = (await res.body.json()) as Reply['json'];
  return { status: res.statusCode, json };
}

export function post(agent: Agent, sim: ProvinceSim, name: string, body: unknown, token?: string): Promise<Reply> {
  return call(agent, sim, `/service/${name}`, { body: JSON.stringify(body), token });
}

export function tokenPath(
  token: string,
  opts: { format?: SignFormat; deviceCode?: string; user?: string; signWith?: string; sign?: string } = {},
): string {
  const deviceCode = opts.deviceCode ?? DEVICE;
  const user = opts.user ?? USER;
  const sign =
    opts.sign ?? sm2Sign(tokenSignMessage(deviceCode, user, token), opts.signWith ?? KEYS.privateKeyHex, opts.format ?? 'raw');
  const q = new URLSearchParams({ deviceCode, user, token, sign });
  return `/service/token?${q.toString()}`;
}

export function cameraRecord(cameraNum: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    department: '广东省高速公路有限公司京珠北分公司',
    cameraNum,
    cameraName: 'G4（京港澳高速）京珠北路段K1844+158（粤北收费站）',
    cameraNameSuffix: '粤北主广场出口摄像机',
    longAndLati: '113.2644/23.1291',
    road: 'G4',
    roadName: '京港澳高速',
    roadSec: '京珠北段',
    classify: 0,
    poiName: '粤北收费站',
    cameraOrientation: 1,
    pileNum: 'K1844+158',
    cameraType: 1,
    hasControl: 1,
    areaCode: 440201,
    pushType: 1,
    others: '',
    ...extra,
  };
}

function defaultGatewayAnswer(path: string): unknown {
  if (path.endsWith('status.CheckGateway')) return { code: 200, msg: '成功', data: { systemTime: 1, cameraCount: 0 } };
  return { code: 200, msg: '成功', backResult: { cameraName: 'x', code: '200', msg: '成功' } };
}

/** A tiny HTTPS gateway stand-in that records what the sim sends it. */
export async function fakeGateway(t: Teardown, answer: (path: string) => unknown = defaultGatewayAnswer) {
  const tlsMaterial = await selfSignedLoopbackCert();
  const app = Fastify({ https: { cert: tlsMaterial.cert, key: tlsMaterial.key } });
  const seen: Array<{ method: string; url: string; headers: Record<string, unknown>; body: unknown }> = [];
  app.all('/api/service/*', async (req) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: req.body });
    return answer(req.url);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${port}/api`, ca: tlsMaterial.cert, seen };
}

