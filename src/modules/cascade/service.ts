// The cascade as one service: a link per enabled [[cascade]] platform, each on its own SIP port.
import type { CascadePlatformConfig } from '../../config/cascadeSchema.js';
import { CascadeLink, type CascadeDeps, type LinkStatus } from './uplink.js';

export interface CascadeService {
  readonly name: string;
  readonly links: readonly CascadeLink[];
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): { ok: boolean; detail?: string };
  status(): LinkStatus[];
}

export function startCascade(deps: CascadeDeps & { platforms: readonly CascadePlatformConfig[] }): CascadeService {
  const links = deps.platforms.filter((p) => p.enabled).map((p) => new CascadeLink(p, deps));
  return {
    name: 'cascade',
    links,
    async start() {
      await Promise.all(links.map((l) => l.start()));
    },
    async stop() {
      await Promise.all(links.map((l) => l.stop()));
    },
    health() {
      const down = links.map((l) => l.status()).filter((s) => s.state !== 'registered');
      return down.length === 0 ? { ok: true } : { ok: false, detail: down.map((s) => `${s.name}: ${s.state}${s.lastError ? ` (${s.lastError})` : ''}`).join('; ') };
    },
    status: () => links.map((l) => l.status()),
  };
}
