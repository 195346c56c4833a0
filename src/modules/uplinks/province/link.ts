// The province link as the daemon runs it: the signed HTTPS client with its backup links and the
// token session that keeps it authenticated.
import fs from 'node:fs';
import type { Config } from '../../../config/schema/index.js';
import type { Logger } from '../../../log.js';
import { moduleLog } from '../../../log.js';
import { ProvinceClient } from '../../../protocols/province/client.js';
import { privateKeyHexFromPem, sm2Sign } from '../../../protocols/province/sm2.js';
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

export function provinceLink(o: {
  config: Config['province'];
  deviceCode: string;
  tokens: TokenStore;
  /** Announces `provinceReachable` when a call gets through after the province was unreachable. */
  events: GatewayBus;
  log: Logger;
}): ProvinceLink {
  const p = o.config;
  const key = signingKey(p);
  const client = new ProvinceClient({
    baseUrls: [p.base_url, ...p.backup_base_urls],
    deviceCode: o.deviceCode,
    user: p.user,
    appVersion: VERSION,
    tls: provinceTls(p),
    requestTimeoutMs: p.request_timeout_ms,
    primaryRetryMs: p.primary_retry_s * 1000,
    sign: (message) => sm2Sign(message, key, p.sign_format),
    onLinkChange: (url, reason) => o.log.warn({ url, reason }, 'province link changed'),
  });
  const session = new ProvinceSession({
    client,
    tokens: o.tokens,
    refreshMs: p.token_refresh_s * 1000,
    log: moduleLog(o.log, 'token'),
    onReachableAgain: () => o.events.emit('provinceReachable'),
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
