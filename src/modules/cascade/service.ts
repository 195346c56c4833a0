// The cascade as one service: a link per enabled [[cascade]] platform, each on its own SIP port.
import type { CascadePlatformConfig } from '../../config/schema/cascade.js';
import { CascadeLink, type CascadeDeps, type LinkStatus } from './uplink.js';

/** Key of the settings row the daemon writes the links' status to (`vcgw cascade status`). */
export const CASCADE_STATUS_KEY = 'cascade_status';
const STATUS_EVERY_MS = 5000;

export interface CascadeService {
  readonly name: string;
  readonly links: readonly CascadeLink[];
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): { ok: boolean; detail?: string };
  status(): LinkStatus[];
}

export function startCascade(
  deps: CascadeDeps & {
    platforms: readonly CascadePlatformConfig[];
    /** Called every few seconds with the links' status (the daemon stores it for the CLI). */
    onStatus?: (status: { at: number; links: LinkStatus[] }) => void;
  },
): CascadeService {
  const links = deps.platforms.filter((p) => p.enabled).map((p) => new CascadeLink(p, deps));
  let timer: NodeJS.Timeout | undefined;
  const report = () => deps.onStatus?.({ at: Date.now(), links: links.map((l) => l.status()) });
  return {
    name: 'cascade',
    links,
    async start() {
      await Promise.all(links.map((l) => l.start()));
      if (deps.onStatus) {
        timer = setInterval(report, STATUS_EVERY_MS);
        timer.unref();
      }
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(links.map((l) => l.stop()));
      report();
    },
    health() {
      const down = links.map((l) => l.status()).filter((s) => s.state !== 'registered');
      return down.length === 0 ? { ok: true } : { ok: false, detail: down.map((s) => `${s.name}: ${s.state}${s.lastError ? ` (${s.lastError})` : ''}`).join('; ') };
    },
    status: () => links.map((l) => l.status()),
  };
}
