// The province link as the daemon runs it: the signed HTTPS client with its backup links and the
// token session that keeps it authenticated.
import fs from 'node:fs';
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog } from '../../../log.js';
import { ProvinceClient } from '../../../protocols/province/client.js';
import { privateKeyHexFromPem, sm2Sign } from '../../../protocols/province/sm2.js';
import type { ProvinceAcceptedStore } from '../../../store/provinceAccepted.js';
import type { TokenStore } from '../../../store/tokens.js';
import { VERSION } from '../../../version.js';
import type { GatewayBus } from '../../events.js';
import { simpleService, type Service } from '../../service.js';
import { ProvinceSession } from './session.js';
import { provinceTls } from './tls.js';

export interface ProvinceLink extends Service {
  readonly session: ProvinceSession;
}

function signingKey(p: Config['province']): string {
  if (p.sm2_private_key) return p.sm2_private_key.toLowerCase();
  return privateKeyHexFromPem(fs.readFileSync(p.sm2_private_key_file!, 'utf8'));
}

/** The signed HTTPS client to the province with its backup links, as the daemon and `vcgw doctor` make it. */
export function provinceClient(p: Config['province'], deviceCode: string, o: { requestTimeoutMs?: number; log?: Logger } = {}): ProvinceClient {
  const key = signingKey(p);
  const log = o.log;
  return new ProvinceClient({
    baseUrls: [p.base_url, ...p.backup_base_urls],
    deviceCode,
    user: p.user,
    appVersion: VERSION,
    tls: provinceTls(p),
    requestTimeoutMs: o.requestTimeoutMs ?? p.request_timeout_ms,
    primaryRetryMs: p.primary_retry_s * 1000,
    sign: (message) => sm2Sign(message, key, p.sign_format),
    ...(log && { onLinkChange: (url: string, reason: string) => log.warn({ url, reason }, 'province link changed') }),
  });
}

export function provinceLink(o: {
  config: Config['province'];
  deviceCode: string;
  tokens: TokenStore;
  /** Where each call the province accepted is recorded (`vcgw doctor` reads it while the daemon runs). */
  accepted: ProvinceAcceptedStore;
  /** Announces `provinceReachable` when a call gets through after the province was unreachable. */
  events: GatewayBus;
  log: Logger;
}): ProvinceLink {
  const p = o.config;
  const client = provinceClient(p, o.deviceCode, { log: o.log });
  const session = new ProvinceSession({
    client,
    tokens: o.tokens,
    refreshMs: p.token_refresh_s * 1000,
    log: moduleLog(o.log, 'token'),
    onReachableAgain: () => o.events.emit('provinceReachable'),
    onAccepted: (path, token) => o.accepted.record(path, token),
  });
  const service = simpleService('province', {
    start: () => session.start(),
    stop: () => {
      session.stop();
      return client.close();
    },
  });
  return Object.assign(service, { session });
}
