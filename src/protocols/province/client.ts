// HTTPS client of the province platform (Appendix E): headers, envelopes, and the backup link
// of seed 003 §7.1 f — fail over on connection errors and come back to the primary.
import { Agent, errors as undiciErrors, request } from 'undici';
import { envelopeSchema, tokenReplyDataSchema, type Envelope } from './messages.js';
import { describeTlsFailure, isTlsError, type ProvinceTls } from './tlsDiagnosis.js';

export interface ProvinceClientOptions {
  /** Primary first, then the backup links in order. */
  baseUrls: readonly string[];
  deviceCode: string;
  user: string;
  appVersion: string;
  tls?: ProvinceTls;
  requestTimeoutMs: number;
  /** While on a backup link, how long before the primary is tried again. */
  primaryRetryMs: number;
  /** base64 signature of the token message (see sm2.ts). */
  sign(message: string): string;
  now?: () => number;
  onLinkChange?: (url: string, reason: string) => void;
}

/** The platform could not be reached on any link (network, TLS, timeout, 5xx proxy). */
export class ProvinceUnreachableError extends Error {
  override name = 'ProvinceUnreachableError';
}

/** Every link failed in the TLS handshake (certificate names, issuer, dates): fixed by certificates, not by waiting. */
export class ProvinceTlsError extends ProvinceUnreachableError {
  override name = 'ProvinceTlsError';
}

/** The platform answered with a code other than 200. */
export class ProvinceReplyError extends Error {
  override name = 'ProvinceReplyError';
  constructor(
    readonly path: string,
    readonly code: number,
    readonly msg: string,
  ) {
    super(`${path}: platform answered ${code} ${msg}`);
  }
}

const MAX_REPLY_BYTES = 4 * 1024 * 1024;
/** A proxy in front of the platform failing: as good as unreachable, so try the next link. */
const LINK_FAILURE_STATUSES = new Set([502, 503, 504]);

export class ProvinceClient {
  private readonly agent: Agent;
  private active = 0;
  private primaryRetryAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: ProvinceClientOptions) {
    if (options.baseUrls.length === 0) throw new Error('at least one province base URL is required');
    this.now = options.now ?? Date.now;
    this.agent = new Agent({
      connect: { ca: options.tls?.ca, cert: options.tls?.cert, key: options.tls?.key, timeout: options.requestTimeoutMs },
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
  }

  /** The link in use now. */
  get activeUrl(): string {
    return this.options.baseUrls[this.active]!;
  }

  /** GET /service/token: signs with the current token and returns the platform's new one. */
  async requestToken(currentToken: string): Promise<string> {
    const { deviceCode, user } = this.options;
    const sign = this.options.sign(`deviceCode=${deviceCode}&user=${user}&token=${currentToken}`);
    const query = new URLSearchParams({ deviceCode, user, token: currentToken, sign });
    const env = await this.send('GET', `/service/token?${query.toString()}`, undefined, undefined);
    const data = tokenReplyDataSchema.safeParse(env.data);
    if (!data.success) throw new ProvinceReplyError('/service/token', env.code, 'reply has no data.token');
    return data.data.token;
  }

  /** POST a JSON body with TAuth; resolves with the envelope when code is 200. */
  async post(path: string, body: unknown, token: string): Promise<Envelope> {
    return this.send('POST', path, JSON.stringify(body), token);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private order(): number[] {
    const n = this.options.baseUrls.length;
    const start = this.active !== 0 && this.now() >= this.primaryRetryAt ? 0 : this.active;
    return Array.from({ length: n }, (_, i) => (start + i) % n);
  }

  private async send(method: 'GET' | 'POST', pathAndQuery: string, body: string | undefined, token: string | undefined) {
    const failures: string[] = [];
    let tlsFailures = 0;
    for (const index of this.order()) {
      const base = this.options.baseUrls[index]!.replace(/\/+$/, '');
      let reply: { status: number; text: string };
      try {
        reply = await this.once(method, base + pathAndQuery, body, token);
      } catch (err) {
        if (isTlsError(err)) {
          tlsFailures++;
          failures.push(`${base}: ${await describeTlsFailure(new URL(base), err, this.options.tls ?? {}, this.options.requestTimeoutMs)}`);
        } else failures.push(`${base}: ${describeNetworkError(err)}`);
        continue;
      }
      if (LINK_FAILURE_STATUSES.has(reply.status)) {
        failures.push(`${base}: HTTP ${reply.status}`);
        continue;
      }
      this.markUp(index, failures);
      const path = pathAndQuery.split('?')[0]!;
      if (reply.status !== 200) throw new ProvinceReplyError(path, reply.status, `HTTP ${reply.status}`);
      let json: unknown;
      try {
        json = JSON.parse(reply.text);
      } catch {
        throw new ProvinceReplyError(path, 0, 'reply is not JSON');
      }
      const env = envelopeSchema.safeParse(json);
      if (!env.success) throw new ProvinceReplyError(path, 0, 'reply has no numeric code');
      if (env.data.code !== 200) throw new ProvinceReplyError(path, env.data.code, env.data.msg);
      return env.data;
    }
    if (tlsFailures === failures.length) throw new ProvinceTlsError(`province TLS handshake failed: ${failures.join('; ')}`);
    throw new ProvinceUnreachableError(`province unreachable: ${failures.join('; ')}`);
  }

  private markUp(index: number, failures: readonly string[]): void {
    if (index === this.active) return;
    const from = this.active;
    this.active = index;
    if (index !== 0) this.primaryRetryAt = this.now() + this.options.primaryRetryMs;
    this.options.onLinkChange?.(
      this.activeUrl,
      index === 0 ? `primary link is back (was on backup ${from})` : `failed over: ${failures.join('; ')}`,
    );
  }

  private async once(method: 'GET' | 'POST', url: string, body: string | undefined, token: string | undefined) {
    const headers: Record<string, string> = {
      AppVersion: this.options.appVersion,
      DeviceCode: this.options.deviceCode,
    };
    if (token !== undefined) headers['TAuth'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await request(url, { method, headers, body, dispatcher: this.agent });
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_REPLY_BYTES) {
        res.body.destroy();
        throw new Error(`reply larger than ${MAX_REPLY_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
  }
}

function describeNetworkError(err: unknown): string {
  if (err instanceof undiciErrors.UndiciError) return `${err.code}: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
  return [e.code, e.message, cause?.code, cause?.message].filter(Boolean).join(': ');
}
