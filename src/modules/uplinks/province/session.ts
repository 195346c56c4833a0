import type { Logger } from '../../../log.js';
import { ProvinceClient, ProvinceReplyError, ProvinceTlsError, ProvinceUnreachableError } from '../../../protocols/province/client.js';
import { CODE, type Envelope } from '../../../protocols/province/messages.js';
import type { TokenStore } from '../../../store/tokens.js';

export interface ProvinceSessionOptions {
  client: ProvinceClient;
  tokens: TokenStore;
  refreshMs: number;
  log: Logger;
  /** Delay before retrying a failed scheduled refresh. */
  retryMs?: number;
  /** A call got an answer after the province had been unreachable (the outbox resumes on it). */
  onReachableAgain?: () => void;
  /** The province accepted a call made with `token` (for /service/token: it issued `token`). */
  onAccepted?: (path: string, token: string) => void;
}

/**
 * The gateway's authenticated session with the province: the token is refreshed on start
 * when unconfirmed, on a schedule and after any 403, and every rotated token is committed to
 * the database before it is used (CONTRACT §3 "Token persistence").
 */
export class ProvinceSession {
  private refreshing: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private unreachable = false;

  constructor(private readonly options: ProvinceSessionOptions) {}

  get client(): ProvinceClient {
    return this.options.client;
  }

  currentToken(): string {
    const current = this.options.tokens.current();
    if (!current) throw new Error('no token: the configured province.token was not seeded');
    return current.token;
  }

  /** Starts the refresh schedule; refreshes at once when the stored token was never confirmed. */
  start(): void {
    const current = this.options.tokens.current();
    const age = current?.confirmedAt ? Date.now() - current.confirmedAt : Infinity;
    this.schedule(Math.max(0, this.options.refreshMs - age));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One token call at a time; concurrent callers share it. */
  refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** POST with the current token; after a 403 the token is refreshed and the call retried once. */
  async call(path: string, body: unknown): Promise<Envelope> {
    const token = this.currentToken();
    try {
      return this.accepted(path, token, await this.watched(this.options.client.post(path, body, token)));
    } catch (err) {
      if (!(err instanceof ProvinceReplyError) || err.code !== CODE.forbidden) throw err;
      this.options.log.warn({ path, msg: err.msg }, 'province refused the token; refreshing it');
      // Another call may have rotated it meanwhile: only refresh when the token is still the one refused.
      const fresh = this.currentToken() === token ? await this.refresh() : this.currentToken();
      return this.accepted(path, fresh, await this.watched(this.options.client.post(path, body, fresh)));
    }
  }

  /** A record that cannot be written must not turn an accepted call into a failed one (and a resend). */
  private accepted<T>(path: string, token: string, reply: T): T {
    try {
      this.options.onAccepted?.(path, token);
    } catch (err) {
      this.options.log.warn({ path, err: String(err) }, 'could not record the accepted call');
    }
    return reply;
  }

  /** Tracks whether the province answers: any reply, even a refusal, means the link is back. */
  private async watched<T>(pending: Promise<T>): Promise<T> {
    try {
      const result = await pending;
      this.answered();
      return result;
    } catch (err) {
      if (err instanceof ProvinceUnreachableError) this.unreachable = true;
      else if (err instanceof ProvinceReplyError) this.answered();
      throw err;
    }
  }

  private answered(): void {
    if (!this.unreachable) return;
    this.unreachable = false;
    this.options.log.info({ link: this.options.client.activeUrl }, 'province reachable again');
    this.options.onReachableAgain?.();
  }

  private async doRefresh(): Promise<string> {
    const old = this.currentToken();
    const token = await this.watched(this.options.client.requestToken(old));
    this.options.tokens.rotate(token);
    this.accepted('/service/token', token, token);
    this.options.log.info({ link: this.options.client.activeUrl }, 'token rotated and stored');
    return token;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.refresh().then(
        () => this.schedule(this.options.refreshMs),
        (err: unknown) => {
          if (err instanceof ProvinceTlsError) {
            this.options.log.error({ err: err.message }, 'token refresh failed: the TLS handshake with the province failed (check the certificate names and province.ca_file); will retry');
          } else this.options.log.error({ err: String(err) }, 'token refresh failed; will retry');
          this.schedule(this.options.retryMs ?? 30_000);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}
