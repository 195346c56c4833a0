// Hand-written SOAP 1.2 envelopes and WS-Security UsernameToken checks for the ONVIF simulator
// (no well-kept npm SOAP *server* fits a handful of fixed ONVIF actions).
import crypto from 'node:crypto';
import { child, childText, escapeXml, type XmlElement } from './xml.js';

export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  timg: 'http://www.onvif.org/ver20/imaging/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

const PASSWORD_DIGEST_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

export function envelope(body: string): string {
  const decl = Object.entries(NS)
    .map(([p, uri]) => `xmlns:${p}="${uri}"`)
    .join(' ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope ${decl}><env:Body>${body}</env:Body></env:Envelope>`;
}

export interface SoapFault {
  status: number;
  code: 'Sender' | 'Receiver';
  /** ONVIF subcodes from outer to inner, e.g. ['ter:InvalidArgVal', 'ter:ConfigModify']. */
  subcodes: string[];
  reason: string;
}

export class SoapFaultError extends Error {
  constructor(readonly fault: SoapFault) {
    super(fault.reason);
  }
}

export function fault(f: SoapFault): string {
  let sub = '';
  for (const s of [...f.subcodes].reverse()) sub = `<env:Subcode><env:Value>${s}</env:Value>${sub}</env:Subcode>`;
  return envelope(
    `<env:Fault><env:Code><env:Value>env:${f.code}</env:Value>${sub}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${escapeXml(f.reason)}</env:Text></env:Reason></env:Fault>`,
  );
}

/** What real cameras answer a missing or wrong UsernameToken with (ONVIF Core 5.12.2: HTTP 400). */
export const NOT_AUTHORIZED: SoapFault = {
  status: 400,
  code: 'Sender',
  subcodes: ['ter:NotAuthorized'],
  reason: 'Sender not Authorized',
};

export function invalidArg(reason: string, inner = 'ter:ConfigModify'): SoapFaultError {
  return new SoapFaultError({ status: 400, code: 'Sender', subcodes: ['ter:InvalidArgVal', inner], reason });
}

export interface AuthCheck {
  user: string;
  password: string;
  /** Camera clock now, ms since epoch. */
  cameraNow: number;
  /** Reject a Created stamp further than this from the camera clock; undefined = no check. */
  maxClockSkewMs?: number;
}

/** Why a request's UsernameToken is refused, or undefined when it is accepted. */
export function checkUsernameToken(envelopeEl: XmlElement, a: AuthCheck): string | undefined {
  const token = child(envelopeEl, 'Header', 'Security', 'UsernameToken');
  if (!token) return 'no UsernameToken';
  const user = childText(token, 'Username');
  const pw = child(token, 'Password');
  const nonce = childText(token, 'Nonce');
  const created = childText(token, 'Created');
  if (user !== a.user) return 'unknown user';
  if (!pw) return 'no Password';
  const type = pw.attrs['Type'];
  let expected: string;
  if (type === PASSWORD_DIGEST_TYPE) {
    if (nonce === undefined || created === undefined) return 'digest without Nonce/Created';
    expected = crypto
      .createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(a.password, 'utf8')]))
      .digest('base64');
  } else {
    expected = a.password; // PasswordText
  }
  const got = Buffer.from(pw.text.trim());
  const want = Buffer.from(expected);
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return 'wrong password';
  if (a.maxClockSkewMs !== undefined) {
    const t = created === undefined ? NaN : Date.parse(created);
    if (!Number.isFinite(t) || Math.abs(t - a.cameraNow) > a.maxClockSkewMs) return 'Created outside the clock window';
  }
  return undefined;
}
