// Authentication of the province's calls (CONTRACT §4 "Authentication of these calls").
import crypto from 'node:crypto';
import type { TokenStore } from '../../store/tokens.js';

export interface AuthInput {
  tauth: string | undefined;
  deviceCode: string | undefined;
}

export interface AuthPolicy {
  tokens: Pick<TokenStore, 'latest'>;
  deviceCode: string;
  graceMs: number;
  now: () => number;
}

export type AuthResult = { ok: true; token: 'current' | 'previous' } | { ok: false; msg: string };

/** Constant-time comparison of two strings of any length. */
function same(a: string, b: string): boolean {
  const h = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(h(a), h(b));
}

/** Reads the tokens on every call: the daemon rotates them in the database. */
export function checkAuth(input: AuthInput, policy: AuthPolicy): AuthResult {
  const tauth = input.tauth?.trim();
  if (!tauth) return { ok: false, msg: 'TAuth: token missing' };
  const { current, previous } = policy.tokens.latest();
  if (!current) return { ok: false, msg: 'TAuth: token invalid (the gateway holds no token yet)' };
  let which: 'current' | 'previous' | undefined;
  if (same(tauth, current.token)) which = 'current';
  else if (previous && same(tauth, previous.token)) {
    const age = policy.now() - current.obtainedAt;
    if (age >= policy.graceMs) return { ok: false, msg: 'TAuth: token expired (replaced by a newer token)' };
    which = 'previous';
  }
  if (!which) return { ok: false, msg: 'TAuth: token invalid' };
  const deviceCode = input.deviceCode?.trim();
  if (deviceCode !== undefined && deviceCode !== '' && deviceCode !== policy.deviceCode) {
    return { ok: false, msg: `DeviceCode: ${deviceCode} is not this gateway` };
  }
  return { ok: true, token: which };
}
