// Every failure of the ONVIF layer as one typed error, classified from what agsh/onvif hands back.
export type OnvifErrorKind = 'unreachable' | 'auth' | 'fault' | 'unsupported' | 'timeout';

export class OnvifError extends Error {
  override readonly name = 'OnvifError';
  constructor(
    readonly kind: OnvifErrorKind,
    /** Camera address (host:port) the call went to. */
    readonly address: string,
    /** The ONVIF call, e.g. 'SetVideoEncoderConfiguration'. */
    readonly call: string,
    detail: string,
    /** SOAP fault subcodes (e.g. ['ter:InvalidArgVal', 'ter:ConfigModify']) when the camera sent a fault. */
    readonly subcodes: string[] = [],
  ) {
    super(`ONVIF ${address} ${call}: ${detail}`);
  }
}

export interface SoapFaultInfo {
  reason: string;
  /** Code value then subcodes, outer to inner, e.g. ['env:Sender', 'ter:NotAuthorized']. */
  codes: string[];
}

/** The fault of a raw SOAP response, if it is one; a regex suffices for the fixed Fault shape (SOAP 1.2 §5.4). */
export function parseSoapFault(xml: string | undefined): SoapFaultInfo | undefined {
  if (!xml || !/<(?:[\w-]+:)?Fault[\s>]/.test(xml)) return undefined;
  const codeBlock = /<(?:[\w-]+:)?Code>([\s\S]*)<\/(?:[\w-]+:)?Code>/.exec(xml)?.[1] ?? '';
  const codes = [...codeBlock.matchAll(/<(?:[\w-]+:)?Value>\s*([^<]*?)\s*<\/(?:[\w-]+:)?Value>/g)].map((m) => m[1] ?? '');
  const reason = /<(?:[\w-]+:)?Reason>[\s\S]*?<(?:[\w-]+:)?Text[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?Text>/.exec(xml)?.[1]?.trim() ?? '';
  return { reason: unescapeXml(reason) || codes.at(-1) || 'SOAP fault', codes };
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

/** Maps a library error plus the raw response XML (its callback's 3rd argument) to an OnvifError. */
export function classify(err: unknown, xml: string | undefined, address: string, call: string): OnvifError {
  if (err instanceof OnvifError) return err;
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (UNREACHABLE_CODES.has(code)) return new OnvifError('unreachable', address, call, `${code}: ${message}`);
  if (code === 'ETIMEDOUT' || /Network timeout/i.test(message)) return new OnvifError('timeout', address, call, message);
  const f = parseSoapFault(xml);
  // NotAuthorized is how ONVIF Core 5.12.2 reports bad credentials; the library only says "Sender not Authorized".
  if (f?.codes.some((c) => /NotAuthorized/i.test(c)) || /not ?authori[sz]ed|Digest authentication failed/i.test(message)) {
    return new OnvifError('auth', address, call, f?.reason ?? message, f?.codes ?? []);
  }
  if (f) {
    const unsupported = f.codes.some((c) => /ActionNotSupported/i.test(c));
    return new OnvifError(unsupported ? 'unsupported' : 'fault', address, call, f.reason, f.codes);
  }
  return new OnvifError('fault', address, call, message.replace(/^ONVIF SOAP Fault: /, ''));
}
