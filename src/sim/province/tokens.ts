// The platform's side of the token life cycle (E-2.1, CONTRACT §3 "Token persistence").
import crypto from 'node:crypto';

/** 16 url-safe characters, like the E-2.1 demo token FhpQWdqdShB1ZJ1u. */
export function newToken(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/**
 * Which tokens are accepted, and for what.
 *
 * - TAuth: the last issued token, and the one it replaced until `graceMs` after the rotation
 *   (a gateway may have requests in flight while it rotates).
 * - Token call (`token` parameter): the same set; and after expire() the last issued token is
 *   still accepted there although no token is accepted as TAuth — a real platform lets a
 *   gateway whose token it expired re-authenticate with its signature.
 */
export class TokenBook {
  private current: string;
  private previous: { token: string; until: number } | undefined;
  private expired = false;

  constructor(
    initialToken: string,
    private readonly graceMs: number,
    private readonly clock: () => number,
  ) {
    this.current = initialToken;
  }

  get currentToken(): string {
    return this.current;
  }

  acceptsAsTAuth(token: string | undefined): boolean {
    if (token === undefined || this.expired) return false;
    return this.matches(token);
  }

  acceptsForRefresh(token: string | undefined): boolean {
    if (token === undefined) return false;
    return this.expired ? safeEqual(token, this.current) : this.matches(token);
  }

  /** Issues a new token; the one it replaces stays valid for the grace period. */
  rotate(): string {
    const next = newToken();
    this.previous = this.expired ? undefined : { token: this.current, until: this.clock() + this.graceMs };
    this.current = next;
    this.expired = false;
    return next;
  }

  expire(): void {
    this.expired = true;
    this.previous = undefined;
  }

  private matches(token: string): boolean {
    if (safeEqual(token, this.current)) return true;
    return this.previous !== undefined && this.clock() < this.previous.until && safeEqual(token, this.previous.token);
  }
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
