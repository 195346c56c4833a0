// Checks ProvinceSimOptions once, so the rest of the sim works with complete, valid settings.
import type { Logger } from 'pino';
import { silentLogger } from '../../log.js';
import { publicKeyHexFrom } from '../../protocols/province/sm2.js';
import { DEFAULT_PUSH_VIDEO, DEFAULT_RTMP_BASE, PUSH_URL_TTL_S } from './registry.js';
import type { ProvinceSimOptions } from './types.js';

export const DEFAULT_TOKEN_GRACE_MS = 60_000;

export interface ResolvedOptions {
  host: string;
  port: number;
  deviceCode: string;
  user: string;
  initialToken: string;
  publicKeyHex: string;
  tokenGraceMs: number;
  rtmpBase: string;
  pushVideo: Record<string, string>;
  pushUrlTtlS: number;
  /** Where the on_publish listener binds; undefined = not started. */
  publishCheck: { host: string; port: number } | undefined;
  clock: () => number;
  log: Logger;
}

export function resolveOptions(o: ProvinceSimOptions): ResolvedOptions {
  const fail = (msg: string): never => {
    throw new Error(`province sim: ${msg}`);
  };
  for (const key of ['deviceCode', 'user', 'initialToken'] as const) {
    if (typeof o[key] !== 'string' || o[key].trim() === '') fail(`${key} must be a non-empty string`);
  }
  let publicKeyHex = '';
  try {
    publicKeyHex = publicKeyHexFrom(o.sm2PublicKey);
  } catch (err) {
    fail(`sm2PublicKey is neither an uncompressed hex point (04…) nor a PEM public key: ${(err as Error).message}`);
  }
  const host = o.listen?.host ?? '127.0.0.1';
  const port = o.listen?.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`listen.port ${port} is not a port number`);
  const tokenGraceMs = o.tokenGraceMs ?? DEFAULT_TOKEN_GRACE_MS;
  if (!Number.isFinite(tokenGraceMs) || tokenGraceMs < 0) fail('tokenGraceMs must be a number ≥ 0');
  const rtmpBase = o.rtmpBase ?? DEFAULT_RTMP_BASE;
  if (!/^rtmps?:\/\/[^/\s]+/.test(rtmpBase)) fail(`rtmpBase ${rtmpBase} must be an rtmp:// or rtmps:// URL`);
  if (o.gatewayUrl !== undefined && !/^https?:\/\//.test(o.gatewayUrl)) {
    fail(`gatewayUrl ${o.gatewayUrl} must be an http(s) URL`);
  }
  if (o.gatewayUrl !== undefined && !URL.canParse(o.gatewayUrl)) fail(`gatewayUrl ${o.gatewayUrl} is not a URL`);
  const pushUrlTtlS = o.pushUrlTtlS ?? PUSH_URL_TTL_S;
  if (!Number.isInteger(pushUrlTtlS) || pushUrlTtlS < 1) fail(`pushUrlTtlS ${pushUrlTtlS} must be a whole number of seconds ≥ 1`);
  let publishCheck: ResolvedOptions['publishCheck'];
  if (o.publishCheck) {
    const pc = o.publishCheck === true ? {} : o.publishCheck;
    publishCheck = { host: pc.host ?? '127.0.0.1', port: pc.port ?? 0 };
    if (!Number.isInteger(publishCheck.port) || publishCheck.port < 0 || publishCheck.port > 65535) {
      fail(`publishCheck.port ${publishCheck.port} is not a port number`);
    }
  }
  return {
    host,
    port,
    deviceCode: o.deviceCode,
    user: o.user,
    initialToken: o.initialToken,
    publicKeyHex,
    tokenGraceMs,
    rtmpBase,
    pushVideo: { ...(o.pushVideo ?? DEFAULT_PUSH_VIDEO) },
    pushUrlTtlS,
    publishCheck,
    clock: o.clock ?? Date.now,
    log: o.log ?? silentLogger(),
  };
}
